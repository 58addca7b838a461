package io.synod.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.bootstrap.NodeLauncher;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo cluster as real processes: three node JVMs from {@code conf/cluster.conf} on
 * 127.0.0.1 (free ports, temporary data). A client increments the counter over HTTP while the
 * leader's process is killed with SIGKILL and later restarted; every acknowledged increment must
 * be counted exactly once, and the restarted node must catch up. Bounded in time; every child is
 * killed at the end, also when the test fails.
 */
class ClusterProcessTest {

  private static final Duration REQUEST = Duration.ofSeconds(10);
  private static final Duration DEADLINE = Duration.ofMinutes(3);

  @TempDir
  Path dir;

  private final List<Process> processes = new ArrayList<>(java.util.Collections.nCopies(3, null));
  private final List<Integer> httpPorts = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST).build();
  private long deadline;

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @AfterEach
  void killAll() {
    for (Process p : processes) {
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }

  private Path writeConfigs() throws Exception {
    Path cluster = Path.of("..", "conf", "cluster.conf").toAbsolutePath().normalize();
    StringBuilder members = new StringBuilder("synod.cluster.members = [");
    for (int i = 1; i <= 3; i++) {
      members.append("\n  { id = ").append(i).append(", host = \"127.0.0.1\", port = ").append(freePort()).append(" }");
      httpPorts.add(freePort());
    }
    members.append("\n]\n");
    for (int i = 1; i <= 3; i++) {
      Files.writeString(dir.resolve("node" + i + ".conf"), "include file(\"" + cluster + "\")\n" + members
          + "synod.node { id = " + i + ", data-dir = \"" + dir.resolve("data" + i) + "\", http.port = "
          + httpPorts.get(i - 1) + " }\n");
    }
    return dir;
  }

  private void start(int node) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String f : System.getProperty("synod.jvm.flags", "").split("\\s+")) {
      if (!f.isBlank() && !f.startsWith("${")) {
        cmd.add(f);
      }
    }
    cmd.addAll(List.of("-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
        System.getProperty("java.class.path"), NodeLauncher.class.getName(), dir.resolve("node" + node + ".conf")
            .toString()));
    Path log = dir.resolve("node" + node + "-" + System.nanoTime() + ".log");
    processes.set(node - 1, new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
  }

  private HttpResponse<String> send(int node, String method, String path) {
    try {
      HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(node - 1) + path))
          .timeout(REQUEST).method(method, HttpRequest.BodyPublishers.noBody()).build();
      return http.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      return null; // not listening (yet, or any more), or no answer in time
    }
  }

  private void awaitCondition(String what, java.util.function.BooleanSupplier condition) {
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within " + DEADLINE + ": " + what);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
  }

  private static final Pattern COUNTER_LEADER = Pattern.compile("\"id\":\"counter\",\"leader\":(-?\\d+)");

  /** The counter's leader as node {@code node} sees it, or -1. */
  private int leaderSeenBy(int node) {
    HttpResponse<String> r = send(node, "GET", "/status");
    if (r == null || r.statusCode() != 200) {
      return -1;
    }
    Matcher m = COUNTER_LEADER.matcher(r.body());
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Increments through the live nodes in turn, adding the values of the acknowledged ones. */
  private void increment(int count, Set<Integer> live, List<Long> acknowledged, int[] unknown) {
    List<Integer> nodes = new ArrayList<>(live);
    for (int i = 0; i < count; i++) {
      HttpResponse<String> r = send(nodes.get(i % nodes.size()), "POST", "/counter/increment?by=1");
      if (r != null && r.statusCode() == 200) {
        acknowledged.add(Long.parseLong(r.body().strip()));
      } else {
        unknown[0]++; // no answer, or 503 (which can follow a timeout inside the group): maybe applied
      }
    }
  }

  private long counterOn(int node) {
    HttpResponse<String> r = send(node, "GET", "/counter");
    return r != null && r.statusCode() == 200 ? Long.parseLong(r.body().strip()) : -1;
  }

  @Test
  void killingTheLeadersProcessLosesNoAcknowledgedIncrementAndItCatchesUpAfterARestart() throws Exception {
    deadline = System.nanoTime() + DEADLINE.toNanos();
    writeConfigs();
    for (int n = 1; n <= 3; n++) {
      start(n);
    }
    awaitCondition("every node sees a counter leader", () -> leaderSeenBy(1) > 0 && leaderSeenBy(2) > 0
        && leaderSeenBy(3) > 0);

    List<Long> acknowledged = new ArrayList<>();
    int[] unknown = {0};
    Set<Integer> live = new java.util.TreeSet<>(Set.of(1, 2, 3));
    increment(30, live, acknowledged, unknown);

    int leader = leaderSeenBy(1);
    processes.get(leader - 1).destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL
    live.remove(leader);
    increment(30, live, acknowledged, unknown);

    start(leader);
    live.add(leader);
    increment(30, live, acknowledged, unknown);

    long expectedAtLeast = acknowledged.size();
    awaitCondition("every node, the restarted one too, applies every acknowledged increment", () -> {
      long v1 = counterOn(1);
      return v1 >= expectedAtLeast && v1 == counterOn(2) && v1 == counterOn(3);
    });
    long value = counterOn(1);
    System.out.println("PROCESS-SUMMARY acknowledged=" + acknowledged.size() + " unknown=" + unknown[0]
        + " killed=node" + leader + " final=" + value);
    assertTrue(acknowledged.size() >= 60, "most increments were acknowledged: " + acknowledged.size());
    Set<Long> distinct = new HashSet<>(acknowledged);
    assertEquals(acknowledged.size(), distinct.size(), "each acknowledged increment saw its own value: none applied twice");
    assertTrue(value >= acknowledged.size() && value <= acknowledged.size() + unknown[0], "final " + value + " counts each of "
        + acknowledged.size() + " acknowledged increments once (and at most the " + unknown[0] + " unknown ones)");
  }
}
