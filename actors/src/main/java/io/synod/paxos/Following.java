package io.synod.paxos;

/**
 * The phase of a proposer that neither leads nor campaigns: it waits for its election deadline,
 * which hearing from a leader pushes back; or, while the leader said the group is idle, it waits
 * quietly for that leader, without a deadline, until news of the leader's node ({@link
 * PeerLiveness}) or a heartbeat sets one again. Its one reason to change: when a follower
 * campaigns.
 */
final class Following implements ProposerPhase {

  private long electionDeadline;
  /** The leader this follower waits for quietly, or -1 while it runs an election deadline. */
  private int quietUnder = -1;

  Following(long electionDeadline) {
    this.electionDeadline = electionDeadline;
  }

  /** A follower that waits quietly for {@code leader}: no deadline until news of that node. */
  static Following quietUnder(int leader) {
    Following f = new Following(Long.MAX_VALUE);
    f.quietUnder = leader;
    return f;
  }

  /** Whether the election deadline has passed at {@code now}. */
  boolean deadlinePassed(long now) {
    return now >= electionDeadline;
  }

  /** Sets a new election deadline (a learner that may not campaign waits another timeout); ends quiet waiting. */
  void postpone(long deadline) {
    electionDeadline = deadline;
    quietUnder = -1;
  }

  /** The leader this follower waits for quietly, or -1. */
  int quietUnder() {
    return quietUnder;
  }

  @Override
  public long dueAt(long now) {
    return electionDeadline;
  }
}
