package io.synod.samples.bench;

import static io.synod.samples.bench.BenchCluster.HTTP;

import io.synod.samples.NodeProcesses;
import java.util.Locale;

/**
 * Warms a fresh cluster up before anything on it is measured: the nodes' JIT compilers and
 * Artery's connections. It runs 64 in-node clients in steps until two steps in a row agree within
 * {@link #WARM_WITHIN} and the nodes' compilers were busy for at most {@link #JIT_SETTLED} of a
 * step, or until the mode's limit. On two cores the throughput settles after 30 to 60 s of load,
 * but the three nodes' C2 compilers went on taking 0.7 to 0.9 of a core for another 20 to 30 s:
 * the first row measured (one client) ran at half the speed it reached once they were done.
 */
final class ClusterWarmUp {

  /** A warm-up runs in steps of this long, at least {@link #MIN_STEPS} of them. */
  static final double STEP_SECONDS = 5;
  static final int MIN_STEPS = 3;
  /** Two steps in a row whose commits/s differ by at most this fraction agree. */
  static final double WARM_WITHIN = 0.10;
  /** The most of a step's time a node's JIT compilers may have spent compiling, on average, once warm. */
  static final double JIT_SETTLED = 0.05;

  private ClusterWarmUp() {}

  /** Runs the warm-up steps on {@code nodes} until {@link #settled} or {@code maxSeconds} have passed. */
  static void run(NodeProcesses nodes, int groups, Transport transport, double maxSeconds) throws Exception {
    long start = System.nanoTime();
    double last = -1;
    for (int step = 1; ; step++) {
      long compiledBefore = NodeCosts.compileMillis(nodes, HTTP);
      long stepStart = System.nanoTime();
      double rate = InNodeLoad.run(nodes, groups, 64, 100, 0, STEP_SECONDS, 0).perSecond();
      double jit = jitShare(compiledBefore, NodeCosts.compileMillis(nodes, HTTP), nodes.size(),
          (System.nanoTime() - stepStart) / 1e9);
      double elapsed = (System.nanoTime() - start) / 1e9;
      boolean settled = settled(step, last, rate, jit);
      boolean out = !settled && elapsed + STEP_SECONDS > maxSeconds;
      System.out.printf(Locale.ROOT, "BENCH warm-up transport=%s groups=%d step %d: %.0f commits/s, JIT %s%s%n",
          transport.tag(), groups, step, rate, jit < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f%%", jit * 100),
          settled ? " (settled)" : out ? String.format(Locale.ROOT, " (not settled after %.0f s: measuring anyway)",
              elapsed) : "");
      if (settled || out) {
        return;
      }
      last = rate;
    }
  }

  /**
   * The share of {@code seconds} that {@code nodes} nodes' compilers spent compiling on average,
   * from their summed compile times before and after; -1 if either is unknown (-1).
   */
  static double jitShare(long compiledBefore, long compiledAfter, int nodes, double seconds) {
    if (compiledBefore < 0 || compiledAfter < 0 || seconds <= 0) {
      return -1;
    }
    return (compiledAfter - compiledBefore) / (nodes * seconds * 1000);
  }

  /**
   * Whether step {@code step} (from 1) ends the warm-up: at least {@link #MIN_STEPS} steps, its
   * {@code rate} within {@link #WARM_WITHIN} of the step before ({@code last}), and the compilers'
   * share {@code jit} at most {@link #JIT_SETTLED} (an unknown share, -1, does not hold it back).
   */
  static boolean settled(int step, double last, double rate, double jit) {
    return agrees(step, last, rate) && jit <= JIT_SETTLED;
  }

  /**
   * Whether step {@code step} (from 1) of a warm-up, at least the {@link #MIN_STEPS}-th, committed
   * {@code rate} within {@link #WARM_WITHIN} of the step before ({@code last}, -1 for none). The
   * external clients' warm-up ({@link ExternalLoad}) ends on this alone.
   */
  static boolean agrees(int step, double last, double rate) {
    return step >= MIN_STEPS && last > 0 && Math.abs(rate - last) <= WARM_WITHIN * last;
  }
}
