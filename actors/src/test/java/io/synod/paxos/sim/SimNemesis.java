package io.synod.paxos.sim;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The nemesis: once every nominal tick of the fault phase it draws, per the fault mix, which
 * faults to inject (crashes with a later restart, partitions, pauses, slow disks, leadership
 * handovers, an operator's membership changes); at the end of the fault phase it heals everything, restarting
 * every node that is down and resuming every node that is paused.
 */
final class SimNemesis {

  private final SimContext ctx;
  private final FaultMix mix;
  private final SimCluster cluster;
  private final SimNetwork network;
  private final SimLifecycle lifecycle;
  private final SimShell shell;
  private final SimOperator operator;
  private final SimClients clients;
  /** True while a partition is in force: one at a time. */
  private boolean partitioned;

  SimNemesis(SimContext ctx, SimCluster cluster, SimNetwork network, SimLifecycle lifecycle, SimShell shell,
      SimOperator operator, SimClients clients) {
    this.ctx = ctx;
    this.mix = ctx.mix();
    this.cluster = cluster;
    this.network = network;
    this.lifecycle = lifecycle;
    this.shell = shell;
    this.operator = operator;
    this.clients = clients;
  }

  void start() {
    ctx.clock().schedule(FaultMix.TICK, this::onFaultTick);
  }

  private void onFaultTick() {
    if (ctx.phase().healed()) {
      return;
    }
    SplittableRandom rng = ctx.rng();
    if (rng.nextDouble() < mix.crashPerTick()) {
      crashSomeNode();
    }
    if (!partitioned && rng.nextDouble() < mix.partitionPerTick()) {
      partition();
    }
    if (mix.pausePerTick() > 0 && rng.nextDouble() < mix.pausePerTick()) {
      pauseSomeNode();
    }
    if (rng.nextDouble() < mix.slowDiskPerTick()) {
      SimNode n = randomNode();
      n.slowDisk = !n.slowDisk;
    }
    // Drawn only when handovers are in the mix, so the other seeds keep the faults they had.
    if (mix.transferPerTick() > 0 && rng.nextDouble() < mix.transferPerTick()) {
      askForHandover(randomGroup());
    }
    if (mix.membershipPerTick() > 0 && rng.nextDouble() < mix.membershipPerTick()) {
      operator.ask(randomGroup());
    }
    ctx.clock().schedule(FaultMix.TICK, this::onFaultTick);
  }

  private SimNode randomNode() {
    return cluster.node(ctx.rng().nextInt(cluster.size()));
  }

  private String randomGroup() {
    List<String> groups = cluster.groups();
    return groups.get(ctx.rng().nextInt(groups.size()));
  }

  private void crashSomeNode() {
    SimNode n = randomNode();
    if (n.up) {
      lifecycle.crash(n);
      ctx.clock().schedule(FaultMix.TICK + ctx.rng().nextLong(mix.maxDowntime()), () -> onDowntimeOver(n));
    }
  }

  /** Healing restarts every node itself. */
  private void onDowntimeOver(SimNode n) {
    if (!ctx.phase().healed()) {
      lifecycle.restart(n);
    }
  }

  /** Pauses a group's leader (with the mix's share) or any node, unless it is down or paused already. */
  private void pauseSomeNode() {
    SimNode n = ctx.rng().nextDouble() < mix.pauseLeaderShare() ? cluster.leaderOf(randomGroup()) : null;
    if (n == null) {
      n = randomNode();
    }
    if (n.up && !n.paused) {
      lifecycle.pause(n);
    }
  }

  /** An operator asks the leader of {@code group} to hand leadership to a voter picked at random. */
  private void askForHandover(String group) {
    SimNode leader = cluster.leaderOf(group);
    if (leader != null && !leader.paused) {
      SimReplica r = leader.replicas.get(group);
      List<Integer> members = r.proposer.membership().voters();
      int to = members.get(ctx.rng().nextInt(members.size()));
      if (to != leader.id) {
        ctx.tally().transfers++;
        ctx.trace().log("n" + leader.id + " " + group + " is asked to hand leadership to n" + to);
        shell.apply(leader, r, r.proposer.transferLeadership(to));
      }
    }
  }

  private void partition() {
    partitioned = true;
    ctx.tally().partitions++;
    SplittableRandom rng = ctx.rng();
    int n = cluster.size();
    switch (rng.nextInt(3)) {
      case 0 -> { // symmetric: a minority is cut off from the rest
        Set<Integer> side = new HashSet<>();
        int size = 1 + rng.nextInt(n / 2);
        while (side.size() < size) {
          side.add(rng.nextInt(n));
        }
        for (int a = 0; a < n; a++) {
          for (int b = 0; b < n; b++) {
            if (side.contains(a) != side.contains(b)) {
              network.cut(a, b);
            }
          }
        }
        ctx.trace().log("partition " + side + " | rest");
      }
      case 1 -> { // one-way links
        int links = 1 + rng.nextInt(n);
        for (int i = 0; i < links; i++) {
          int a = rng.nextInt(n);
          int b = rng.nextInt(n);
          if (a != b) {
            network.cut(a, b);
          }
        }
        ctx.trace().log("one-way partition");
      }
      default -> { // the leader of a group is isolated
        String g = randomGroup();
        int leader = rng.nextInt(n);
        for (SimNode node : cluster.nodes()) {
          if (node.up && node.replicas.get(g).proposer.isLeader()) {
            leader = node.id;
          }
        }
        for (int b = 0; b < n; b++) {
          if (b != leader) {
            network.cut(leader, b);
            network.cut(b, leader);
          }
        }
        ctx.trace().log("leader n" + leader + " of " + g + " isolated");
      }
    }
    ctx.clock().schedule(FaultMix.TICK + rng.nextLong(mix.maxPartition()), this::onPartitionOver);
  }

  private void onPartitionOver() {
    network.reconnectAll();
    partitioned = false;
    ctx.trace().log("partition healed");
  }

  /** The end of the fault phase: every link, disk and node is made whole, and waiting clients try again. */
  void heal() {
    ctx.phase().heal(ctx.clock().now());
    network.reconnectAll();
    ctx.trace().log("heal");
    for (SimNode n : cluster.nodes()) {
      n.slowDisk = false;
      lifecycle.resume(n, n.incarnation);
      lifecycle.restart(n);
    }
    clients.retryWaiting();
  }
}
