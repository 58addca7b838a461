package io.synod.paxos.sim;

import io.synod.paxos.Reconfiguration.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The operator of a run, asking for membership changes at the moments the nemesis draws (the mix's
 * {@code membershipPerTick}): each time, it asks a running node picked at random, not only the
 * leader, for one change of a group, as an administrator calls any node's API: a random op (add a
 * voter, add a learner, remove) of a random node among all the run's nodes, spares included, to be
 * answered by a deadline some ticks ahead. A third of the removals name the group's leader instead,
 * so that removing a leader, which hands leadership over first, happens in a fair share of runs.
 * Requests the node's workflow refuses at once (a voter added again, a change under way there) are
 * part of the test. The node answers through {@link SimMembership}, which checks the answers.
 */
final class SimOperator {

  private static final Op[] OPS = Op.values();
  /**
   * The earliest deadline: long enough for a change, a handover or a learner's catch-up in calm
   * weather; the latest is {@link #DEADLINE_SPREAD} later, still well inside the liveness phase.
   */
  static final long MIN_DEADLINE = 100 * FaultMix.TICK;
  static final long DEADLINE_SPREAD = 300 * FaultMix.TICK;

  private final SimContext ctx;
  private final SimCluster cluster;
  private final SimMembership membership;

  SimOperator(SimContext ctx, SimCluster cluster, SimMembership membership) {
    this.ctx = ctx;
    this.cluster = cluster;
    this.membership = membership;
  }

  /** Asks a running node for a random membership change of {@code group}, unless every node is down or paused. */
  void ask(String group) {
    List<SimNode> running = new ArrayList<>();
    for (SimNode n : cluster.nodes()) {
      if (n.up && !n.paused) {
        running.add(n);
      }
    }
    if (running.isEmpty()) {
      return;
    }
    SplittableRandom rng = ctx.rng();
    SimNode at = running.get(rng.nextInt(running.size()));
    Op op = OPS[rng.nextInt(OPS.length)];
    int node = rng.nextInt(cluster.size());
    if (op == Op.REMOVE && rng.nextInt(3) == 0) {
      SimNode leader = cluster.leaderOf(group);
      if (leader != null) {
        node = leader.id;
      }
    }
    long deadline = ctx.clock().now() + MIN_DEADLINE + rng.nextLong(DEADLINE_SPREAD);
    membership.ask(at, group, op, node, deadline);
  }
}
