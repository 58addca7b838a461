package io.synod.paxos.sim;

import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Membership;
import io.synod.paxos.Message;
import io.synod.paxos.Tuning;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's last room, after liveness: failover out of quiet. With no client left, the groups go
 * quiet (their leaders stop heartbeating, their followers stop their election timers); then the
 * node leading the first group crashes, and every group whose voters still have a majority up must
 * have a leader among the nodes still up within {@link #FAILOVER_TICKS}. Only the nodes' failure
 * detector ({@code PeerLiveness}) can wake a quiet follower, so this is where a detector that
 * misses a dead leader, or a follower that ignores it, shows.
 */
final class SimFailover {

  /** How long the groups get to go quiet before the crash (they need an election timeout or so). */
  static final long QUIET_TICKS = 400;
  /**
   * The bound on failover: as generous as the liveness check's, since a healed run may still have
   * slow disks that stretch elections (duelling candidates behind a disk's backlog took more than
   * 300 ticks); a follower that never notices the dead leader never campaigns at all.
   */
  static final long FAILOVER_TICKS = SimLiveness.LIVENESS_TICKS;
  /**
   * The bound once every group went quiet: half the quiet followers' backstop (the proposer's
   * QUIET_BACKSTOP_FACTOR election timeouts), so that a follower deaf to its node's failure
   * detector, which the backstop alone would rescue, is still caught.
   */
  static final long QUIET_FAILOVER_TICKS = 32L * Tuning.DEFAULTS.electionTimeoutTicks();

  private final SimContext ctx;
  private final SimCluster cluster;
  private final SimLifecycle lifecycle;
  private final SimMembership membership;
  private SimNode crashed;
  private long crashedAt;
  private long quietSince = -1;
  private boolean wentQuiet;

  SimFailover(SimContext ctx, SimCluster cluster, SimLifecycle lifecycle, SimMembership membership) {
    this.ctx = ctx;
    this.cluster = cluster;
    this.lifecycle = lifecycle;
    this.membership = membership;
  }

  /** Called before each step once liveness was reached: true once this room is done (or failed). */
  boolean done() {
    long now = ctx.clock().now();
    if (crashed == null) {
      if (quietSince < 0) {
        quietSince = now;
      }
      wentQuiet = allQuiet();
      if (wentQuiet || now - quietSince > QUIET_TICKS * FaultMix.TICK) {
        return crashLeader(now);
      }
      return false;
    }
    if (allLed()) {
      ctx.tally().quietFailovers += wentQuiet ? 1 : 0;
      return true;
    }
    long bound = wentQuiet ? QUIET_FAILOVER_TICKS : FAILOVER_TICKS;
    if (now - crashedAt > bound * FaultMix.TICK) {
      ctx.checker().raise("failover: " + bound + " ticks after node " + crashed.id + ", which led "
          + cluster.groups().get(0) + (wentQuiet ? " (all groups quiet)" : "") + ", crashed, " + report());
      return true;
    }
    return false;
  }

  /** Crashes the node leading the first group; done at once if no node leads it. */
  private boolean crashLeader(long now) {
    String g = cluster.groups().get(0);
    for (SimNode n : cluster.nodes()) {
      if (n.up && n.replicas.get(g).proposer.isLeader()) {
        crashed = n;
        crashedAt = now;
        ctx.trace().log("failover check: crash n" + n.id + ", leader of " + g + (wentQuiet ? ", all quiet" : ""));
        lifecycle.crash(n);
        return false;
      }
    }
    return true;
  }

  private boolean allQuiet() {
    for (SimNode n : cluster.nodes()) {
      for (SimReplica r : n.replicas.values()) {
        if (n.up && membership.latest(r.group).isVoter(n.id) && !r.proposer.isQuiet()) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether every group that still has a majority of its voters up has a leader among the nodes up.
   * A group whose voters may yet change (a membership change some acceptor accepted past what any
   * learner applied: a new leader must propose it again, and it may already be chosen) must have a
   * majority up of the voters it would leave too: without one, no leader can go past that change.
   */
  private boolean allLed() {
    for (String g : cluster.groups()) {
      Membership m = membership.latest(g);
      boolean led = false;
      for (SimNode n : cluster.nodes()) {
        led |= n.up && n.replicas.get(g).proposer.isLeader();
      }
      if (!led && majorityUp(m) && pendingChanges(g, m).stream().allMatch(this::majorityUp)) {
        return false;
      }
    }
    return true;
  }

  private boolean majorityUp(Membership m) {
    int up = 0;
    for (SimNode n : cluster.nodes()) {
      if (n.up && m.isVoter(n.id)) {
        up++;
      }
    }
    return up > m.voters().size() / 2;
  }

  /**
   * The memberships that the membership changes accepted by any node's acceptor (up or not) at or
   * past the furthest learner's applied point would bring, each applied to {@code latest}.
   */
  private List<Membership> pendingChanges(String g, Membership latest) {
    long applied = 0;
    for (SimNode n : cluster.nodes()) {
      applied = Math.max(applied, n.replicas.get(g).learner.nextToApply());
    }
    List<Membership> pending = new ArrayList<>();
    for (SimNode n : cluster.nodes()) {
      for (AcceptorRecord rec : n.replicas.get(g).acceptor.snapshotRecords()) {
        if (rec instanceof AcceptorRecord.AcceptedValues values) {
          for (Message.Proposal p : values.proposals()) {
            if (p.instance() >= applied) {
              p.value().commands().stream().filter(ClientCommand::membershipChange)
                  .forEach(c -> pending.add(Membership.applyCommand(latest, c).membership()));
            }
          }
        }
      }
    }
    return pending;
  }

  private String report() {
    StringBuilder b = new StringBuilder();
    for (String g : cluster.groups()) {
      b.append(g).append(" voters ").append(membership.latest(g).voters()).append(':');
      for (SimNode n : cluster.nodes()) {
        if (n.up) {
          SimReplica r = n.replicas.get(g);
          b.append(" n").append(n.id).append(r.proposer.isLeader() ? "(leader)" : "")
              .append(r.proposer.isQuiet() ? "(quiet)" : "");
        }
      }
      b.append("; ");
    }
    return b.toString();
  }
}
