package io.synod.samples.bench;

import io.synod.samples.NodeProcesses;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Starts the benchmark's clusters and asks them whether they are ready: three local node
 * processes with {@code groups} {@link BenchType} groups over a {@link Transport}, fsync on, the
 * {@link BenchService} on each, each with a fresh data directory under the cluster's directory in
 * {@code target/bench}.
 */
final class BenchCluster {

  static final Path OUT = Path.of("target", "bench");
  /** The benchmark JVM's one HTTP client, for every request to the nodes. */
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private BenchCluster() {}

  /**
   * Starts three nodes with {@code groups} groups over {@code transport} in {@code dir}, the
   * {@code extra} HOCON laid over their configuration; with {@code recorded}, the nodes run under
   * Java Flight Recorder from their start (the JDK's default settings: about 1% overhead), since
   * starting a recording under load stalled the loaded 100-group cluster for many seconds. Returns
   * as soon as the processes run: see {@link #awaitReady}.
   */
  static NodeProcesses start(Path dir, int groups, Transport transport, String extra, boolean recorded)
      throws IOException {
    Files.createDirectories(dir);
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
        transport.config(),
        ""));
    Path data = dir.resolve("data-" + System.nanoTime());
    List<String> jvm = new ArrayList<>(List.of("-Xmx1g", "-XX:+UseG1GC", "-XX:+AlwaysPreTouch", "-Xms1g"));
    if (recorded) {
      jvm.add("-XX:StartFlightRecording=settings=default,maxage=15m");
    }
    return NodeProcesses.start(3, file, n -> "", data, dir.resolve("logs"), jvm);
  }

  /** Every node's view of its groups (no groups for a node that did not answer within 10 s). */
  static List<NodeStatus> statuses(NodeProcesses nodes) {
    List<NodeStatus> views = new ArrayList<>();
    for (int n = 1; n <= nodes.size(); n++) {
      views.add(NodeStatus.parse(n, nodes.get(HTTP, n, "/status", Duration.ofSeconds(10))));
    }
    return views;
  }

  /**
   * Polls every node's {@code /status} once a second (a status asks every group, so polling
   * faster slows a starting cluster of many groups) until every node sees a leader of every group,
   * or {@code deadline} (System.nanoTime) passes; prints how long it took, and returns the nodes'
   * last views. Fails at once if a node exits.
   */
  static List<NodeStatus> pollReady(NodeProcesses nodes, Transport transport, int groups, long deadline) {
    long start = System.nanoTime();
    while (true) {
      long next = System.nanoTime() + POLL_NANOS;
      List<NodeStatus> views = statuses(nodes);
      for (int n = 1; n <= nodes.size(); n++) {
        if (!nodes.up(n)) {
          throw new IllegalStateException("node " + n + " exited");
        }
      }
      int notReady = NodeStatus.notReady(views, groups);
      if (notReady == 0 || System.nanoTime() >= deadline) {
        System.out.printf(Locale.ROOT, "BENCH cluster transport=%s groups=%d %s after %.0f s%n", transport.tag(),
            groups, notReady == 0 ? "ready" : "not ready (" + notReady + " groups without a leader somewhere)",
            (System.nanoTime() - start) / 1e9);
        return views;
      }
      LockSupport.parkNanos(Math.max(0, Math.min(next, deadline) - System.nanoTime()));
    }
  }

  /** Waits until every node sees a leader of every group; fails after {@code timeout}. */
  static void awaitReady(NodeProcesses nodes, Transport transport, int groups, Duration timeout) {
    List<NodeStatus> views = pollReady(nodes, transport, groups, System.nanoTime() + timeout.toNanos());
    if (NodeStatus.notReady(views, groups) > 0) {
      throw new AssertionError("not within " + timeout + ": every node sees a leader of all " + groups + " groups ("
          + String.join("; ", views.stream().map(v -> v.summary(List.of())).toList()) + ")");
    }
  }
}
