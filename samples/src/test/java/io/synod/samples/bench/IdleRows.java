package io.synod.samples.bench;

import io.synod.samples.NodeProcesses;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The idle rows: what a cluster costs when nobody uses it. For each number of groups, three fresh
 * nodes with no load: wait until every node sees a leader of every group (polling {@code /status}
 * once a second, up to a deadline), let them settle (the JIT compilers keep working for up to a
 * minute after a start), then read each node's CPU time ({@link ProcFiles}) and the nodes' context
 * switches at the start and the end of a window. Prints {@code BENCH-IDLE transport=tls groups=100
 * cpu=1.2%,0.9%,1.0% ctxsw=3100/s} (CPU as a share of one core, per node); a cluster that did
 * not get every leader by the deadline is measured all the same, without the settling, and its
 * line ends {@code not-ready=<groups without a leader somewhere>}, after a {@code
 * BENCH-IDLE-STATUS} line per node saying what it saw at the deadline ({@link NodeStatus#summary}).
 * A cluster that fails is left out with a {@code BENCH-IDLE ... failed:} line.
 */
final class IdleRows {

  /**
   * Which idle clusters to run and for how long: the deadline to get every leader, the settling
   * after it, and the measured window, seconds.
   */
  record Plan(List<Integer> groups, List<Transport> transports, double readySeconds, double settleSeconds,
      double seconds) {}

  /**
   * One idle cluster: how many groups were not ready, each node's CPU (% of one core), the nodes'
   * context switches a second in all, over {@code seconds}; {@code failure} if it was not measured.
   */
  record Idle(Transport transport, int groups, int notReady, List<Double> cpuPercent,
      double contextSwitchesPerSecond, double seconds, String failure) {

    Idle {
      cpuPercent = List.copyOf(cpuPercent);
    }

    boolean measured() {
      return failure == null;
    }

    /** The busiest node's CPU, % of one core. */
    double worstCpu() {
      return cpuPercent.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    String benchLine() {
      String head = String.format(Locale.ROOT, "BENCH-IDLE transport=%s groups=%d", transport.tag(), groups);
      if (!measured()) {
        return head + " failed: " + failure;
      }
      return head + String.format(Locale.ROOT, " cpu=%s ctxsw=%s/s", String.join(",", cpuPercent.stream()
          .map(c -> String.format(Locale.ROOT, "%.1f%%", c)).toList()), contextSwitchesPerSecond < 0 ? "?"
          : String.format(Locale.ROOT, "%.0f", contextSwitchesPerSecond)) + (notReady > 0 ? " not-ready=" + notReady
          : "");
    }
  }

  private IdleRows() {}

  static List<Idle> measure(Plan plan, String extra) {
    List<Idle> idles = new ArrayList<>();
    for (Transport transport : plan.transports()) {
      for (int groups : plan.groups()) {
        Idle idle = measure(plan, extra, transport, groups);
        System.out.println(idle.benchLine());
        idles.add(idle);
      }
    }
    return idles;
  }

  private static Idle measure(Plan plan, String extra, Transport transport, int groups) {
    Path dir = BenchCluster.OUT.resolve("idle-" + groups + "-" + transport.tag());
    try (NodeProcesses nodes = BenchCluster.start(dir, groups, transport, extra, false)) {
      long deadline = System.nanoTime() + (long) (plan.readySeconds() * 1e9);
      List<NodeStatus> views = BenchCluster.pollReady(nodes, transport, groups, deadline);
      int notReady = NodeStatus.notReady(views, groups);
      if (notReady == 0) {
        InNodeLoad.sleepUntil(System.nanoTime() + (long) (plan.settleSeconds() * 1e9));
      } else {
        // What every node saw at the deadline, so that a cluster that never got ready is diagnosable.
        views.forEach(v -> System.out.println("BENCH-IDLE-STATUS transport=" + transport.tag() + " groups=" + groups
            + " " + v.summary(List.of())));
      }
      return window(nodes, transport, groups, notReady, plan.seconds());
    } catch (Exception | AssertionError e) {
      return new Idle(transport, groups, groups, List.of(), -1, 0, e + " (node logs in " + dir.resolve("logs") + ")");
    }
  }

  /** Each node's CPU and the nodes' context switches over {@code seconds} of nothing. */
  private static Idle window(NodeProcesses nodes, Transport transport, int groups, int notReady, double seconds) {
    long[] ticks = new long[nodes.size()];
    for (int n = 1; n <= nodes.size(); n++) {
      ticks[n - 1] = ProcFiles.cpuTicks(nodes.handle(n).pid());
    }
    long switches = NodeCosts.contextSwitches(nodes);
    long start = System.nanoTime();
    InNodeLoad.sleepUntil(start + (long) (seconds * 1e9));
    double elapsed = (System.nanoTime() - start) / 1e9;
    List<Double> cpu = new ArrayList<>();
    for (int n = 1; n <= nodes.size(); n++) {
      long now = ProcFiles.cpuTicks(nodes.handle(n).pid());
      if (now < 0 || ticks[n - 1] < 0) {
        throw new IllegalStateException("node " + n + "'s CPU time cannot be read from /proc: is it still running?");
      }
      cpu.add(100.0 * (now - ticks[n - 1]) * ProcFiles.NANOS_PER_TICK / 1e9 / elapsed);
    }
    long after = NodeCosts.contextSwitches(nodes);
    double perSecond = switches < 0 || after < 0 ? -1 : Math.max(0, after - switches) / elapsed;
    return new Idle(transport, groups, notReady, cpu, perSecond, elapsed, null);
  }
}
