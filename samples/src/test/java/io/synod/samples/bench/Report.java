package io.synod.samples.bench;

import io.synod.samples.bench.Benchmark.Load;
import io.synod.samples.bench.Benchmark.Row;
import io.synod.samples.bench.Benchmark.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The benchmark's output: a console table, {@code report.md} (limits, every row with its ratios
 * to the limits and its CPU per commit, TLS against plain TCP row by row, the targets, the plots,
 * the top costs of the heaviest row from its Flight Recorder recording), {@code report.csv}, and
 * two plots drawn with XChart.
 */
final class Report {

  private final Benchmark.Mode mode;
  private final String extraConfig;
  private final Limits.Measure fsync;
  private final Limits.Measure tcp;
  private final Limits.Measure artery;
  private final List<Row> rows;
  private final List<String> failures;
  private final Path jfr;
  /** When the heaviest row's closed loop ran: only the recording's samples within it count. */
  private final java.time.Instant[] jfrWindow;

  Report(Benchmark.Mode mode, String extraConfig, List<Limits.Measure> limits, List<Row> rows, List<String> failures,
      Path jfr, java.time.Instant[] jfrWindow) {
    this.failures = failures;
    this.mode = mode;
    this.extraConfig = extraConfig;
    this.fsync = limits.get(0);
    this.tcp = limits.get(1);
    this.artery = limits.get(2);
    // By transport (TLS first), then groups, size and clients.
    this.rows = rows.stream().sorted(Comparator.comparing(Row::transport).thenComparingInt(Row::groups)
        .thenComparingInt(Row::size).thenComparingInt(Row::clients)).toList();
    this.jfr = jfr;
    this.jfrWindow = jfrWindow;
  }

  /** Commits per second per fsync per second of the disk: above 1, several commits share an fsync. */
  private double perFsync(Load l) {
    return l.perSecond() / fsync.perSecond();
  }

  /** The unloaded bound of one commit: one Artery round trip and one fsync (their medians), µs. */
  private double bound() {
    return artery.p50Micros() + fsync.p50Micros();
  }

  private static String micros(Load l, double percentile) {
    return l.ops() == 0 ? "—" : String.format(Locale.ROOT, "%,d", l.micros(percentile));
  }

  private static String cpu(Load l) {
    return l.ops() == 0 ? "—" : String.format(Locale.ROOT, "%,.0f", l.cpuMicrosPerCommit());
  }

  private static String others(Load l) {
    return l.otherCores() < 0 ? "?" : String.format(Locale.ROOT, "%.2f", l.otherCores());
  }

  private static String size(int bytes) {
    return bytes >= 1024 ? bytes / 1024 + " KB" : bytes + " B";
  }

