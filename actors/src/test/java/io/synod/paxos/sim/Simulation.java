package io.synod.paxos.sim;

import io.synod.paxos.Decision;
import io.synod.paxos.sim.SimNetwork.Envelope;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One deterministic, single-threaded run of a whole cluster: {@code nodes} nodes, each hosting the
 * real core roles of every group, driven by virtual time from one seed. The seed decides the fault
 * mix ({@link FaultMix}) and every random choice after it, so a run replays exactly.
 *
 * <p>Faults: message loss, duplication, delay and reordering, value corruption in transit,
 * symmetric, one-way and leader-isolating partitions ({@link SimNetwork}), crashes that lose every
 * write not yet durable (a random prefix of unsynced writes may survive; the write after it is
 * torn and dropped), slow disks ({@link SimDisk}), tick-rate skew within the bound the lease
 * assumes, and pauses: a paused node (a long GC, SIGSTOP) handles nothing while messages to it
 * queue up; on resuming, its roles first get the ticks they missed, at most {@link
 * SimLifecycle#catchUpCap}, then the queued inputs ({@link SimLifecycle}); leadership handovers;
 * an operator asking random nodes for membership changes ({@link SimOperator}), which each node's
 * membership-change workflow carries out ({@link SimMembership}). The {@link SimNemesis} injects
 * them; after the fault phase everything heals and every client operation ({@link SimClients}),
 * and every membership change under way, must complete within {@link SimLiveness#LIVENESS_TICKS}
 * nominal ticks. Then, with the groups idle and quiet, the leader of the first group crashes and
 * every group must have a leader again within {@link SimFailover#FAILOVER_TICKS}.
 *
 * <p>This class is the conductor: it wires the rooms, each doing one job, and runs the event loop,
 * healing when the fault phase ends and stopping at the first violation or once liveness is
 * reached (or overdue) and the failover check is done.
 */
final class Simulation {

  record Result(long seed, String protocol, String violation, Counters counters, long virtualTicks) {}

  private final long seed;
  private final SimContext ctx;
  private final SimCluster cluster;
  private final SimMembership membership;
  private final SimShell shell;
  private final SimClients clients;
  private final SimLifecycle lifecycle;
  private final SimNemesis nemesis;
  private final SimLiveness liveness;
  private final SimFailover failover;
  private final SimQuorumWatch quorumWatch;

  Simulation(long seed, SimProtocol protocol, Consumer<String> trace) {
    this(seed, FaultMix.draw(seed), protocol, trace);
  }

  Simulation(long seed, FaultMix mix, SimProtocol protocol, Consumer<String> trace) {
    this.seed = seed;
    SimClock clock = new SimClock();
    this.ctx = new SimContext(mix, protocol, new SplittableRandom(seed), clock, new SimTrace(clock, trace),
        new Checker(), new SimTally(), new SimPhase());
    this.cluster = new SimCluster(mix);
    SimNetwork network = new SimNetwork(ctx, cluster, this::arrive, this::answer);
    SimDisk disk = new SimDisk(ctx, network);
    this.membership = new SimMembership(ctx, cluster, this::decide);
    this.shell = new SimShell(ctx, network, disk, membership);
    this.clients = new SimClients(ctx, cluster, network, shell);
    this.quorumWatch = new SimQuorumWatch(ctx, membership);
    this.lifecycle = new SimLifecycle(ctx, shell, disk, clients, membership, quorumWatch);
    SimOperator operator = new SimOperator(ctx, cluster, membership);
    this.nemesis = new SimNemesis(ctx, cluster, network, lifecycle, shell, operator, clients);
    this.liveness = new SimLiveness(ctx, cluster, clients, membership);
    this.failover = new SimFailover(ctx, cluster, lifecycle, membership);
  }

  FaultMix mix() {
    return ctx.mix();
  }

  Result run() {
    Checker checker = ctx.checker();
    SimClock clock = ctx.clock();
    for (SimNode n : cluster.nodes()) {
      lifecycle.start(n);
    }
    clients.start();
    nemesis.start();
    boolean live = false;
    while (!clock.idle() && checker.violation() == null) {
      Runnable next = clock.advance();
      if (!ctx.phase().healed() && clock.now() >= ctx.mix().faultPhase()) {
        nemesis.heal();
      }
      if (ctx.phase().healed() && !live && (liveness.reached() || liveness.overdue())) {
        live = true;
        if (checker.violation() != null) {
          break;
        }
      }
      if (live && failover.done()) {
        break;
      }
      next.run();
    }
    if (checker.violation() == null) {
      reportFinalState();
    }
    Counters counters = ctx.tally().counters(checker, membership.checker(), membership.epochs());
    return new Result(seed, ctx.protocol().name(), checker.violation(), counters, clock.now() / FaultMix.TICK);
  }

  /** Tells the checker how far each current member of each group applied. */
  private void reportFinalState() {
    for (SimNode n : cluster.nodes()) {
      for (SimReplica r : n.replicas.values()) {
        if (n.up && membership.latest(r.group).includes(n.id)) { // the failover check's crashed node is not
          ctx.checker().finalState(r.group, n.id, r.learner.nextToApply());
        }
      }
    }
  }

  // The rooms call one another through these, as the network and the membership room are made
  // before the shell and the clients they reach.

  private void arrive(SimNode n, Envelope e) {
    quorumWatch.heard(n.id, e.from());
    shell.handle(n, e);
  }

  private void answer(int client, Object payload) {
    clients.receive(client, payload);
  }

  private void decide(SimNode n, SimReplica r, Decision d) {
    shell.apply(n, r, d);
  }
}
