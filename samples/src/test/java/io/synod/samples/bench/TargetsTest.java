package io.synod.samples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** {@link Targets} says of each target met, missed, committed nothing, not ready or not measured, with its ratio. */
class TargetsTest {

  /** 1,000 fsyncs a second of 1 ms; an Artery round trip of 100 µs, a TCP one of 20 µs: the bound is 1,100 µs. */
  private static final Limits.Measure FSYNC = measure("fsync", 1000, 1_000_000);
  private static final Limits.Measure TCP = measure("tcp", 50_000, 20_000);
  private static final Limits.Measure ARTERY = measure("artery", 10_000, 100_000);

  private static Limits.Measure measure(String name, long ops, long nanos) {
    Histogram h = new Histogram(3);
    h.recordValue(nanos);
    return new Limits.Measure(name, ops, 1, h);
  }

  /** A closed loop of {@code perSecond} commits over 2 s at {@code p50Micros}, costing {@code cpuMicros} each. */
  private static Load load(double perSecond, long p50Micros, double cpuMicros) {
    long ops = (long) (perSecond * 2);
    Histogram h = new Histogram(3);
    if (ops > 0) {
      h.recordValue(p50Micros * 1000);
    }
    return new Load(0, ops, 0, 2, h, new NodeCosts.Sample(new NodeCpu.Sample((long) (cpuMicros * 1000 * ops), -1),
        -1, -1));
  }

  private static Row row(Transport t, int groups, int clients, Load closed) {
    return new Row(t, ClientMode.IN_NODE, groups, 100, clients, closed, closed, List.of());
  }

  private static String verdicts(List<Targets.Target> targets) {
    return targets.stream().map(t -> t.id() + " " + t.transport() + " " + t.verdict().text()
        + (Double.isNaN(t.ratio()) ? "" : String.format(java.util.Locale.ROOT, " %.2f", t.ratio())))
        .collect(Collectors.joining("\n"));
  }

  @Test
  void eachTargetIsMetOrMissedWithItsRatio() {
    List<Row> rows = List.of(
        row(Transport.TLS, 1, 512, load(6000, 20_000, 100)),
        row(Transport.TLS, 100, 512, load(4000, 50_000, 110)),
        row(Transport.TLS, 1, 1, load(400, 2000, 5000)),
        row(Transport.PLAIN, 1, 512, load(0, 0, 0)),
        // an external row is no target's
        new Row(Transport.PLAIN, ClientMode.EXTERNAL, 1, 100, 1, load(900, 1000, 1), null, List.of()));
    List<IdleRows.Idle> idles = List.of(
        new IdleRows.Idle(Transport.TLS, 100, 0, List.of(1.0, 1.5, 2.5), 3000, 30, null),
        new IdleRows.Idle(Transport.TLS, 1000, 12, List.of(40.0, 45.0, 50.0), 90000, 30, null),
        new IdleRows.Idle(Transport.PLAIN, 100, 100, List.of(), -1, 0, "a node exited"));
    assertEquals(String.join("\n",
        "a tls met 1.20",
        "a plain committed nothing",
        "b tls missed 0.40",
        "b tls missed 0.67",
        "b tls met 0.92",
        "b plain not measured",
        "b plain committed nothing",
        "b plain committed nothing",
        "c tls missed 1.25",
        "c tls not ready 10.00",
        "c plain not measured",
        "d tls met 0.91",
        "d plain not measured",
        "e - reported 5.00"), verdicts(Targets.evaluate(FSYNC, TCP, ARTERY, rows, idles)));
  }

  @Test
  void theLinesSayTheVerdictAndTheFigures() {
    Targets.Target t = Targets.atLeast("a", Transport.TLS, row(Transport.TLS, 1, 512, load(6000, 1, 1)), "commits/s",
        6000, 5000);
    assertEquals("BENCH-TARGET (a) transport=tls met ratio=1.20: commits/s: 6,000, target ≥ 5,000", t.benchLine());
    assertEquals("- (a) TLS: commits/s: 6,000, target ≥ 5,000: **met** (1.20 × the bound)", t.markdown());
  }
}
