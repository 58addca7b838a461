package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node with hundreds of groups of data recovers them all when it starts again on a loaded
 * machine (a busy thread per core beside it), with the journal's recovery settings of
 * reference.conf (synod.persistence.journal.recovery-event-timeout, and Pekko's
 * max-concurrent-recoveries): no recovery times out, so no group has to restart its roles.
 */
class ManyGroupsRecoveryTest {

  private static final int GROUPS = 500;
  private static final Duration T = Duration.ofSeconds(60);

  /** Coarser timing than a single group's default, as for any node with hundreds of groups (README). */
  private static final Config MANY_GROUPS = ConfigFactory.parseString(String.join("\n",
      "synod.group.tick-interval = 50 ms",
      "synod.group.heartbeat-interval = 200 ms",
      "synod.group.retransmit-after = 500 ms",
      "synod.group.lease = 1 s",
      "synod.group.election-timeout = 500 ms",
      "synod.group.election-jitter = 500 ms",
      "synod.group.prepare-timeout = 500 ms",
      "synod.group.catch-up-retry = 500 ms",
      "synod.client.request-timeout = 30 s",
      "synod.client.retry-interval = 1 s"));

  private static List<GroupClient<Long, Long>> spawnAll(LocalCluster.Node node) {
    TestCounter.Registry counters = new TestCounter.Registry();
    List<GroupClient<Long, Long>> clients = new ArrayList<>();
    for (int g = 0; g < GROUPS; g++) {
      SynodGroup<Long, Long> def = counters.group("g-" + g, 0);
      clients.add(def.client(node.synod(), Adapter.spawn(node.system(),
          def.behavior(node.synod(), List.of(0), node.synod().settings()), "g-" + g)));
    }
    return clients;
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aNodeRestartedWithHundredsOfGroupsRecoversThemAllWithoutATimeout() {
    try (LocalCluster cluster = LocalCluster.start(1, MANY_GROUPS)) {
      List<GroupClient<Long, Long>> clients = spawnAll(cluster.node(0));
      List<CompletionStage<Long>> written = new ArrayList<>();
      for (int g = 0; g < GROUPS; g++) {
        written.add(clients.get(g).propose(g + 1L));
      }
      for (int g = 0; g < GROUPS; g++) {
        assertEquals(g + 1L, Await.result(written.get(g), T));
      }

      cluster.stop(0);
      java.util.concurrent.atomic.AtomicBoolean recovering = new java.util.concurrent.atomic.AtomicBoolean(true);
      for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
        Thread busy = new Thread(() -> {
          while (recovering.get()) {
            Thread.onSpinWait(); // the machine is loaded while the node recovers
          }
        }, "load-" + i);
        busy.setDaemon(true);
        busy.start();
      }
      try {
        long started = System.nanoTime();
        List<GroupClient<Long, Long>> again = spawnAll(cluster.restart(0));
        List<CompletionStage<Long>> reads = new ArrayList<>();
        for (GroupClient<Long, Long> c : again) {
          reads.add(c.read(0L));
        }
        for (int g = 0; g < GROUPS; g++) {
          assertEquals(g + 1L, Await.result(reads.get(g), T), "group g-" + g + " recovered its value");
        }
        long recoveredMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("MANY-GROUPS-RECOVERY groups=" + GROUPS + " millis=" + recoveredMillis + " (under load)");
        for (GroupClient<Long, Long> c : again) {
          GroupStatus s = Await.result(c.status(), T);
          assertEquals(0, s.restarts(), "group " + c.group() + " recovered without restarting its roles: " + s);
        }
      } finally {
        recovering.set(false);
      }
    }
  }
}
