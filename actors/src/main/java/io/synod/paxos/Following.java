package io.synod.paxos;

/**
 * The phase of a proposer that neither leads nor campaigns: it waits for its election deadline,
 * which hearing from a leader pushes back. Its one reason to change: when a follower campaigns.
 */
final class Following implements ProposerPhase {

  private long electionDeadline;

  Following(long electionDeadline) {
    this.electionDeadline = electionDeadline;
  }

  /** Whether the election deadline has passed at {@code now}. */
  boolean deadlinePassed(long now) {
    return now >= electionDeadline;
  }

  /** Sets a new election deadline (a learner that may not campaign waits another timeout). */
  void postpone(long deadline) {
    electionDeadline = deadline;
  }

  @Override
  public long dueAt(long now) {
    return electionDeadline;
  }
}
