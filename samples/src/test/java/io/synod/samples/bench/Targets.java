package io.synod.samples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's targets, each met or missed with its ratio (the figure over the target's bound):
 * <ol type="a">
 *   <li>1 group, 512 clients: at least 5 × the disk's fsync/s;
 *   <li>100 groups, 512 clients: at least 10 × fsync/s, at least the 1-group row's commits/s, and
 *       its CPU per commit within 1.2 × the 1-group row's;
 *   <li>idle: 100 groups at most 2% of a core per node, 1,000 groups at most 5% (the busiest node);
 *   <li>1 group, 1 client: p50 at most 2 × (Artery round trip + fsync), their medians;
 *   <li>the Artery round trip against the raw TCP one: reported, no bound.
 * </ol>
 * Each over TLS (the headline: the nodes' default) and over plain TCP alongside; load rows are the
 * clients-in-the-nodes closed loops with 100 B values. A row whose loop committed nothing is
 * "committed nothing", not missed; an idle cluster that did not get every leader is "not ready".
 */
final class Targets {

  enum Verdict {
    MET("met"), MISSED("missed"), COMMITTED_NOTHING("committed nothing"), NOT_READY("not ready"),
    NOT_MEASURED("not measured"), REPORTED("reported");

    private final String text;

    Verdict(String text) {
      this.text = text;
    }

    String text() {
      return text;
    }
  }

  /** One target on one transport ("-" for none): its verdict, the ratio of the figure to the bound (NaN if none). */
  record Target(String id, String transport, Verdict verdict, double ratio, String text) {
    String benchLine() {
      return String.format(Locale.ROOT, "BENCH-TARGET (%s) transport=%s %s%s: %s", id, transport,
          verdict.text().replace(' ', '-'), Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, " ratio=%.2f", ratio),
          text);
    }

    String markdown() {
      String where = transport.equals("-") ? "both" : transport.equals("tls") ? "TLS" : "plain TCP";
      String figure = Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, verdict == Verdict.REPORTED
          ? " (ratio %.2f)" : " (%.2f × the bound)", ratio);
      return String.format(Locale.ROOT, "- (%s) %s: %s: **%s**%s", id, where, text, verdict.text(), figure);
    }
  }

  /** The idle bounds, % of one core on the busiest node, by number of groups. */
  static final Map<Integer, Double> IDLE_BOUNDS = Map.of(100, 2.0, 1000, 5.0);
  private static final int SIZE = 100;

  private Targets() {}

  static List<Target> evaluate(Limits.Measure fsync, Limits.Measure tcp, Limits.Measure artery, List<Row> rows,
      List<IdleRows.Idle> idles) {
    List<Target> out = new ArrayList<>();
    double bound = artery.p50Micros() + fsync.p50Micros();
    for (Transport t : Transport.values()) {
      Row one = find(rows, t, 1, 512);
      out.add(atLeast("a", t, one, "1 group × 512 clients: commits/s against 5 × the disk's fsync/s",
          one == null ? 0 : one.closed().perSecond(), 5 * fsync.perSecond()));
    }
    for (Transport t : Transport.values()) {
      Row many = find(rows, t, 100, 512);
      Row one = find(rows, t, 1, 512);
      out.add(atLeast("b", t, many, "100 groups × 512 clients: commits/s against 10 × the disk's fsync/s",
          many == null ? 0 : many.closed().perSecond(), 10 * fsync.perSecond()));
      out.add(one == null || one.closed().committedNothing() ? unmeasured("b", t, one, "100 groups × 512 clients "
          + "against the 1-group × 512 row") : atLeast("b", t, many, "100 groups × 512 clients: commits/s against the "
          + "1-group × 512 row's", many == null ? 0 : many.closed().perSecond(), one.closed().perSecond()));
      out.add(one == null || one.closed().committedNothing() ? unmeasured("b", t, one, "100 groups × 512 clients: "
          + "CPU per commit against 1.2 × the 1-group row's") : atMost("b", t, many, "100 groups × 512 clients: CPU "
          + "µs per commit against 1.2 × the 1-group × 512 row's", many == null ? 0 : many.closed()
          .cpuMicrosPerCommit(), 1.2 * one.closed().cpuMicrosPerCommit()));
    }
    for (IdleRows.Idle idle : idles) {
      Double limit = IDLE_BOUNDS.get(idle.groups());
      if (limit != null) {
        out.add(idle(idle, limit));
      }
    }
    for (Transport t : Transport.values()) {
      Row single = find(rows, t, 1, 1);
      out.add(atMost("d", t, single, "1 group × 1 client: p50 µs against 2 × (Artery round trip + fsync)",
          single == null ? 0 : single.closed().micros(50), 2 * bound));
    }
    out.add(new Target("e", "-", Verdict.REPORTED, artery.p50Micros() / tcp.p50Micros(), String.format(Locale.ROOT,
        "Artery round trip p50 %.1f µs against the TCP round trip p50 %.1f µs (loopback, plain TCP)",
        artery.p50Micros(), tcp.p50Micros())));
    return out;
  }

  /** The in-node row of {@code groups} groups and {@code clients} clients with 100 B values over {@code t}, or null. */
  static Row find(List<Row> rows, Transport t, int groups, int clients) {
    return rows.stream().filter(r -> r.transport() == t && r.mode() == ClientMode.IN_NODE && r.groups() == groups
        && r.size() == SIZE && r.clients() == clients).findFirst().orElse(null);
  }

  static Target atLeast(String id, Transport t, Row row, String what, double value, double bound) {
    return bounded(id, t, row, what, value, bound, value >= bound, "≥");
  }

  static Target atMost(String id, Transport t, Row row, String what, double value, double bound) {
    return bounded(id, t, row, what, value, bound, value <= bound, "≤");
  }

  private static Target bounded(String id, Transport t, Row row, String what, double value, double bound, boolean met,
      String op) {
    if (row == null || row.closed().committedNothing()) {
      return unmeasured(id, t, row, what);
    }
    return new Target(id, t.tag(), met ? Verdict.MET : Verdict.MISSED, value / bound, String.format(Locale.ROOT,
        "%s: %,.0f, target %s %,.0f", what, value, op, bound));
  }

  /** A target whose row is missing, or committed nothing. */
  private static Target unmeasured(String id, Transport t, Row row, String what) {
    return new Target(id, t.tag(), row == null ? Verdict.NOT_MEASURED : Verdict.COMMITTED_NOTHING, Double.NaN,
        row == null ? what : what + " (" + row.key() + ")");
  }

  private static Target idle(IdleRows.Idle idle, double limit) {
    String what = String.format(Locale.ROOT, "idle, %,d groups: the busiest node's CPU, %% of a core", idle.groups());
    if (!idle.measured()) {
      return new Target("c", idle.transport().tag(), Verdict.NOT_MEASURED, Double.NaN, what + " (" + idle.failure()
          + ")");
    }
    String figures = String.format(Locale.ROOT, "%s: %.1f%% (nodes %s), target ≤ %.0f%%", what, idle.worstCpu(),
        String.join(", ", idle.cpuPercent().stream().map(c -> String.format(Locale.ROOT, "%.1f%%", c)).toList()), limit);
    if (idle.notReady() > 0) {
      return new Target("c", idle.transport().tag(), Verdict.NOT_READY, idle.worstCpu() / limit, figures + "; "
          + idle.notReady() + " groups still without a leader on some node when measured");
    }
    return new Target("c", idle.transport().tag(), idle.worstCpu() <= limit ? Verdict.MET : Verdict.MISSED,
        idle.worstCpu() / limit, figures);
  }
}
