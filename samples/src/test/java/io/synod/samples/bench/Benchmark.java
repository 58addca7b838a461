package io.synod.samples.bench;

import io.synod.samples.NodeProcesses;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Synod's benchmark, against this machine's own limits. First the limits: the disk's fsync rate,
 * a raw TCP and an Artery round trip on loopback. Then, for every number of groups, three local
 * node processes (fsync on, the {@link BenchType} groups, the {@link BenchService} on each) twice
 * over, one cluster after the other: over mutual TLS (the nodes' default) and over plain TCP (the
 * same configuration with {@code synod.cluster.insecure = on}). On each, for every value size and
 * number of clients: a closed loop (the most the cluster commits) and then an open loop at half
 * that rate (latency under load, without coordinated omission), each with the CPU the three nodes
 * spent per commit and the cores the rest of the machine kept busy meanwhile ({@link NodeCpu}).
 * Prints a line per row, {@code BENCH-ROW transport=tls|plain groups= size= clients= closed=<n>/s
 * p50= p99= cpu=<µs>us/commit others=<cores>cores open=<n>/s p50= p99= p999= cpu= others=
 * errors=}, then a table, and writes {@code target/bench/report.md} (with TLS against plain TCP side
 * by side), {@code report.csv} and plots ({@link Report}); the heaviest TLS row runs under Java
 * Flight Recorder and the report names its top costs.
 *
 * <p>Arguments: {@code quick} (the default: 1 and 100 groups, 100 B values, 2 s per measurement,
 * both transports in under 10 minutes) or {@code full} (100 B, 2 KB and 100 KB values, 8 s per
 * measurement, both transports: about 30 minutes, twice the 15 it took with one); then,
 * optionally, HOCON laid over the nodes' configuration, to compare settings (e.g. {@code
 * "synod.group.window = 64"}). Not a test: {@code ./synod bench [quick|full] ["<hocon>"]} builds
 * and runs it.
 */
public final class Benchmark {

  /** What one mode measures. */
  record Mode(String name, List<Integer> groups, List<Integer> sizes, List<Integer> clients, double warmup,
      double seconds, double limitSeconds, double maxClusterWarmUp) {}

  /** The rows the targets are about (1 and 100 groups, 100 B), over both transports in under 10 minutes. */
  static final Mode QUICK = new Mode("quick", List.of(1, 100), List.of(100), List.of(1, 64, 512), 1, 2, 2, 45);
  static final Mode FULL = new Mode("full", List.of(1, 20, 100), List.of(100, 2048, 102_400), List.of(1, 64, 512), 2,
      8, 5, 90);

  /**
   * How the nodes talk to each other: mutual TLS, each node with its own certificate (the
   * default), or plain TCP. Its line is laid over the cluster's configuration, after the extra
   * HOCON, so a row's tag says what it ran over.
   */
  enum Transport {
    TLS("tls", "synod.cluster.insecure = off"),
    PLAIN("plain", "synod.cluster.insecure = on");

    private final String tag;
    private final String config;

    Transport(String tag, String config) {
      this.tag = tag;
      this.config = config;
    }

    String tag() {
      return tag;
    }
  }

  /**
   * One measurement of the cluster: its commits, their latency (ns), the commands that failed, and
   * the CPU time the node processes and the rest of the machine spent over the measured window.
   */
  record Load(double rate, long ops, long errors, double seconds, Histogram latency, NodeCpu.Sample cpu) {
    double perSecond() {
      return ops / seconds;
    }

    /** The nodes' CPU time per commit, µs (0 without commits). */
    double cpuMicrosPerCommit() {
      return ops == 0 ? 0 : cpu.nodes() / 1000.0 / ops;
    }

    /** How many cores, on average, the rest of the machine kept busy meanwhile; -1 if unknown. */
    double otherCores() {
      return cpu.others() < 0 ? -1 : cpu.others() / 1e9 / seconds;
    }

    long micros(double percentile) {
      return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000;
    }
  }

  /** One row: the closed loop and the open loop at half its rate, over one transport. */
  record Row(Transport transport, int groups, int size, int clients, Load closed, Load open) {}