  private List<String> table() {
    List<String> t = new ArrayList<>();
    t.add("| transport | groups | value | clients | closed loop commits/s | p50 µs | p99 µs | CPU µs/commit "
        + "| others, cores | commits/s per fsync/s | open loop at half: commits/s | p50 µs | p90 µs | p99 µs "
        + "| p99.9 µs | CPU µs/commit | others, cores | p50 / (RTT + fsync) | failed |");
    t.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      Load c = r.closed();
      Load o = r.open();
      t.add(String.format(Locale.ROOT,
          "| %s | %d | %s | %d | %,.0f | %s | %s | %s | %s | %.2f | %,.0f | %s | %s | %s | %s | %s | %s | %s | %d |",
          r.transport().tag(), r.groups(), size(r.size()), r.clients(), c.perSecond(), micros(c, 50), micros(c, 99),
          cpu(c), others(c), perFsync(c), o.perSecond(), micros(o, 50), micros(o, 90), micros(o, 99), micros(o, 99.9),
          cpu(o), others(o), o.ops() == 0 ? "—" : String.format(Locale.ROOT, "%.1f", o.micros(50) / bound()),
          c.errors() + o.errors()));
    }
    t.add("");
    t.add("— : no command was answered inside the measured window (all took longer, or failed after it). CPU "
        + "µs/commit: the user and system time of the three node processes over the measured window (the clients, "
        + "which run inside the nodes, included), divided by the commits of the window. Others: the cores the rest "
        + "of the machine kept busy meanwhile, on average (other processes, the benchmark's own JVM, the "
        + "hypervisor's steal; from /proc/stat): well above 0, the nodes did not have the machine to themselves.");
    return t;
  }

  private List<String> limitsTable() {
    List<String> t = new ArrayList<>();
    t.add("| limit | per second | p50 µs | p99 µs |");
    t.add("|---|---|---|---|");
    for (Limits.Measure m : List.of(fsync, tcp, artery)) {
      t.add(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.1f |", m.name(), m.perSecond(), m.p50Micros(),
          m.latency().getValueAtPercentile(99) / 1000.0));
    }
    return t;
  }

  private Row find(Transport transport, int groups, int size, int clients) {
    return rows.stream().filter(r -> r.transport() == transport && r.groups() == groups && r.size() == size
        && r.clients() == clients).findFirst().orElse(null);
  }

  /** TLS over plain, or "—" when either is missing or plain is 0. */
  private static String ratio(double tls, double plain, boolean measured) {
    return !measured || plain == 0 ? "—" : String.format(Locale.ROOT, "%.2f", tls / plain);
  }

  /**
   * Each (groups, size, clients) measured over both transports, closed loop: the same number of
   * clients on each, so throughput, latency and CPU compare at the same concurrency (the open
   * loops ran at half of each one's own rate, so their latencies are not at the same load).
   */
  private List<String> comparison() {
    List<String> t = new ArrayList<>();
    t.add("| groups | value | clients | TLS commits/s | plain commits/s | TLS / plain | TLS p50 µs | plain p50 µs "
        + "| TLS / plain | TLS p99 µs | plain p99 µs | TLS / plain | TLS CPU µs/commit | plain CPU µs/commit "
        + "| TLS / plain | others, cores: TLS / plain |");
    t.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row tls : rows) {
      Row plain = tls.transport() == Transport.TLS ? find(Transport.PLAIN, tls.groups(), tls.size(), tls.clients())
          : null;
      if (plain == null) {
        continue;
      }
      Load a = tls.closed();
      Load b = plain.closed();
      boolean both = a.ops() > 0 && b.ops() > 0;
      t.add(String.format(Locale.ROOT, "| %d | %s | %d | %,.0f | %,.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s "
          + "| %s | %s / %s |", tls.groups(), size(tls.size()), tls.clients(), a.perSecond(), b.perSecond(),
          ratio(a.perSecond(), b.perSecond(), true), micros(a, 50), micros(b, 50),
          ratio(a.micros(50), b.micros(50), both), micros(a, 99), micros(b, 99), ratio(a.micros(99), b.micros(99), both),
          cpu(a), cpu(b), ratio(a.cpuMicrosPerCommit(), b.cpuMicrosPerCommit(), both), others(a), others(b)));
    }
    return t;
  }

  private List<String> targets() {
    List<String> t = new ArrayList<>();
    Row one = find(Transport.TLS, 1, 100, 1);
    if (one != null) {
      long p50 = one.closed().micros(50);
      t.add(String.format(Locale.ROOT, "- 1 group, 1 client, 100 B: p50 %,d µs against 2 × (Artery round trip + "
          + "fsync) = %,.0f µs: **%s** (%.1f × the bound)", p50, 2 * bound(), p50 <= 2 * bound() ? "met" : "missed",
          p50 / (2 * bound())));
    }
    Row many = find(Transport.TLS, 100, 100, 512);
    if (many != null) {
      t.add(String.format(Locale.ROOT, "- 100 groups, 512 clients, 100 B: %,.0f commits/s against 10 × the fsync "
          + "rate = %,.0f: **%s** (%.2f × the fsync rate)", many.closed().perSecond(), 10 * fsync.perSecond(),
          perFsync(many.closed()) >= 10 ? "met" : "missed", perFsync(many.closed())));
    }
    Row single = find(Transport.TLS, 1, 100, 512);
    if (single != null) {
      t.add(String.format(Locale.ROOT, "- 1 group, 512 clients, 100 B: %,.0f commits/s against 5 × the fsync rate = "
          + "%,.0f: **%s** (%.2f × the fsync rate)", single.closed().perSecond(), 5 * fsync.perSecond(),
          perFsync(single.closed()) >= 5 ? "met" : "missed", perFsync(single.closed())));
    }
    return t;
  }

  void print() {
    System.out.println();
    limitsTable().forEach(System.out::println);
    System.out.println();
    table().forEach(System.out::println);
    System.out.println();
    System.out.println("TLS against plain TCP (closed loop):");
    comparison().forEach(System.out::println);
    System.out.println();
    targets().forEach(System.out::println);
    failures.forEach(f -> System.out.println("not measured: " + f));
  }

  void write(Path dir) throws IOException {
    List<String> plots = plots(dir);
    List<String> md = new ArrayList<>();
    md.add("# Synod benchmark (" + mode.name() + ")");
    md.add("");
    md.add(String.format(Locale.ROOT, "%s; %d cores; Java %s; %s. Three node processes on 127.0.0.1, fsync on, "
        + "each with its own journal on the same disk. Clients run inside the node that leads their group (client i "
        + "proposes to group i mod groups), each its own session; latency is measured at the client. Closed loop: "
        + "each client sends its next command when the last is answered. Open loop: commands at a fixed rate, half "
        + "the closed loop's, latency counted from each command's scheduled time (no coordinated omission). %.0f s "
        + "warm-up, %.0f s measured per run. Every number of groups ran twice, one cluster right after the other: "
        + "over mutual TLS between the nodes, each with its own certificate (the default), and over plain TCP (the "
        + "same configuration with `synod.cluster.insecure = on`), every row on each.", Instant.now(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        mode.warmup(), mode.seconds()));
    md.add("");
    md.add(extraConfig.isBlank() ? "Default settings." : "Settings laid over the defaults: `" + extraConfig + "`.");
    md.add("");
    md.add("## This machine's limits");
    md.add("");
    md.addAll(limitsTable());
    md.add("");
    md.add("## Results");
    md.add("");
    md.add(String.format(Locale.ROOT, "Ratios: commits/s per fsync/s of the disk (%.0f/s); open-loop p50 over one "
        + "Artery round trip plus one fsync (%.0f µs).", fsync.perSecond(), bound()));
    md.add("");
    md.addAll(table());
    md.add("");
    md.add("## TLS against plain TCP");
    md.add("");
    md.add("Measured side by side in one session on this machine: for each number of groups, the TLS cluster and "
        + "then the plain one, each started fresh and warmed up alike, every row on both. Closed loop (the same "
        + "number of clients on both, so the same concurrency). TLS / plain is TLS's figure over plain's: what "
        + "TLS costs shows as a ratio below 1 in commits/s and above 1 in latency and CPU. Figures on a shared "
        + "machine vary from run to run, by up to half on the 2-core machine the README quotes: a ratio near 1 is "
        + "within that noise, and a pair whose 'others' differ (one of the two measured while something else kept "
        + "the machine busy) says more about the machine than about TLS.");
    md.add("");
    md.addAll(comparison());
    md.add("");
    if (!failures.isEmpty()) {
      md.add("Rows not measured, because the cluster failed (a node died or stopped answering):");
      md.add("");
      failures.forEach(f -> md.add("- " + f));
      md.add("");
    }
    md.add("## Targets");
    md.add("");
    md.add("Over TLS, the nodes' default.");
    md.add("");
    md.addAll(targets());
    md.add("");
    md.add("## Plots");
    md.add("");
    plots.forEach(p -> md.add("![" + p + "](" + p + ")"));
    md.add("");
    md.add("## Top costs of the heaviest row (Java Flight Recorder)");
    md.add("");
    md.addAll(topCosts());
    Files.write(dir.resolve("report.md"), md);

    List<String> csv = new ArrayList<>();
    csv.add("transport,groups,value_bytes,clients,closed_commits_per_s,closed_p50_us,closed_p90_us,closed_p99_us,"
        + "closed_p999_us,closed_failed,closed_cpu_us_per_commit,closed_other_cores,open_rate,open_commits_per_s,"
        + "open_p50_us,open_p90_us,open_p99_us,open_p999_us,open_failed,open_cpu_us_per_commit,open_other_cores,"
        + "commits_per_fsync,open_p50_over_bound,"
        + "fsync_per_s,fsync_p50_us,artery_rtt_p50_us,tcp_rtt_p50_us");
    for (Row r : rows) {
      Load c = r.closed();
      Load o = r.open();
      csv.add(String.format(Locale.ROOT, "%s,%d,%d,%d,%.1f,%d,%d,%d,%d,%d,%.1f,%.2f,%.1f,%.1f,%d,%d,%d,%d,%d,%.1f,"
          + "%.2f,%.3f,%.2f,%.1f,%.1f,%.1f,%.1f", r.transport().tag(), r.groups(), r.size(), r.clients(),
          c.perSecond(), c.micros(50), c.micros(90), c.micros(99), c.micros(99.9), c.errors(), c.cpuMicrosPerCommit(),
          c.otherCores(), o.rate(), o.perSecond(), o.micros(50), o.micros(90), o.micros(99), o.micros(99.9), o.errors(),
          o.cpuMicrosPerCommit(), o.otherCores(), perFsync(c), o.micros(50) / bound(), fsync.perSecond(), fsync.p50Micros(), artery.p50Micros(),
          tcp.p50Micros()));
    }
    Files.write(dir.resolve("report.csv"), csv);
  }

  /**
   * Throughput against clients, a line per group count and transport; latency against load, per
   * group count and transport.
   */
  private List<String> plots(Path dir) throws IOException {
    List<String> files = new ArrayList<>();
    List<Integer> groupCounts = rows.stream().map(Row::groups).distinct().toList();
    for (int size : rows.stream().map(Row::size).distinct().toList()) {
      XYChart throughput = new XYChartBuilder().width(900).height(550)
          .title("Commits/s against clients (closed loop, " + size(size) + " values)").xAxisTitle("clients")
          .yAxisTitle("commits/s").build();
      throughput.getStyler().setXAxisLogarithmic(true);
      XYChart latency = new XYChartBuilder().width(900).height(550)
          .title("Latency against load (open loop, " + size(size) + " values)").xAxisTitle("commits/s")
          .yAxisTitle("latency (ms)").build();
      latency.getStyler().setYAxisLogarithmic(true);
      for (int g : groupCounts) {
        for (Transport transport : Transport.values()) {
          List<Row> series = rows.stream().filter(r -> r.transport() == transport && r.groups() == g
              && r.size() == size).sorted(Comparator.comparingInt(Row::clients)).toList();
          if (series.isEmpty()) {
            continue;
          }
          String name = g + (g == 1 ? " group, " : " groups, ") + transport.tag();
          throughput.addSeries(name, series.stream().map(r -> (double) r.clients()).toList(),
              series.stream().map(r -> r.closed().perSecond()).toList()).setMarker(SeriesMarkers.CIRCLE);
          List<Row> byLoad = series.stream().sorted(Comparator.comparingDouble(r -> r.open().perSecond())).toList();
          for (double p : new double[] {50, 99}) {
            latency.addSeries(name + ", p" + (int) p, byLoad.stream().map(r -> r.open().perSecond()).toList(),
                byLoad.stream().map(r -> Math.max(0.001, r.open().micros(p) / 1000.0)).toList())
                .setMarker(SeriesMarkers.CIRCLE);
          }
        }
      }
      String t = "throughput-vs-clients-" + size + "B.png";
      String l = "latency-vs-load-" + size + "B.png";
      BitmapEncoder.saveBitmap(throughput, dir.resolve(t).toString(), BitmapEncoder.BitmapFormat.PNG);
      BitmapEncoder.saveBitmap(latency, dir.resolve(l).toString(), BitmapEncoder.BitmapFormat.PNG);
      files.add(t);
      files.add(l);
    }
    return files;
  }

  /** How many CPU samples a recording holds. */
  static long executionSamples(Path file, java.time.Instant[] window) throws IOException {
    long n = 0;
    try (RecordingFile f = new RecordingFile(file)) {
      while (f.hasMoreEvents()) {
        RecordedEvent e = f.readEvent();
        if (e.getEventType().getName().equals("jdk.ExecutionSample") && within(e, window)) {
          n++;
        }
      }
    }
    return n;
  }

  private static boolean within(RecordedEvent e, java.time.Instant[] window) {
    return !e.getStartTime().isBefore(window[0]) && !e.getStartTime().isAfter(window[1]);
  }

  /**
   * The heaviest row's recording on its busiest node: the methods most often on top of the stack
   * in CPU samples (where the time goes), and the Synod and Pekko methods most often anywhere in them
   * (what the time is spent for).
   */
  private List<String> topCosts() throws IOException {
    List<String> out = new ArrayList<>();
    if (jfr == null) {
      out.add("No recording was made.");
      return out;
    }
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> inclusive = new HashMap<>();
    long samples = 0;
    try (RecordingFile f = new RecordingFile(jfr)) {
      while (f.hasMoreEvents()) {
        RecordedEvent e = f.readEvent();
        if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null
            || !within(e, jfrWindow)) {
          continue;
        }
        samples++;
        List<RecordedFrame> frames = e.getStackTrace().getFrames();
        if (!frames.isEmpty()) {
          self.merge(name(frames.get(0)), 1L, Long::sum);
        }
        // Lambdas' generated classes and bodies repeat the method that holds them: left out.
        frames.stream().map(Report::name).filter(m -> m.startsWith("io.synod.") && !m.contains("$$Lambda")
            && !m.contains(".lambda$")).distinct()
            .forEach(m -> inclusive.merge(m, 1L, Long::sum));
      }
    }
    out.add(String.format(Locale.ROOT, "Recording `%s`: %,d CPU samples of the heaviest row (%d groups, %d clients, "
        + "%s, closed loop, over TLS) on the busiest node (the nodes of that cluster ran under the recorder from "
        + "their start, with the JDK's default settings).", jfr.getFileName(), samples,
        mode.groups().get(mode.groups().size() - 1), mode.clients().get(mode.clients().size() - 1),
        size(mode.sizes().get(0))));
    out.add("");
    out.add("Top three methods on CPU (self time):");
    out.add("");
    top(self, samples, 3).forEach(out::add);
    out.add("");
    out.add("Top three Synod methods on the stack (inclusive time):");
    out.add("");
    top(inclusive, samples, 3).forEach(out::add);
    return out;
  }

  private static List<String> top(Map<String, Long> counts, long total, int n) {
    List<String> lines = new ArrayList<>();
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
        .forEach(e -> lines.add(String.format(Locale.ROOT, "%d. `%s`: %.1f%% of samples", lines.size() + 1, e.getKey(),
            100.0 * e.getValue() / Math.max(1, total))));
    return lines;
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }
}
