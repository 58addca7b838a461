package io.synod.samples.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.synod.samples.NodeProcesses;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Check-quorum with real processes and a real network cut: three node processes; the leader of the
 * counter group is cut off from the other two (Artery's test mode, {@link NemesisService}: it drops
 * everything between them, the TCP connections staying up). Within a few election timeouts the cut
 * off node's own {@code /status} must stop naming it leader, while the other two elect one of
 * themselves; once the cut heals, the group takes increments again and every node agrees on the
 * leader. Prints {@code CHECK-QUORUM-SUMMARY} with how long the step-down took. (A cut of one
 * direction only, a leader whose heartbeats still reach its followers, is the simulation's: Artery's
 * test mode drops both directions of a link it blackholes.)
 */
class CheckQuorumTest {

  private static final Duration LEADERS = Duration.ofSeconds(90);
  /** Far above the election timeout (200 ms) plus the failure detector's threshold: bounds a hung run only. */
  private static final Duration STEP_DOWN = Duration.ofSeconds(20);
  private static final String GROUP = "counter";

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aLeaderCutOffFromItsPeersStopsNamingItselfLeader() throws IOException {
    Path cluster = Files.writeString(dir.resolve("cluster.conf"), FaultTest.clusterConfig(""));
    try (NodeProcesses nodes = NodeProcesses.start(3, cluster, n -> "", dir.resolve("data"),
        Path.of("target", "check-quorum"))) {
      int[] leader = {-1};
      NodeProcesses.await(LEADERS, "every node sees the same leader of " + GROUP, () -> {
        leader[0] = agreedLeader(nodes, List.of(1, 2, 3));
        return leader[0] > 0;
      });
      int old = leader[0];
      List<Integer> others = List.of(1, 2, 3).stream().filter(n -> n != old).toList();
      long cutAt = System.nanoTime();
      nodes.post(http, old, "/nemesis/partition?from=" + others.get(0) + "," + others.get(1), Duration.ofSeconds(10));
      NodeProcesses.await(STEP_DOWN, "node " + old + ", cut off from its peers, stops naming itself leader",
          () -> nodes.leaderSeenBy(http, old, GROUP) != old);
      long stepDownMillis = (System.nanoTime() - cutAt) / 1_000_000;
      NodeProcesses.await(LEADERS, "nodes " + others + " elect one of themselves", () -> {
        leader[0] = agreedLeader(nodes, others);
        return leader[0] > 0 && leader[0] != old;
      });
      int next = leader[0];
      assertNotEquals(old, next);
      assertEquals(true, nodes.leaderSeenBy(http, old, GROUP) != old, "node " + old + " led again while cut off");
      for (int n = 1; n <= 3; n++) {
        nodes.post(http, n, "/nemesis/heal", Duration.ofSeconds(10));
      }
      NodeProcesses.await(LEADERS, "after the cut healed, the counter takes an increment at node " + old,
          () -> "1".equals(postBody(nodes, old, "/counter/increment?by=1")));
      NodeProcesses.await(LEADERS, "every node sees the same leader again",
          () -> agreedLeader(nodes, List.of(1, 2, 3)) > 0);
      System.out.println("CHECK-QUORUM-SUMMARY oldLeader=" + old + " stepDownMillis=" + stepDownMillis
          + " newLeader=" + next);
    }
  }

  /** The leader every node of {@code at} names, or -1 if they do not all name the same one. */
  private int agreedLeader(NodeProcesses nodes, List<Integer> at) {
    int agreed = -1;
    for (int n : at) {
      int seen = nodes.leaderSeenBy(http, n, GROUP);
      if (seen < 0 || agreed >= 0 && seen != agreed) {
        return -1;
      }
      agreed = seen;
    }
    return agreed;
  }

  /** The body of a POST answered 200, or null. */
  private String postBody(NodeProcesses nodes, int node, String path) {
    try {
      java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(nodes.uri(node, path))
          .timeout(Duration.ofSeconds(5)).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body().strip() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