  private static final Path OUT = Path.of("target", "bench");
  /** A cluster's warm-up runs in steps of this long, at least {@link #MIN_WARM_UP_STEPS} of them. */
  private static final double WARM_UP_STEP_SECONDS = 5;
  private static final int MIN_WARM_UP_STEPS = 3;
  /** Warm once two steps in a row differ by less than this fraction. */
  private static final double WARM_WITHIN = 0.10;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Benchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Mode mode = args.length == 0 || args[0].equals("quick") ? QUICK : args[0].equals("full") ? FULL : null;
    if (mode == null || args.length > 2) {
      System.err.println("usage: Benchmark [quick|full] [\"<HOCON laid over the nodes' configuration>\"]");
      System.exit(64);
    }
    String extra = args.length == 2 ? args[1] : "";
    try {
      ConfigFactory.parseString(extra);
    } catch (ConfigException e) {
      System.err.println("the extra configuration is not HOCON: " + e.getMessage());
      System.exit(64);
    }
    Files.createDirectories(OUT);
    System.out.printf(Locale.ROOT, "BENCH mode=%s cores=%d java=%s config=\"%s\"%n", mode.name(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), extra);
    List<Limits.Measure> limits = List.of(
        Limits.fsync(OUT.resolve("fsync"), mode.limitSeconds()),
        Limits.tcpRoundTrip(mode.limitSeconds()),
        Limits.arteryRoundTrip(mode.limitSeconds()));
    for (Limits.Measure m : limits) {
      System.out.printf(Locale.ROOT, "LIMIT %-50s %,10.0f/s  p50 %,8.1f µs  p99 %,8.1f µs%n", m.name(), m.perSecond(),
          m.p50Micros(), m.latency().getValueAtPercentile(99) / 1000.0);
    }
    List<Row> rows = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Heaviest heaviest = new Heaviest(mode);
    for (int groups : mode.groups()) {
      // TLS and plain one after the other, for each number of groups: side by side in time, so
      // that the machine's drift from minute to minute touches both alike.
      for (Transport transport : Transport.values()) {
        measure(mode, extra, groups, transport, heaviest, rows, failures);
      }
    }
    Report report = new Report(mode, extra, limits, rows, failures, heaviest.recording, heaviest.window);
    report.print();
    report.write(OUT);
    System.out.println("BENCH report: " + OUT.resolve("report.md").toAbsolutePath());
    System.exit(0);
  }

  /**
   * The heaviest row (the most groups and clients, the first value size): its TLS closed loop is
   * the one the report profiles, from the recording written just after it.
   */
  private static final class Heaviest {
    final int groups;
    final int clients;
    final int size;
    Path recording;
    Instant[] window;

    Heaviest(Mode mode) {
      groups = mode.groups().get(mode.groups().size() - 1);
      clients = mode.clients().get(mode.clients().size() - 1);
      size = mode.sizes().get(0);
    }
  }

  /**
   * Starts a cluster of {@code groups} groups over {@code transport}, measures every size and
   * number of clients on it, and adds a row for each (a {@code BENCH-ROW} line too); a cluster that
   * fails leaves its remaining rows out and a line in {@code failures}.
   */
  private static void measure(Mode mode, String extra, int groups, Transport transport, Heaviest heaviest,
      List<Row> rows, List<String> failures) {
    String at = "transport=" + transport.tag() + " groups=" + groups;
    // Both heaviest clusters run under the recorder, so that its cost weighs on TLS and plain alike.
    try (NodeProcesses nodes = cluster(groups, transport, extra, mode.maxClusterWarmUp(),
        groups == heaviest.groups)) {
      for (int size : mode.sizes()) {
        for (int clients : mode.clients()) {
          at = "transport=" + transport.tag() + " groups=" + groups + " size=" + size + " clients=" + clients;
          Instant from = Instant.now();
          Load closed = load(nodes, groups, clients, size, mode, 0);
          if (transport == Transport.TLS && groups == heaviest.groups && clients == heaviest.clients
              && size == heaviest.size) {
            heaviest.window = new Instant[] {from, Instant.now()};
            heaviest.recording = dumpRecordings(nodes, heaviest.window);
          }
          Load open = load(nodes, groups, clients, size, mode, Math.max(1, closed.perSecond() / 2));
          rows.add(new Row(transport, groups, size, clients, closed, open));
          System.out.printf(Locale.ROOT,
              "BENCH-ROW transport=%s groups=%d size=%d clients=%d closed=%.0f/s p50=%dus p99=%dus cpu=%.0fus/commit "
                  + "others=%.2fcores open=%.0f/s p50=%dus p99=%dus p999=%dus cpu=%.0fus/commit others=%.2fcores "
                  + "errors=%d%n", transport.tag(), groups, size, clients, closed.perSecond(), closed.micros(50),
              closed.micros(99), closed.cpuMicrosPerCommit(), closed.otherCores(), open.perSecond(), open.micros(50),
              open.micros(99), open.micros(99.9), open.cpuMicrosPerCommit(), open.otherCores(),
              closed.errors() + open.errors());
        }
      }
    } catch (Exception | AssertionError e) {
      // A node died or stopped answering: the rest of this cluster's rows are not measured.
      String failure = at + ": " + e + " (node logs in " + clusterDir(groups, transport).resolve("logs") + ")";
      failures.add(failure);
      System.out.println("BENCH-FAILED " + failure);
    }
  }

  private static Path clusterDir(int groups, Transport transport) {
    return OUT.resolve("cluster-" + groups + "-" + transport.tag());
  }

  /**
   * Three nodes with {@code groups} benchmark groups over {@code transport}, fsync on, each with a
   * fresh data directory; with {@code recorded}, the nodes run under Java Flight Recorder from
   * their start (the JDK's default settings: about 1% overhead), since starting a recording under
   * load stalled the loaded 100-group cluster for many seconds.
   */
  private static NodeProcesses cluster(int groups, Transport transport, String extra, double maxWarmUp,
      boolean recorded) throws Exception {
    Path dir = Files.createDirectories(clusterDir(groups, transport));
    StringBuilder list = new StringBuilder();
    for (int g = 0; g < groups; g++) {
      list.append("    { id = \"").append(LoadGenerator.group(g)).append("\", type = \"")
          .append(BenchType.class.getName()).append("\" }\n");
    }
    Path file = Files.writeString(dir.resolve("cluster.conf"), String.join("\n",
        "synod.cluster {",
        "  groups = [",
        list + "  ]",
        "  http-services = [ \"" + BenchService.class.getName() + "\" ]",
        "}",
        "pekko.http.server { request-timeout = 300 s, idle-timeout = 600 s }",
        // Pekko's own Flight Recorder events (Artery emits some per frame, with stack traces) are
        // off: the recorded cluster is profiled with the JDK's events only.
        "pekko.java-flight-recorder.enabled = off",
        extra,
        transport.config,
        ""));
    Path data = dir.resolve("data-" + System.nanoTime());
    List<String> jvm = new ArrayList<>(List.of("-Xmx1g", "-XX:+UseG1GC", "-XX:+AlwaysPreTouch", "-Xms1g"));
    if (recorded) {
      jvm.add("-XX:StartFlightRecording=settings=default,maxage=15m");
    }
    NodeProcesses nodes = NodeProcesses.start(3, file, n -> "", data, dir.resolve("logs"), jvm);
    try {
      NodeProcesses.await(Duration.ofMinutes(3), "every node sees a leader of all " + groups + " groups",
          () -> leaders(nodes, groups));
      warmUp(nodes, groups, transport, maxWarmUp);
    } catch (Exception | AssertionError e) {
      nodes.close();
      throw e;
    }
    return nodes;
  }

  /**
   * Warms the nodes' JIT compilers and Artery's connections before anything is measured: load in
   * steps until two steps in a row agree within {@link #WARM_WITHIN}, or {@code maxSeconds} have
   * passed. On two cores, the three nodes' compilers need 30 to 60 s of load before the throughput
   * settles (it doubles meanwhile); a fixed 10 s warm-up measured the first rows of every cluster
   * against half-compiled code.
   */
  private static void warmUp(NodeProcesses nodes, int groups, Transport transport, double maxSeconds)
      throws Exception {
    long start = System.nanoTime();
    double last = -1;
    for (int step = 1; ; step++) {
      double rate = load(nodes, groups, 64, 100, 0, WARM_UP_STEP_SECONDS, 0).perSecond();
      double elapsed = (System.nanoTime() - start) / 1e9;
      boolean settled = step >= MIN_WARM_UP_STEPS && last > 0 && Math.abs(rate - last) <= WARM_WITHIN * last;
      System.out.printf(Locale.ROOT, "BENCH warm-up transport=%s groups=%d step %d: %.0f commits/s%s%n",
          transport.tag(), groups, step, rate, settled ? " (settled)" : "");
      if (settled || elapsed + WARM_UP_STEP_SECONDS > maxSeconds) {
        return;
      }
      last = rate;
    }
  }

  private static final Pattern NO_LEADER = Pattern.compile("\"leader\":-1");

  private static boolean leaders(NodeProcesses nodes, int groups) {
    for (int n = 1; n <= nodes.size(); n++) {
      String status = nodes.get(HTTP, n, "/status", Duration.ofSeconds(10));
      if (status == null || NO_LEADER.matcher(status).find() || count(status, "\"leader\":") < groups) {
        return false;
      }
    }
    return true;
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  private static final Pattern LEADER = Pattern.compile("\"id\":\"bench-(\\d+)\",\"leader\":(-?\\d+)");

  /**
   * Which node runs the clients of each group: its leader as the nodes report it (the first that
   * knows one), or, for a group without a leader just now, a node in turn.
   */
  private static List<List<Integer>> assignment(NodeProcesses nodes, int groups) {
    int[] leaderOf = new int[groups];
    for (int n = 1; n <= nodes.size(); n++) {
      String status = nodes.get(HTTP, n, "/status", Duration.ofSeconds(10));
      Matcher m = LEADER.matcher(status == null ? "" : status);
      while (m.find()) {
        int g = Integer.parseInt(m.group(1));
        if (g < groups && leaderOf[g] <= 0) {
          leaderOf[g] = Integer.parseInt(m.group(2));
        }
      }
    }
    List<List<Integer>> mine = new ArrayList<>();
    for (int n = 0; n < nodes.size(); n++) {
      mine.add(new ArrayList<>());
    }
    for (int g = 0; g < groups; g++) {
      int node = leaderOf[g] > 0 ? leaderOf[g] : 1 + g % nodes.size();
      mine.get(node - 1).add(g);
    }
    return mine;
  }

  private static final Pattern RESULT = Pattern.compile(
      "\"clients\":(\\d+),\"ops\":(\\d+),\"errors\":(\\d+),\"seconds\":([0-9.E]+),\"histogram\":\"([^\"]*)\"");

  /**
   * Every node runs its share (the clients of the groups it leads); the results are merged. The
   * CPU times are read when the nodes' measured window opens and when it closes (by this JVM's
   * clock, from when the requests went out: a few ms off the nodes' own, over windows of seconds).
   */
  private static Load load(NodeProcesses nodes, int groups, int clients, int size, Mode mode, double rate)
      throws Exception {
    return load(nodes, groups, clients, size, mode.warmup(), mode.seconds(), rate);
  }

  private static Load load(NodeProcesses nodes, int groups, int clients, int size, double warmup, double seconds,
      double rate) throws Exception {
    List<List<Integer>> mine = assignment(nodes, groups);
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    long sent = System.nanoTime();
    for (int n = 1; n <= nodes.size(); n++) {
      String query = String.format(Locale.ROOT,
          "/bench/run?groups=%d&clients=%d&size=%d&warmup=%s&seconds=%s&rate=%s&mine=%s", groups, clients, size,
          warmup, seconds, rate, String.join(",", mine.get(n - 1).stream().map(String::valueOf).toList()));
      answers.add(HTTP.sendAsync(HttpRequest.newBuilder(nodes.uri(n, query)).timeout(Duration.ofMinutes(5))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
    }
    sleepUntil(sent + (long) (warmup * 1e9));
    NodeCpu.Sample cpuFrom = NodeCpu.read(nodes);
    sleepUntil(sent + (long) ((warmup + seconds) * 1e9));
    NodeCpu.Sample cpu = NodeCpu.read(nodes).since(cpuFrom);
    Histogram latency = new Histogram(3);
    long ops = 0;
    long errors = 0;
    int running = 0;
    for (CompletableFuture<HttpResponse<String>> a : answers) {
      HttpResponse<String> r = a.get();
      Matcher m = RESULT.matcher(r.body());
      if (r.statusCode() != 200 || !m.find()) {
        throw new IllegalStateException("a node's load failed: " + r.statusCode() + " " + r.body());
      }
      running += Integer.parseInt(m.group(1));
      ops += Long.parseLong(m.group(2));
      errors += Long.parseLong(m.group(3));
      latency.add(BenchService.decode(m.group(5)));
    }
    if (running != clients) {
      throw new IllegalStateException(running + " of " + clients + " clients ran");
    }
    return new Load(rate, ops, errors, seconds, latency, cpu);
  }

  /** Waits for a point of the measurement's clock (where its window opens or closes), not for an event. */
  private static void sleepUntil(long nanoTime) {
    for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
      java.util.concurrent.locks.LockSupport.parkNanos(left);
    }
  }

  /**
   * Writes every node's recording to {@code heaviest-node<n>.jfr}; returns the one with the most CPU
   * samples within {@code window} (the busiest node during the heaviest row).
   */
  private static Path dumpRecordings(NodeProcesses nodes, Instant[] window) throws Exception {
    Path busiest = null;
    long most = -1;
    for (int n = 1; n <= nodes.size(); n++) {
      Path file = OUT.resolve("heaviest-node" + n + ".jfr").toAbsolutePath();
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(nodes.uri(n, "/bench/jfr?file=" + file))
          .timeout(Duration.ofMinutes(1)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("node " + n + " could not write its recording: " + r.body());
      }
      long samples = Report.executionSamples(file, window);
      if (samples > most) {
        most = samples;
        busiest = file;
      }
    }
    return busiest;
  }
}
