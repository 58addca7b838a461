package io.synod.samples.bench;

import static io.synod.samples.bench.BenchCluster.HTTP;
import static io.synod.samples.bench.BenchCluster.OUT;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.synod.samples.NodeProcesses;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Synod's benchmark, against this machine's own limits. First the limits: the disk's fsync rate,
 * a raw TCP and an Artery round trip on loopback. Then, for every number of groups, three local
 * node processes ({@link BenchCluster}: fsync on, the {@link BenchType} groups, the {@link
 * BenchService} on each) twice over, one cluster after the other: over mutual TLS (the nodes'
 * default) and over plain TCP (the same configuration with {@code synod.cluster.insecure = on}).
 * On each, for every value size and number of clients, with the clients inside the nodes ({@link
 * InNodeLoad}): a closed loop (the most the cluster commits) and then an open loop at half that
 * rate (latency under load, without coordinated omission). On the 1-group clusters, then, the
 * same numbers of clients outside the nodes ({@link ExternalClients}): a JVM of their own sending
 * every command over HTTP, as a remote application does, closed loop, after a warm-up of the HTTP
 * path (the nodes' compilers meet it only then). Every loop comes with what the three nodes spent
 * over its window ({@link NodeCosts}): CPU per commit, context switches a second, bytes allocated
 * per commit, and the cores the rest of the machine kept busy. A loop that
 * commits nothing says so and shows every node's view of its groups ({@link Stalls}). After the
 * load, the idle rows ({@link IdleRows}): fresh clusters of 100 and 1,000 groups with no load, the
 * CPU each node burns doing nothing.
 *
 * <p>Prints a line per row, {@code BENCH-ROW transport=tls|plain mode=in-node|external groups=
 * size= clients= closed=<n>/s p50= p99= cpu=<µs>us/commit ctxsw=<n>/s alloc=<bytes>B/commit
 * others=<cores>cores open=<n>/s p50= p99= p999= cpu= ctxsw= alloc= others= errors=} (no open
 * loop for external rows), {@code BENCH-NOTHING-COMMITTED ...} for a loop without a commit, {@code
 * BENCH-IDLE transport=tls groups=100 cpu=a%,b%,c% ctxsw=<n>/s [not-ready=<groups>]} per idle
 * cluster, then the tables and a {@code BENCH-TARGET} line per target ({@link Targets}), and writes
 * {@code target/bench/report.md}, {@code report.csv} and plots ({@link Report}); the heaviest TLS
 * row runs under Java Flight Recorder and the report names its top costs.
 *
 * <p>Arguments: {@code quick} (the default: 1 and 100 groups, 100 B values, 1, 64 and 512 clients
 * in the nodes and outside them (1 group), 1 s warm-up and 2 s measured per loop, both transports;
 * idle clusters of 100 and 1,000 groups over TLS, 30 s each; about 13 minutes on 2 cores, the
 * build included: 13.3 on 2026-12-07, of which a minute the build and the limits, 1.5 to 3 each
 * load cluster (most of it getting every leader and warming up, up to 90 s until the nodes' JIT
 * compilers are done, a 100-group TLS cluster up to 2 minutes to get its leaders) and 1.5 to 2
 * each idle cluster, the external clients' warm-up adding up to 12 s on each 1-group cluster) or
 * {@code full} (1, 20 and 100 groups with 100 B, 2 KB and 100 KB values, 2 s warm-up and 8 s
 * measured, both transports, the idle clusters on both too: about 40 minutes, estimated); then,
 * optionally, HOCON laid over the nodes' configuration, to compare settings (e.g. {@code
 * "synod.group.window = 64"}). Not a test: {@code ./synod bench [quick|full] ["<hocon>"]} builds
 * and runs it.
 */
public final class Benchmark {

  /**
   * What one mode measures: the load rows (groups, value sizes, clients; warm-up and measured
   * seconds), how long the limits are measured, the most a cluster's warm-up may take, the
   * external clients' rows (on 1 group, the first value size), the most their warm-up of the HTTP
   * path may take and each run's own warm-up, and the idle rows.
   */
  record Mode(String name, List<Integer> groups, List<Integer> sizes, List<Integer> clients, double warmup,
      double seconds, double limitSeconds, double maxClusterWarmUp, List<Integer> externalClients,
      double externalWarmUp, double externalRunWarmup, IdleRows.Plan idle) {}

