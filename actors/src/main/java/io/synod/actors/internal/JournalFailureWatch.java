package io.synod.actors.internal;

import io.synod.persistence.JournalFailed;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Hears of the node's journal failing even when no group was writing: Synod's journal publishes
 * {@link JournalFailed} on the actor system's event stream whenever it fails, an idle marker's
 * force included, and this system actor reports it to the node's {@link JournalFailures}, so every
 * group stops and a standalone node exits, as when a group's own write fails.
 */
public final class JournalFailureWatch {

  public static final String NAME = "synod-journal-watch";

  private JournalFailureWatch() {}

  /** Watches the journal in {@code journalDir} (absolute, normalized). */
  public static Behavior<JournalFailed> create(Path journalDir, JournalFailures failures) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(JournalFailed.class, ctx.getSelf()));
      return Behaviors.receiveMessage(failed -> {
        if (failed.dir().toAbsolutePath().normalize().equals(journalDir)) {
          failures.report(failed.failure());
        }
        return Behaviors.same();
      });
    });
  }
}
