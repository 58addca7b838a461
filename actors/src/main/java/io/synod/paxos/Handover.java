package io.synod.paxos;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * One handover of leadership under way: the voter it goes to, the tick by which it must have
 * happened, and the acceptors that gave this leader's lease back since it began. The leader tells
 * the target to campaign once a majority of every live membership gave the lease back, the
 * target's own acceptor among them (which would otherwise refuse the target's prepare). Its one
 * reason to change: when a handover may proceed.
 */
final class Handover {

  private final int target;
  private final long deadline;
  private final Set<Integer> releasedBy = new HashSet<>();

  Handover(int target, long deadline) {
    this.target = target;
    this.deadline = deadline;
  }

  int target() {
    return target;
  }

  /** The tick from which the handover has failed: the leader steps down. */
  long deadline() {
    return deadline;
  }

  /** Acceptor {@code from} gave the lease back; false if it had already. */
  boolean onReleased(int from) {
    return releasedBy.add(from);
  }

  /** Whether the target may be told to campaign now. */
  boolean targetMayCampaign(Collection<Membership> live) {
    return releasedBy.contains(target) && Quorums.majorityOfEach(live, releasedBy);
  }
}
