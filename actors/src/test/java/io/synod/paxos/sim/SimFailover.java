package io.synod.paxos.sim;

import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Membership;
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
  /** Whether the last pass that found every group led let one go for the membership change pending in it. */
  private boolean exempted;

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
      ctx.tally().failoversExempted += exempted ? 1 : 0;
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
   * A group whose voters may yet change must have a majority up of the voters the change would leave
   * too: without one, no leader can go past it. That is a membership change the acceptor of a node
   * up accepted, at the highest ballot it holds of its instance, past what any learner applied: a new
   * leader that hears of it in phase 1 must propose it again, and it may already be chosen.
   */
  private boolean allLed() {
    boolean exemptedNow = false;
    for (String g : cluster.groups()) {
      Membership m = membership.latest(g);
      boolean led = false;
      for (SimNode n : cluster.nodes()) {
        led |= n.up && n.replicas.get(g).proposer.isLeader();
      }
      if (!led && majorityUp(m)) {
        if (pendingChanges(g, m).stream().allMatch(this::majorityUp)) {
          return false;
        }
        exemptedNow = true;
      }
    }
    exempted = exemptedNow;
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
   * The memberships that the membership changes accepted by the acceptors of the nodes up, each at
   * the highest ballot that acceptor holds of its instance, at or past the furthest learner's applied
   * point, would bring, each applied to {@code latest}.
   */
  private List<Membership> pendingChanges(String g, Membership latest) {
    long applied = cluster.nodes().stream().mapToLong(n -> n.replicas.get(g).learner.nextToApply()).max().orElse(0);
    List<Membership> pending = new ArrayList<>();
    for (SimNode n : cluster.nodes()) {
      if (!n.up) {
        continue;
      }
      // An acceptor holds one value per instance, the one of the highest ballot it accepted there.
      for (AcceptorRecord rec : n.replicas.get(g).acceptor.snapshotRecords()) {
        if (rec instanceof AcceptorRecord.AcceptedValues values) {
          values.proposals().stream().filter(p -> p.instance() >= applied)
              .flatMap(p -> p.value().commands().stream()).filter(ClientCommand::membershipChange)
              .forEach(c -> pending.add(Membership.applyCommand(latest, c).membership()));
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
