package io.synod.paxos;

/**
 * The phase of a proposer that neither leads nor campaigns: it waits for its election deadline,
 * which hearing from a leader pushes back; or, while the leader said the group is idle, it waits
 * quietly for that leader until news of the leader's node ({@link PeerLiveness}) or a heartbeat
 * sets an election deadline again, or until a long backstop passes, when it asks the leader to
 * confirm it still leads (news can be overtaken by a late accept that quieted it). Its one reason
 * to change: when a follower campaigns.
 */
final class Following implements ProposerPhase {

  private long electionDeadline;
  /** The leader this follower waits for quietly, or -1 while it runs an election deadline. */
  private int quietUnder = -1;

  Following(long electionDeadline) {
    this.electionDeadline = electionDeadline;
  }

  /** A follower that waits quietly for {@code leader} until news of that node, or until {@code backstop}. */
  static Following quietUnder(int leader, long backstop) {
    Following f = new Following(backstop);
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
