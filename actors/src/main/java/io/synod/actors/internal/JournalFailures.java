package io.synod.actors.internal;

import io.synod.persistence.JournalFailed;
import io.synod.persistence.JournalFailedException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;

/**
 * A node's one journal, as failed or not: the first group of the node whose role fails with the
 * journal's fail-stop ({@link JournalFailedException}) reports it here, and so does the journal
 * itself through the event stream ({@link #listener}); every group of the node then stops with it
 * (their writes could only fail), and the application learns of it through {@code
 * SynodNode.journalFailure()} (a standalone node exits). One per {@code SynodNode}.
 */
public final class JournalFailures {

  private final CompletableFuture<JournalFailedException> failure = new CompletableFuture<>();

  /**
   * Records {@code e} as the failure of node {@code self}'s journal; the first one reported is
   * logged, at ERROR, and returns true.
   */
  boolean report(JournalFailedException e, int self, Logger log) {
    if (!failure.complete(e)) {
      return false;
    }
    log.error("node {}: the journal failed; it accepts no more writes in this process, so every group on this node"
        + " stops. Restart the process to recover from what is on disk", self, e);
    return true;
  }

  /** Completes with the first failure reported; never completes while the journal works. */
  public CompletionStage<JournalFailedException> failure() {
    return failure.minimalCompletionStage();
  }

  /**
   * An actor that reports node {@code self}'s journal, the one in {@code journalDir}, as failed
   * when the journal publishes that it failed. A failure no group's write meets (the journal's
   * fsync of the marker it writes when idle) would otherwise stay unknown until a group writes
   * again, while the node serves as if nothing had happened.
   */
  public Behavior<JournalFailed> listener(int self, Path journalDir) {
    Path dir = journalDir.toAbsolutePath().normalize();
    return Behaviors.setup(ctx -> {
      ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(JournalFailed.class, ctx.getSelf()));
      return Behaviors.receiveMessage(published -> {
        if (published.dir().toAbsolutePath().normalize().equals(dir)) {
          report(published.failure(), self, ctx.getLog());
        }
        return Behaviors.same();
      });
    });
  }
}
