package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Many groups share each node's one port, gateway and journal: 1,000 groups on three nodes, each
 * electing its own leader and committing, in one test.
 */
class ThousandGroupsTest {

  private static final int GROUPS = 1000;
  private static final Duration T = Duration.ofSeconds(150);

  /**
   * Coarser timing than the single-group default: 3,000 groups on two cores would otherwise spend
   * their time ticking and, on a slow machine, heartbeats would come later than election timeouts,
   * so that leaders never settle (see reference.conf, tick-interval).
   */
  private static final Config MANY_GROUPS = ConfigFactory.parseString(String.join("\n",
      "synod.group.tick-interval = 200 ms",
      "synod.group.heartbeat-interval = 1 s",
      "synod.group.retransmit-after = 2 s",
      "synod.group.lease = 5 s",
      "synod.group.election-timeout = 3 s",
      "synod.group.election-jitter = 3 s",
      "synod.group.prepare-timeout = 3 s",
      "synod.group.catch-up-retry = 1 s",
      "synod.client.request-timeout = 100 s",
      "synod.client.retry-interval = 2 s"));

  @Test
  void aThousandGroupsOnThreeNodesAllCommit() {
    try (LocalCluster cluster = LocalCluster.start(3, MANY_GROUPS)) {
      List<TestCounter.Registry> counters = new ArrayList<>();
      List<GroupClient<Long, Long>> clients = new ArrayList<>();
      for (int g = 0; g < GROUPS; g++) {
        TestCounter.Registry registry = new TestCounter.Registry();
        counters.add(registry);
        for (LocalCluster.Node n : cluster.nodes()) {
          GroupClient<Long, Long> client = n.spawn(registry.group("g-" + g, n.id()), "g-" + g);
          if (n.id() == g % 3) {
            clients.add(client);
          }
        }
      }
      List<CompletionStage<Long>> results = new ArrayList<>();
      for (int g = 0; g < GROUPS; g++) {
        results.add(clients.get(g).propose((long) g + 1));
      }
      for (int g = 0; g < GROUPS; g++) {
        assertEquals(g + 1L, Await.result(results.get(g), T), "group g-" + g);
      }
      for (int g = 0; g < GROUPS; g++) {
        for (int node = 0; node < 3; node++) {
          TestCounter.Registry registry = counters.get(g);
          int n = node;
          long expected = g + 1L;
          String group = "g-" + g;
          Await.until(T, () -> "node " + n + " applies group " + group + "'s command",
              () -> registry.made(n) > 0 && registry.latest(n).value == expected);
        }
      }
    }
  }
}