  /** The rows the targets are about, over both transports, and the idle clusters over TLS. */
  static final Mode QUICK = new Mode("quick", List.of(1, 100), List.of(100), List.of(1, 64, 512), 1, 2, 2, 90,
      List.of(1, 64, 512), 12, 2, new IdleRows.Plan(List.of(100, 1000), List.of(Transport.TLS), 240, 20, 30));
  static final Mode FULL = new Mode("full", List.of(1, 20, 100), List.of(100, 2048, 102_400), List.of(1, 64, 512), 2,
      8, 5, 120, List.of(1, 64, 512), 30, 2,
      new IdleRows.Plan(List.of(100, 1000), List.of(Transport.TLS, Transport.PLAIN), 300, 40, 30));

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
    List<IdleRows.Idle> idles = IdleRows.measure(mode.idle(), extra);
    Report report = new Report(mode, extra, limits, rows, idles, failures, heaviest.recording, heaviest.window);
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

    boolean is(Transport transport, int groups, int size, int clients) {
      return transport == Transport.TLS && groups == this.groups && clients == this.clients && size == this.size;
    }
  }

  /**
   * Starts a cluster of {@code groups} groups over {@code transport}, measures every size and
   * number of clients on it (and, on one group, the external clients' rows), and adds a row for
   * each (a {@code BENCH-ROW} line too); a cluster that fails leaves its remaining rows out and a
   * line in {@code failures}.
   */
  private static void measure(Mode mode, String extra, int groups, Transport transport, Heaviest heaviest,
      List<Row> rows, List<String> failures) {
    String at = "transport=" + transport.tag() + " groups=" + groups;
    Path dir = OUT.resolve("cluster-" + groups + "-" + transport.tag());
    // Both heaviest clusters run under the recorder, so that its cost weighs on TLS and plain alike.
    try (NodeProcesses nodes = BenchCluster.start(dir, groups, transport, extra, groups == heaviest.groups)) {
      BenchCluster.awaitReady(nodes, transport, groups, Duration.ofMinutes(3));
      ClusterWarmUp.run(nodes, groups, transport, mode.maxClusterWarmUp());
      for (int size : mode.sizes()) {
        for (int clients : mode.clients()) {
          at = "transport=" + transport.tag() + " mode=in-node groups=" + groups + " size=" + size + " clients="
              + clients;
          add(rows, inNodeRow(mode, nodes, transport, groups, size, clients, heaviest));
        }
      }
      if (groups == 1 && !mode.externalClients().isEmpty()) {
        at = "transport=" + transport.tag() + " mode=external groups=1";
        try (ExternalClients external = ExternalClients.start(nodes, transport, dir.resolve("logs"), 1,
            mode.sizes().get(0), mode.externalWarmUp(), mode.externalRunWarmup(), mode.seconds(),
            mode.externalClients())) {
          for (int clients : mode.externalClients()) {
            at = "transport=" + transport.tag() + " mode=external groups=1 clients=" + clients;
            add(rows, externalRow(mode, external, nodes, transport, clients));
          }
        }
      }
    } catch (Exception | AssertionError e) {
      // A node died or stopped answering: the rest of this cluster's rows are not measured.
      String failure = at + ": " + e + " (logs in " + dir.resolve("logs") + ")";
      failures.add(failure);
      System.out.println("BENCH-FAILED " + failure);
    }
  }

  private static void add(List<Row> rows, Row row) {
    rows.add(row);
    System.out.println(row.benchLine());
  }

  /** The closed loop with clients in the nodes, then the open loop at half its rate. */
  private static Row inNodeRow(Mode mode, NodeProcesses nodes, Transport transport, int groups, int size, int clients,
      Heaviest heaviest) throws Exception {
    Instant from = Instant.now();
    Load closed = InNodeLoad.run(nodes, groups, clients, size, mode.warmup(), mode.seconds(), 0);
    List<String> stalls = new ArrayList<>(Stalls.check(nodes, transport, ClientMode.IN_NODE, groups, size, clients,
        "closed", closed));
    if (heaviest.is(transport, groups, size, clients)) {
      heaviest.window = new Instant[] {from, Instant.now()};
      heaviest.recording = dumpRecordings(nodes, heaviest.window);
    }
    Load open = InNodeLoad.run(nodes, groups, clients, size, mode.warmup(), mode.seconds(),
        Math.max(1, closed.perSecond() / 2));
    stalls.addAll(Stalls.check(nodes, transport, ClientMode.IN_NODE, groups, size, clients, "open", open));
    return new Row(transport, ClientMode.IN_NODE, groups, size, clients, closed, open, stalls);
  }

  /** The closed loop with {@code clients} clients outside the nodes, on the 1-group cluster, the first value size. */
  private static Row externalRow(Mode mode, ExternalClients external, NodeProcesses nodes, Transport transport,
      int clients) throws Exception {
    int size = mode.sizes().get(0);
    Load closed = external.next(clients);
    List<String> stalls = Stalls.check(nodes, transport, ClientMode.EXTERNAL, 1, size, clients, "closed", closed);
    return new Row(transport, ClientMode.EXTERNAL, 1, size, clients, closed, null, stalls);
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
