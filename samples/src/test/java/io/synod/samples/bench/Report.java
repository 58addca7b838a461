package io.synod.samples.bench;

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
 * to the limits and its costs per commit, the costs against one group ({@link CostComparison}),
 * the idle clusters, TLS against plain TCP row by row, the targets ({@link Targets}), the plots,
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
  private final List<IdleRows.Idle> idles;
  private final List<String> failures;
  private final Path jfr;
  /** When the heaviest row's closed loop ran: only the recording's samples within it count. */
  private final java.time.Instant[] jfrWindow;

  Report(Benchmark.Mode mode, String extraConfig, List<Limits.Measure> limits, List<Row> rows,
      List<IdleRows.Idle> idles, List<String> failures, Path jfr, java.time.Instant[] jfrWindow) {
    this.idles = idles;
    this.failures = failures;
    this.mode = mode;
    this.extraConfig = extraConfig;
    this.fsync = limits.get(0);
    this.tcp = limits.get(1);
    this.artery = limits.get(2);
    // By transport (TLS first), where the clients ran (in the nodes first), then groups, size and clients.
    this.rows = rows.stream().sorted(Comparator.comparing(Row::transport).thenComparing(Row::mode)
        .thenComparingInt(Row::groups).thenComparingInt(Row::size).thenComparingInt(Row::clients)).toList();
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

  private static String switches(Load l) {
    return l.contextSwitchesPerSecond() < 0 ? "?" : String.format(Locale.ROOT, "%,.0f", l.contextSwitchesPerSecond());
  }

  private static String allocated(Load l) {
    return l.ops() == 0 ? "—" : l.allocatedBytesPerCommit() < 0 ? "?"
        : String.format(Locale.ROOT, "%,.0f", l.allocatedBytesPerCommit());
  }

  static String size(int bytes) {
    return bytes >= 1024 ? bytes / 1024 + " KB" : bytes + " B";
  }

  private List<String> table() {
    List<String> t = new ArrayList<>();
    t.add("| transport | clients run | groups | value | clients | closed loop commits/s | p50 µs | p99 µs "
        + "| CPU µs/commit | ctx switches/s | alloc B/commit | others, cores | commits/s per fsync/s "
        + "| open loop at half: commits/s | p50 µs | p90 µs | p99 µs | p99.9 µs | CPU µs/commit | ctx switches/s "
        + "| alloc B/commit | others, cores | p50 / (RTT + fsync) | failed |");
    t.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      Load c = r.closed();
      t.add(String.format(Locale.ROOT, "| %s | %s | %d | %s | %d | %,.0f | %s | %s | %s | %s | %s | %s | %.2f | %s | %d |",
          r.transport().tag(), r.mode().tag(), r.groups(), size(r.size()), r.clients(), c.perSecond(), micros(c, 50),
          micros(c, 99), cpu(c), switches(c), allocated(c), others(c), perFsync(c), openColumns(r),
          c.errors() + (r.hasOpen() ? r.open().errors() : 0)));
    }
    t.add("");
    t.add("Clients run in-node: inside the node that leads their group; external: in a JVM of their own, over HTTP "
        + "(closed loop only). — : no command was answered inside the measured window (all took longer, or failed "
        + "after it), or no open loop. CPU µs/commit: the user and system time of the three node processes over the "
        + "measured window (in-node clients included; external clients not, their JVM counts among the others), "
        + "divided by the commits of the window. Ctx switches/s: the three nodes' threads' context switches a "
        + "second; alloc B/commit: the bytes the three node JVMs allocated per commit (? : unknown). Others: the "
        + "cores the rest of the machine kept busy meanwhile, on average (other processes, the benchmark's own JVM, "
        + "the external clients' JVM, the hypervisor's steal; from /proc/stat): well above 0, the nodes did not have "
        + "the machine to themselves.");
    return t;
  }

  /** The open loop's columns of the results table, or dashes for a row without one. */
  private String openColumns(Row r) {
    if (!r.hasOpen()) {
      return String.join(" | ", java.util.Collections.nCopies(10, "—"));
    }
    Load o = r.open();
    return String.format(Locale.ROOT, "%,.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s", o.perSecond(), micros(o, 50),
        micros(o, 90), micros(o, 99), micros(o, 99.9), cpu(o), switches(o), allocated(o), others(o),
        o.ops() == 0 ? "—" : String.format(Locale.ROOT, "%.1f", o.micros(50) / bound()));
  }

  private List<String> idleTable() {
    List<String> t = new ArrayList<>();
    t.add("| transport | groups | CPU, % of a core, per node | busiest node | context switches/s | groups without a "
        + "leader | seconds |");
    t.add("|---|---|---|---|---|---|---|");
    for (IdleRows.Idle i : idles) {
      if (!i.measured()) {
        t.add(String.format(Locale.ROOT, "| %s | %,d | not measured: %s | | | | |", i.transport().tag(), i.groups(),
            i.failure()));
        continue;
      }
      t.add(String.format(Locale.ROOT, "| %s | %,d | %s | %.1f%% | %s | %d | %.0f |", i.transport().tag(), i.groups(),
          String.join(", ", i.cpuPercent().stream().map(c -> String.format(Locale.ROOT, "%.1f%%", c)).toList()),
          i.worstCpu(), i.contextSwitchesPerSecond() < 0 ? "?" : String.format(Locale.ROOT, "%,.0f",
              i.contextSwitchesPerSecond()), i.notReady(), i.seconds()));
    }
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

  private Row find(Transport transport, ClientMode mode, int groups, int size, int clients) {
    return rows.stream().filter(r -> r.transport() == transport && r.mode() == mode && r.groups() == groups
        && r.size() == size && r.clients() == clients).findFirst().orElse(null);
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
    t.add("| clients run | groups | value | clients | TLS commits/s | plain commits/s | TLS / plain | TLS p50 µs "
        + "| plain p50 µs | TLS / plain | TLS p99 µs | plain p99 µs | TLS / plain | TLS CPU µs/commit "
        + "| plain CPU µs/commit | TLS / plain | others, cores: TLS / plain |");
    t.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row tls : rows) {
      Row plain = tls.transport() == Transport.TLS ? find(Transport.PLAIN, tls.mode(), tls.groups(), tls.size(),
          tls.clients()) : null;
      if (plain == null) {
        continue;
      }
      Load a = tls.closed();
      Load b = plain.closed();
      boolean both = a.ops() > 0 && b.ops() > 0;
      t.add(String.format(Locale.ROOT, "| %s | %d | %s | %d | %,.0f | %,.0f | %s | %s | %s | %s | %s | %s | %s | %s "
          + "| %s | %s | %s / %s |", tls.mode().tag(), tls.groups(), size(tls.size()), tls.clients(), a.perSecond(),
          b.perSecond(),
          ratio(a.perSecond(), b.perSecond(), true), micros(a, 50), micros(b, 50),
          ratio(a.micros(50), b.micros(50), both), micros(a, 99), micros(b, 99), ratio(a.micros(99), b.micros(99), both),
          cpu(a), cpu(b), ratio(a.cpuMicrosPerCommit(), b.cpuMicrosPerCommit(), both), others(a), others(b)));
    }
    return t;
  }

  private List<Targets.Target> targets() {
    return Targets.evaluate(fsync, tcp, artery, rows, idles);
  }

  /** The targets section: every target, then the rows that committed nothing with what the nodes showed. */
  private List<String> targetLines() {
    List<String> t = new ArrayList<>();
    targets().forEach(target -> t.add(target.markdown()));
    List<Row> stalled = rows.stream().filter(r -> !r.stalls().isEmpty()).toList();
    if (!stalled.isEmpty()) {
      t.add("");
      t.add("Rows that committed nothing in a measured window, and what every node's /status showed just after:");
      t.add("");
      for (Row r : stalled) {
        t.add("- " + r.key() + ": **committed nothing**");
        r.stalls().forEach(line -> t.add("  - `" + line + "`"));
      }
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
    System.out.println("Costs against one group (closed loop):");
    CostComparison.table(rows).forEach(System.out::println);
    System.out.println();
    if (!idles.isEmpty()) {
      System.out.println("Idle clusters:");
      idleTable().forEach(System.out::println);
      System.out.println();
    }
    failures.forEach(f -> System.out.println("not measured: " + f));
    System.out.println("Targets (TLS is the headline, plain TCP alongside):");
    targets().forEach(target -> System.out.println(target.benchLine()));
    rows.stream().filter(r -> !r.stalls().isEmpty())
        .forEach(r -> System.out.println("BENCH-TARGET committed nothing: " + r.key()));
  }

  void write(Path dir) throws IOException {
    Files.write(dir.resolve("report.md"), markdown(plots(dir)));
    Files.write(dir.resolve("report.csv"), csv());
  }

  private List<String> markdown(List<String> plots) throws IOException {
    List<String> md = new ArrayList<>();
    md.add("# Synod benchmark (" + mode.name() + ")");
    md.add("");
    md.add(String.format(Locale.ROOT, "%s; %d cores; Java %s; %s. Three node processes on 127.0.0.1, fsync on, "
        + "each with its own journal on the same disk. In-node rows: clients run inside the node that leads their "
        + "group (client i proposes to group i mod groups), each its own session. External rows: the clients run in "
        + "a JVM of their own and send each command over HTTP (keep-alive) to a node in turn, as a remote "
        + "application would; the node proposes it through a few sessions of its own. Latency is measured at the "
        + "client. Closed loop: each client sends its next command when the last is answered. Open loop (in-node "
        + "only): commands at a fixed rate, half the closed loop's, latency counted from each command's scheduled "
        + "time (no coordinated omission). %.0f s warm-up, %.0f s measured per run; the external clients first warm "
        + "the HTTP path up (up to %.0f s of load, unmeasured), then each run has %.0f s of warm-up. "
        + "Every number of groups ran twice, one cluster right after the other: over mutual TLS between the nodes, "
        + "each with its own certificate (the default), and over plain TCP (the same configuration with "
        + "`synod.cluster.insecure = on`), every row on each.", Instant.now(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        mode.warmup(), mode.seconds(), mode.externalWarmUp(), mode.externalRunWarmup()));
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
        + "Artery round trip plus one fsync (%.0f µs). For external rows, CPU per commit, context switches and "
        + "allocation are still the three nodes' (their HTTP serving included); the clients' JVM is not counted "
        + "there but among the others.", fsync.perSecond(), bound()));
    md.add("");
    md.addAll(table());
    md.add("");
    md.add("## Costs against one group");
    md.add("");
    md.addAll(CostComparison.table(rows));
    md.add("");
    md.add("## Idle clusters");
    md.add("");
    if (idles.isEmpty()) {
      md.add("None measured.");
    } else {
      md.add(String.format(Locale.ROOT, "Fresh clusters with no load: once every node saw a leader of every group "
          + "(or the deadline of %.0f s passed: then measured at once, without settling), %.0f s to settle, then "
          + "each node's CPU time (utime + stime from /proc/<pid>/stat) over %.0f s, as a share of one core, and "
          + "the three nodes' context switches a second.", mode.idle().readySeconds(), mode.idle().settleSeconds(),
          mode.idle().seconds()));
      md.add("");
      md.addAll(idleTable());
    }
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
    md.add("TLS (the nodes' default) is the headline; plain TCP alongside. Load targets are on the in-node closed "
        + "loops with 100 B values; the ratio is the figure over the target's bound (at least 1 meets an 'at least', "
        + "at most 1 an 'at most').");
    md.add("");
    md.addAll(targetLines());
    md.add("");
    md.add("## Plots");
    md.add("");
    plots.forEach(p -> md.add("![" + p + "](" + p + ")"));
    md.add("");
    md.add("## Top costs of the heaviest row (Java Flight Recorder)");
    md.add("");
    md.addAll(topCosts());
    return md;
  }

  /** A figure for the CSV; empty where unknown (negative). */
  private static String known(double value, String format) {
    return value < 0 ? "" : String.format(Locale.ROOT, format, value);
  }

  private List<String> csv() {
    List<String> csv = new ArrayList<>();
    csv.add("transport,mode,groups,value_bytes,clients,closed_commits_per_s,closed_p50_us,closed_p90_us,closed_p99_us,"
        + "closed_p999_us,closed_failed,closed_cpu_us_per_commit,closed_ctxsw_per_s,closed_alloc_bytes_per_commit,"
        + "closed_other_cores,open_rate,open_commits_per_s,open_p50_us,open_p90_us,open_p99_us,open_p999_us,"
        + "open_failed,open_cpu_us_per_commit,open_ctxsw_per_s,open_alloc_bytes_per_commit,open_other_cores,"
        + "commits_per_fsync,open_p50_over_bound,fsync_per_s,fsync_p50_us,artery_rtt_p50_us,tcp_rtt_p50_us");
    for (Row r : rows) {
      Load c = r.closed();
      csv.add(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.1f,%d,%d,%d,%d,%d,%.1f,%s,%s,%s,%s,%.3f,%s,%.1f,%.1f,%.1f,%.1f",
          r.transport().tag(), r.mode().tag(), r.groups(), r.size(), r.clients(), c.perSecond(), c.micros(50),
          c.micros(90), c.micros(99), c.micros(99.9), c.errors(), c.cpuMicrosPerCommit(),
          known(c.contextSwitchesPerSecond(), "%.0f"), known(c.allocatedBytesPerCommit(), "%.0f"),
          known(c.otherCores(), "%.2f"), openCsv(r), perFsync(c), r.hasOpen() ? String.format(Locale.ROOT, "%.2f",
              r.open().micros(50) / bound()) : "", fsync.perSecond(), fsync.p50Micros(), artery.p50Micros(),
          tcp.p50Micros()));
    }
    return csv;
  }

  /** The open loop's CSV fields (11 of them), empty for a row without one. */
  private static String openCsv(Row r) {
    if (!r.hasOpen()) {
      return ",,,,,,,,,,";
    }
    Load o = r.open();
    return String.format(Locale.ROOT, "%.1f,%.1f,%d,%d,%d,%d,%d,%.1f,%s,%s,%s", o.rate(), o.perSecond(), o.micros(50),
        o.micros(90), o.micros(99), o.micros(99.9), o.errors(), o.cpuMicrosPerCommit(),
        known(o.contextSwitchesPerSecond(), "%.0f"), known(o.allocatedBytesPerCommit(), "%.0f"),
        known(o.otherCores(), "%.2f"));
  }

  /**
   * Throughput against clients, a line per group count, transport and where the clients ran;
   * latency against load (open loops: clients in the nodes), per group count and transport.
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
          for (ClientMode where : ClientMode.values()) {
            addSeries(throughput, latency, g, transport, where, size);
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

  /**
   * The rows of {@code groups} groups over {@code transport} with clients run {@code where}: their
   * commits/s against clients, and (with an open loop) their latency against load.
   */
  private void addSeries(XYChart throughput, XYChart latency, int groups, Transport transport, ClientMode where,
      int size) {
    List<Row> series = rows.stream().filter(r -> r.transport() == transport && r.mode() == where
        && r.groups() == groups && r.size() == size).sorted(Comparator.comparingInt(Row::clients)).toList();
    if (series.isEmpty()) {
      return;
    }
    String name = groups + (groups == 1 ? " group, " : " groups, ") + transport.tag()
        + (where == ClientMode.EXTERNAL ? ", external clients" : "");
    throughput.addSeries(name, series.stream().map(r -> (double) r.clients()).toList(),
        series.stream().map(r -> r.closed().perSecond()).toList()).setMarker(SeriesMarkers.CIRCLE);
    List<Row> byLoad = series.stream().filter(Row::hasOpen)
        .sorted(Comparator.comparingDouble(r -> r.open().perSecond())).toList();
    if (byLoad.isEmpty()) {
      return;
    }
    for (double p : new double[] {50, 99}) {
      latency.addSeries(name + ", p" + (int) p, byLoad.stream().map(r -> r.open().perSecond()).toList(),
          byLoad.stream().map(r -> Math.max(0.001, r.open().micros(p) / 1000.0)).toList())
          .setMarker(SeriesMarkers.CIRCLE);
    }
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
