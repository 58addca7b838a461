package io.synod.actors.internal;

import io.synod.paxos.DivergenceException;
import io.synod.persistence.JournalFailedException;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;

/**
 * Why one of a group's roles stopped, as its coordinator learns it, and whether starting the roles
 * again can help. Most failures pass (a journal write or replay that failed or timed out, e.g. past
 * the journal's circuit breaker on a stalled disk): the roles start again from the journal. Two do
 * not: a journal that failed for good ({@link JournalFailedException} anywhere in the cause chain,
 * usually inside Pekko's {@code JournalFailureException}), which only a new process can recover
 * from, and replicas that diverge ({@link DivergenceException}), a broken invariant that a restart
 * would hide rather than cure.
 *
 * @param role the role's actor name (acceptor, proposer, learner, checkpoints)
 * @param cause what it failed with, or null if it stopped without a failure
 * @param journalFailure the journal's fail-stop found in the cause chain, or null
 * @param divergence whether replicas diverge
 */
record RoleFailure(String role, Throwable cause, JournalFailedException journalFailure, boolean divergence) {

  static RoleFailure of(Terminated t) {
    return of(t.getRef().path().name(), t instanceof ChildFailed f ? f.getCause() : null);
  }

  /** Role {@code role} stopped, failing with {@code cause} (null: it stopped without a failure). */
  static RoleFailure of(String role, Throwable cause) {
    JournalFailedException journal = null;
    boolean divergence = false;
    for (Throwable c = cause; c != null && journal == null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof JournalFailedException j) {
        journal = j;
      }
      divergence |= c instanceof DivergenceException;
    }
    return new RoleFailure(role, cause, journal, divergence);
  }

  /** Whether starting the roles again cannot help: the group stops for good. */
  boolean permanent() {
    return journalFailure != null || divergence;
  }

  /** One line: the role, the failure and its innermost cause. */
  String describe() {
    if (cause == null) {
      return "its " + role + " stopped";
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return "its " + role + " failed: " + oneLine(cause) + (root != cause ? " (cause: " + oneLine(root) + ")" : "");
  }

  static String oneLine(Throwable t) {
    String message = t.getMessage() == null ? "" : ": " + t.getMessage().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    Class<?> type = t.getClass();
    while (type.getSimpleName().isEmpty()) {
      type = type.getSuperclass(); // an anonymous class (Pekko's circuit breaker timeout): name what it extends
    }
    return type.getSimpleName() + message;
  }
}
