package io.synod.samples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report's costs against one group: each row's closed-loop CPU per commit, context switches a
 * second and bytes allocated per commit, over those of the clients-in-the-nodes 1-group row with
 * the same transport, value size and clients (its base). These change less from run to run than
 * commits/s on a shared machine, so they say better what more groups, or clients outside the
 * nodes, cost.
 */
final class CostComparison {

  private CostComparison() {}

  static List<String> table(List<Row> rows) {
    List<String> t = new ArrayList<>();
    t.add("| transport | clients run | groups | value | clients | CPU µs/commit | × 1 group | context switches/s "
        + "| × 1 group | allocated B/commit | × 1 group |");
    t.add("|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      Row base = base(rows, r);
      boolean isBase = base == r;
      Load l = r.closed();
      Load b = base == null ? null : base.closed();
      t.add(String.format(Locale.ROOT, "| %s | %s | %d | %s | %d | %s | %s | %s | %s | %s | %s |", r.transport().tag(),
          r.mode().tag(), r.groups(), Report.size(r.size()), r.clients(), figure(l.committedNothing() ? -1
              : l.cpuMicrosPerCommit()),
          isBase ? "base" : ratio(l.cpuMicrosPerCommit(), b == null ? -1 : b.cpuMicrosPerCommit(), l, b),
          figure(l.contextSwitchesPerSecond()), isBase ? "base" : ratio(l.contextSwitchesPerSecond(),
              b == null ? -1 : b.contextSwitchesPerSecond(), l, b), figure(l.allocatedBytesPerCommit()),
          isBase ? "base" : ratio(l.allocatedBytesPerCommit(), b == null ? -1 : b.allocatedBytesPerCommit(), l, b)));
    }
    t.add("");
    t.add("Closed loop. Context switches: the three node processes' threads, voluntary and involuntary, a second "
        + "(from /proc/<pid>/task/*/status; threads that ended inside the window are missed). Allocated: the bytes "
        + "the three node JVMs' live threads allocated (ThreadMXBean, read through each node's /bench/process; "
        + "threads that ended are missed, and a window in which some did shows ?). For external rows the figures are "
        + "still the nodes' alone (their HTTP serving included), not the client JVM's. — : unknown, nothing committed, "
        + "or no 1-group row to compare with.");
    return t;
  }

  /** The 1-group, clients-in-the-nodes row with {@code r}'s transport, size and clients, or null. */
  static Row base(List<Row> rows, Row r) {
    return rows.stream().filter(b -> b.mode() == ClientMode.IN_NODE && b.groups() == 1
        && b.transport() == r.transport() && b.size() == r.size() && b.clients() == r.clients()).findFirst()
        .orElse(null);
  }

  /** The figure, or — where unknown (negative). */
  private static String figure(double value) {
    return value < 0 ? "—" : String.format(Locale.ROOT, "%,.0f", value);
  }

  private static String ratio(double value, double base, Load l, Load b) {
    return b == null || l.committedNothing() || b.committedNothing() || value < 0 || base <= 0 ? "—"
        : String.format(Locale.ROOT, "%.2f", value / base);
  }
}
