package io.synod.paxos.sim;

import io.synod.paxos.Membership;
import io.synod.paxos.Reconfiguration;
import io.synod.paxos.Reconfiguration.Answer;
import io.synod.paxos.Reconfiguration.Effect;
import io.synod.paxos.Reconfiguration.Request;
import java.util.List;

/**
 * One node's membership-change workflow as the simulator drives it: the core's {@link
 * Reconfiguration}, each input handed on unchanged. It is a class of its own only so that a broken
 * variant ({@link SimProtocol#reconfiguration}) can override an input and prove that {@link
 * ReconfigurationChecker} catches what it gets wrong; the core class itself is final. Whoever asked
 * for a change is known by the number of its request ({@link SimOperator}).
 */
public class MembershipWorkflow {

  private final Reconfiguration<Long> core;

  public MembershipWorkflow(Reconfiguration<Long> core) {
    this.core = core;
  }

  public List<Effect<Long>> onAsked(Request<Long> r, List<Integer> knownNodes) {
    return core.onAsked(r, knownNodes);
  }

  public List<Effect<Long>> onLeader(int leader) {
    return core.onLeader(leader);
  }

  public List<Effect<Long>> onAnswer(Answer a) {
    return core.onAnswer(a);
  }

  public List<Effect<Long>> onMembership(Membership membership, long now) {
    return core.onMembership(membership, now);
  }

  public List<Effect<Long>> onSweep(long now) {
    return core.onSweep(now);
  }

  /** Whether a change asked at this node waits for its answer. */
  public boolean underWay() {
    return core.underWay();
  }
}
