package io.synod.samples.bench;

import org.HdrHistogram.Histogram;

/**
 * One measurement of a cluster: its commits, their latency (ns), the commands that failed, and
 * what the node processes (and the rest of the machine) spent over the measured window. {@code
 * rate} is the open loop's schedule, commands a second, 0 for a closed loop.
 */
record Load(double rate, long ops, long errors, double seconds, Histogram latency, NodeCosts.Sample costs) {

  double perSecond() {
    return ops / seconds;
  }

  /** Nothing was answered inside the measured window. */
  boolean committedNothing() {
    return ops == 0;
  }

  /** The nodes' CPU time per commit, µs (0 without commits). */
  double cpuMicrosPerCommit() {
    return ops == 0 ? 0 : costs.cpu().nodes() / 1000.0 / ops;
  }

  /** How many cores, on average, the rest of the machine kept busy meanwhile; -1 if unknown. */
  double otherCores() {
    return costs.cpu().others() < 0 ? -1 : costs.cpu().others() / 1e9 / seconds;
  }

  /** The nodes' context switches a second, summed; -1 if unknown. */
  double contextSwitchesPerSecond() {
    return costs.contextSwitches() < 0 ? -1 : costs.contextSwitches() / seconds;
  }

  /** The bytes the nodes allocated per commit; -1 if unknown or nothing was committed. */
  double allocatedBytesPerCommit() {
    return ops == 0 || costs.allocatedBytes() < 0 ? -1 : (double) costs.allocatedBytes() / ops;
  }

  long micros(double percentile) {
    return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000;
  }
}
