package io.synod.actors.internal;

import io.synod.persistence.JournalFailedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A node's one journal, as failed or not: the first group of the node whose role fails with the
 * journal's fail-stop ({@link JournalFailedException}) reports it here; every group of the node
 * then stops with it (their writes could only fail), and the application learns of it through
 * {@code SynodNode.journalFailure()} (a standalone node exits). One per {@code SynodNode}.
 */
public final class JournalFailures {

  private final CompletableFuture<JournalFailedException> failure = new CompletableFuture<>();

  /** Records {@code e} as the journal's failure; returns whether it is the first reported. */
  boolean report(JournalFailedException e) {
    return failure.complete(e);
  }

  /** Completes with the first failure reported; never completes while the journal works. */
  public CompletionStage<JournalFailedException> failure() {
    return failure.minimalCompletionStage();
  }
}
