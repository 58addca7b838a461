package io.synod.paxos.sim;

import io.synod.paxos.Membership;

/**
 * The liveness check of the healed phase: the run is done once no client waits (nor the operator,
 * for a membership change under way) and every member of every group has applied all that was
 * chosen; if that takes more than {@link #LIVENESS_TICKS} nominal ticks after healing, liveness is
 * broken.
 */
final class SimLiveness {

  static final long LIVENESS_TICKS = 3_000;

  private final SimContext ctx;
  private final SimCluster cluster;
  private final SimClients clients;
  private final SimMembership membership;

  SimLiveness(SimContext ctx, SimCluster cluster, SimClients clients, SimMembership membership) {
    this.ctx = ctx;
    this.cluster = cluster;
    this.clients = clients;
    this.membership = membership;
  }

  boolean reached() {
    if (clients.anyWaiting() || membership.checker().anyUnderWay()) {
      return false;
    }
    for (String g : cluster.groups()) {
      long target = ctx.checker().highestChosen(g) + 1;
      Membership m = membership.latest(g);
      for (SimNode n : cluster.nodes()) {
        // A node the group removed hears of it no more: only its members must catch up.
        if (m.includes(n.id) && (!n.up || n.replicas.get(g).learner.nextToApply() < target)) {
          return false;
        }
      }
    }
    return true;
  }

  /** True once the deadline after healing has passed; the checker is told what was still missing. */
  boolean overdue() {
    if (ctx.clock().now() - ctx.phase().healedAt() <= LIVENESS_TICKS * FaultMix.TICK) {
      return false;
    }
    ctx.checker().raise("liveness: " + LIVENESS_TICKS + " ticks after healing, " + report());
    return true;
  }

  private String report() {
    StringBuilder b = new StringBuilder(clients.waiting()).append(membership.checker().underWay());
    for (String g : cluster.groups()) {
      b.append(g).append(" highest chosen ").append(ctx.checker().highestChosen(g)).append(", applied:");
      for (SimNode n : cluster.nodes()) {
        SimReplica r = n.replicas.get(g);
        b.append(" n").append(n.id).append('=').append(r.learner.nextToApply())
            .append(r.proposer.isLeader() ? "(leader)" : "");
      }
      b.append("; ");
    }
    return b.toString();
  }
}
