package io.synod.paxos;

/**
 * When a leader hands its leadership to the group's preferred leader ({@link
 * GroupConfig#preferredLeader()}), through the usual handover ({@link Handover}). It does so only
 * when the preferred node is a voter of the group's one membership (no change under way), its
 * acceptor answered this leader within the last two heartbeats (it is up and reachable) and holds
 * every instance this leader has in flight (its acceptor holds what this leader proposed; its learner
 * may still be behind, see protocol.md's Known limits), and this leader has led for {@link
 * #STABLE_FACTOR} election timeouts; meanwhile the group does not go quiet. Once the preferred node
 * leads, nobody hands over again; if it cannot take over, the next attempt waits for a whole new
 * period of leadership, so leadership never flaps between two nodes faster than that. Its one
 * reason to change: when leadership moves to the preferred node.
 */
final class PreferredLeader {

  /**
   * How many election timeouts a leader leads before it hands over to the preferred node: long
   * enough for a restarted preferred node to catch up, and the least time between two attempts.
   */
  static final int STABLE_FACTOR = 25;

  private final int preferred;
  private final int self;
  private final long notBefore;
  private final long heardWithin;

  PreferredLeader(GroupConfig config, long leadingSince) {
    this.preferred = config.preferredLeader();
    this.self = config.self();
    this.notBefore = leadingSince + (long) STABLE_FACTOR * config.tuning().electionTimeoutTicks();
    this.heardWithin = 2L * config.tuning().heartbeatTicks();
  }

  /**
   * Whether leadership is to go to the preferred node, which is a voter and answers: the group stays
   * active (its heartbeats are what the handover waits for) rather than go quiet, until it has. A
   * preferred node that is down lets the group go quiet.
   */
  boolean awaited(long now, Membership latest, QuorumCheck quorum) {
    return preferred >= 0 && preferred != self && latest.isVoter(preferred)
        && quorum.answeredSince(preferred, now - heardWithin);
  }

  /**
   * The node to hand leadership to at {@code now}, or -1: {@code latest} is the group's membership
   * (with {@code oneMembership} false while a change is under way), {@code quorum} what this leader
   * heard, {@code pipeline} what it has in flight.
   */
  int handOverTo(long now, Membership latest, boolean oneMembership, QuorumCheck quorum, Pipeline pipeline) {
    boolean ready = preferred >= 0 && preferred != self && now >= notBefore && oneMembership
        && latest.isVoter(preferred) && quorum.answeredSince(preferred, now - heardWithin)
        && pipeline.acceptedAllBy(preferred);
    return ready ? preferred : -1;
  }
}
