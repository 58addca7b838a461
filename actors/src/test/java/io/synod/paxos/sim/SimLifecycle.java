package io.synod.paxos.sim;

import io.synod.paxos.Ballot;
import io.synod.paxos.Checkpoint;
import io.synod.paxos.Decision;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Tuning;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The life of each node: start (and restart, recovering its roles from its disk), ticks at its own
 * skewed rate (each also tells the node's membership-change workflows the time, and its proposers
 * the node's wall-clock time, which may be off), crashes that lose
 * its volatile state, and pauses (a long GC, SIGSTOP) during which it handles nothing while inputs
 * queue up; on resuming, its roles first get the ticks they missed, at most {@link #catchUpCap},
 * then the queued inputs.
 */
final class SimLifecycle {

  private final SimContext ctx;
  private final FaultMix mix;
  private final SimShell shell;
  private final SimDisk disk;
  private final SimClients clients;
  private final SimMembership membership;
  private final SimQuorumWatch quorumWatch;

  SimLifecycle(SimContext ctx, SimShell shell, SimDisk disk, SimClients clients, SimMembership membership,
      SimQuorumWatch quorumWatch) {
    this.ctx = ctx;
    this.quorumWatch = quorumWatch;
    this.mix = ctx.mix();
    this.shell = shell;
    this.disk = disk;
    this.clients = clients;
    this.membership = membership;
  }

  /**
   * The most ticks a shell hands its roles at once after a pause: enough for every lease and
   * election deadline to pass, as the actor shell's TickClock caps them.
   */
  static int catchUpCap(GroupConfig config) {
    Tuning t = config.tuning();
    return 2 * Math.max(t.leaseTicks(), t.electionTimeoutTicks() + t.electionJitterTicks());
  }

  /** Starts {@code n}: fresh roles recovered from what its disk holds, and its first tick. */
  void start(SimNode n) {
    SplittableRandom rng = ctx.rng();
    n.up = true;
    int skew = mix.skewPerMille() == 0 ? 0 : rng.nextInt(-mix.skewPerMille(), mix.skewPerMille() + 1);
    n.tickInterval = FaultMix.TICK * 1000 / (1000 + skew);
    long spread = mix.wallClockSpreadMillis();
    n.wallClockOffsetMillis = spread == 0 ? 0 : rng.nextLong(-spread, spread + 1);
    n.paused = false;
    n.missedTicks = 0;
    n.held.clear();
    n.liveness = shell.newLiveness(n);
    for (SimReplica r : n.replicas.values()) {
      r.acceptor = disk.recoverAcceptor(n, r);
      r.storage.restarted();
      r.stateMachine = new SimStateMachine();
      r.learner = ctx.protocol().learner(r.config, r.stateMachine, new SplittableRandom(rng.nextLong()));
      r.proposer = ctx.protocol().proposer(r.config, new SplittableRandom(rng.nextLong()));
      r.reportedPrefix = -1;
      r.wasLeader = false;
      r.quorumLossesTallied = 0;
      r.readIndexServedTallied = 0;
      membership.start(n, r);
      shell.apply(n, r, r.acceptor.onRecovered()); // as the actor shell does once its recovery completes
      if (r.storage.checkpoint != null) {
        shell.apply(n, r, r.learner.install(Checkpoint.decode(r.storage.checkpoint)));
        shell.apply(n, r, r.learner.onCheckpointDurable(r.storage.checkpointInstance));
      }
    }
    int incarnation = n.incarnation;
    ctx.clock().schedule(rng.nextLong(n.tickInterval) + 1, () -> tick(n, incarnation));
  }

  void restart(SimNode n) {
    if (n.up) {
      return;
    }
    ctx.trace().log("restart n" + n.id);
    start(n);
  }

  /** {@code n} crashes: it forgets everything volatile, and its disk loses what was not yet durable. */
  void crash(SimNode n) {
    ctx.trace().log("crash n" + n.id);
    ctx.tally().crashes++;
    n.up = false;
    n.incarnation++;
    n.paused = false;
    n.held.clear();
    n.waiters.clear();
    n.readWaiters.clear();
    for (SimReplica r : n.replicas.values()) {
      disk.crash(n, r);
    }
    membership.crashed(n);
    quorumWatch.crashed(n);
  }

  private void tick(SimNode n, int incarnation) {
    if (!n.runs(incarnation)) {
      return;
    }
    if (n.paused) {
      n.missedTicks++; // the monotonic clock runs on; the shell will notice on resuming
    } else {
      ctx.tally().events++;
      shell.tickLiveness(n); // not in a burst after a pause: the actor shell does not count a stall either
      tickRoles(n);
      quorumWatch.check(n);
    }
    ctx.clock().schedule(n.tickInterval, () -> tick(n, incarnation));
  }

  private void tickRoles(SimNode n) {
    long wallClock = n.wallClockMillis(ctx.clock().now());
    for (SimReplica r : n.replicas.values()) {
      r.proposer.onWallClock(wallClock);
      shell.apply(n, r, r.acceptor.onTick());
      long quiet = r.proposer.ticksUntilDue();
      Ballot ballot = r.proposer.ballot();
      boolean leading = r.proposer.isLeader();
      Decision d = r.proposer.onTick();
      if (quiet > 1 && (!d.isEmpty() || !ballot.equals(r.proposer.ballot()) || leading != r.proposer.isLeader())) {
        // The actor shell sleeps through such ticks and hands them over late: they must only count.
        ctx.checker().raise("the proposer of node " + n.id + " in " + r.group + " said nothing was due for " + quiet
            + " ticks, but its next tick did something: " + d);
      }
      shell.apply(n, r, d);
      shell.apply(n, r, r.learner.onTick());
      membership.tick(n, r);
    }
  }

  /** The ticks missed in a pause, all at once, as the actor shell hands them over: quiet ones only count. */
  private void burstRoles(SimNode n, int ticks) {
    long wallClock = n.wallClockMillis(ctx.clock().now());
    for (SimReplica r : n.replicas.values()) {
      r.proposer.onWallClock(wallClock);
      shell.apply(n, r, r.acceptor.onTicks(ticks));
      r.proposer.onTicks(ticks, d -> shell.apply(n, r, d));
      shell.apply(n, r, r.learner.onTicks(ticks));
      membership.tick(n, r);
    }
  }

  /** {@code n} stops for a while: its clock runs on, its inputs queue up. */
  void pause(SimNode n) {
    ctx.tally().pauses++;
    n.paused = true;
    n.missedTicks = 0;
    long length = FaultMix.TICK + ctx.rng().nextLong(mix.maxPause());
    ctx.trace().log("pause n" + n.id + " for " + length / FaultMix.TICK + " ticks");
    int incarnation = n.incarnation;
    ctx.clock().schedule(length, () -> resume(n, incarnation));
  }

  /**
   * The node's shell wakes up: first each role gets the ticks it missed, capped (or none, in a
   * shell that forgets them); then the applications next to it may read at once, before the
   * backlog of messages that queued up; the backlog follows, in arrival order, after what the node
   * just sent itself. Actors of one node have their own mailboxes, so nothing orders a colocated
   * application's read after messages from peers still waiting in the node gateway's mailbox.
   */
  void resume(SimNode n, int incarnation) {
    if (!n.runs(incarnation) || !n.paused) {
      return;
    }
    n.paused = false;
    n.resumedAt = ctx.clock().now();
    long missed = n.missedTicks;
    n.missedTicks = 0;
    long burst = ctx.protocol().catchesUpTicksAfterPause() ? Math.min(missed, catchUpCap(n.config())) : 0;
    ctx.trace().log("resume n" + n.id + " after " + missed + " missed ticks, catching up " + burst + ", then "
        + n.held.size() + " queued inputs");
    if (burst > 0) {
      ctx.tally().events += burst;
      burstRoles(n, (int) burst);
    }
    if (!ctx.phase().healed()) {
      clients.colocatedReadsAfterResume(n);
    }
    List<Runnable> backlog = new ArrayList<>(n.held);
    n.held.clear();
    for (Runnable action : backlog) {
      ctx.clock().schedule(1, () -> n.whenRunning(incarnation, action));
    }
  }
}
