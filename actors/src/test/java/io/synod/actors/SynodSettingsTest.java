package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.synod.paxos.GroupConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SynodSettingsTest {

  private static SynodSettings with(String hocon) {
    return SynodSettings.fromConfig(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()));
  }

  private static void assertRejected(String hocon, String mustName) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(hocon));
    assertTrue(e.getMessage().contains(mustName), "'" + e.getMessage() + "' should name " + mustName);
  }

  @Test
  void referenceConfDefaultsGiveTheCoresDefaultsInTicks() {
    GroupConfig fromConf = SynodSettings.fromConfig(ConfigFactory.load()).groupConfig("g", 0, List.of(0, 1, 2));
    assertEquals(GroupConfig.builder("g", 0, List.of(0, 1, 2)).build(), fromConf);
  }

  @Test
  void durationsRoundUpToWholeTicks() {
    GroupConfig c = with("synod.group { tick-interval = 10ms, lease = 301ms, election-timeout = 1ms }")
        .groupConfig("g", 1, List.of(1));
    assertEquals(31, c.leaseTicks());
    assertEquals(1, c.electionTimeoutTicks());
  }

  @Test
  void aBadValueFailsNamingItsKey() {
    assertRejected("synod.group.window = 0", "synod.group.window");
    assertRejected("synod.group.election-timeout = soon", "synod.group.election-timeout");
    assertRejected("synod.group.tick-interval = 0ms", "synod.group.tick-interval");
    assertRejected("synod.group.max-tick-skew-per-mille = 1000", "synod.group.max-tick-skew-per-mille");
    assertRejected("synod.group.catch-up-retry = -5ms", "synod.group.catch-up-retry");
    assertRejected("synod.group { lease = 40ms, heartbeat-interval = 30ms }", "synod.group.lease");
    assertRejected("synod.group { lease = 40ms, heartbeat-interval = 30ms }", "synod.group.heartbeat-interval");
  }

  @Test
  void checkpointAndClientSettingsAreReadAndCheckedByKey() {
    SynodSettings s = with("synod.group.checkpoint { every-instances = 7, every-bytes = 1 MiB, chunk-size = 4 KiB }\n"
        + "synod.client.request-timeout = 2 s");
    assertEquals(7, s.checkpoint().everyInstances());
    assertEquals(1 << 20, s.checkpoint().everyBytes());
    assertRejected("synod.group.checkpoint.every-bytes = 0", "synod.group.checkpoint.every-bytes");
    assertEquals(4096, s.checkpoint().chunkBytes());
    assertEquals(java.time.Duration.ofSeconds(2), s.client().requestTimeout());
    assertRejected("synod.group.checkpoint.every-instances = 0", "synod.group.checkpoint.every-instances");
    assertRejected("synod.group.checkpoint.acceptor-snapshot-every = -1", "synod.group.checkpoint.acceptor-snapshot-every");
    assertRejected("synod.group.checkpoint.chunk-size = 10 B", "synod.group.checkpoint.chunk-size");
    assertRejected("synod.group.checkpoint.interval = 0 s", "synod.group.checkpoint.interval");
    assertRejected("synod.client.request-timeout = 0 s", "synod.client.request-timeout");
    assertRejected("synod.client.retry-interval = never", "synod.client.retry-interval");
    assertRejected("synod.group.checkpoint.every-instances = many", "synod.group.checkpoint.every-instances");
    assertRejected("synod.group.checkpoint.chunk-size = 100 GiB", "synod.group.checkpoint.chunk-size");
  }

  @Test
  void persistencePluginsDefaultToSynodsOwnAndMustBeConfiguredPlugins() {
    SynodSettings.PersistenceSettings p = SynodSettings.fromConfig(ConfigFactory.load()).persistence();
    assertEquals("synod.persistence.journal", p.journalPluginId());
    assertEquals("synod.persistence.snapshot-store", p.snapshotPluginId());
    assertEquals(false, p.allowWithoutFsync());
    assertEquals("pekko.persistence.journal.inmem",
        with("synod.group.journal-plugin-id = pekko.persistence.journal.inmem").persistence().journalPluginId());
    assertRejected("synod.group.journal-plugin-id = \"\"", "synod.group.journal-plugin-id");
    assertRejected("synod.group.journal-plugin-id = no.such.journal", "synod.group.journal-plugin-id");
    assertRejected("synod.group.snapshot-plugin-id = no.such.store", "synod.group.snapshot-plugin-id");
    assertRejected("synod.group.allow-persistence-without-fsync = maybe",
        "synod.group.allow-persistence-without-fsync");
  }

  @Test
  void restartSettingsAreReadAndCheckedByKey() {
    SynodSettings s = with("synod.group.restart { min-backoff = 2 s, max-backoff = 10 s, random-factor = 0.5 }");
    assertEquals(java.time.Duration.ofSeconds(2), s.restart().minBackoff());
    assertEquals(java.time.Duration.ofSeconds(10), s.restart().maxBackoff());
    assertEquals(0.5, s.restart().randomFactor());
    SynodSettings defaults = with("");
    assertEquals(java.time.Duration.ofSeconds(1), defaults.restart().minBackoff());
    assertEquals(java.time.Duration.ofSeconds(30), defaults.restart().maxBackoff());
    assertRejected("synod.group.restart.min-backoff = 0 s", "synod.group.restart.min-backoff");
    assertRejected("synod.group.restart { min-backoff = 5 s, max-backoff = 1 s }", "synod.group.restart.max-backoff");
    assertRejected("synod.group.restart.random-factor = 1.5", "synod.group.restart.random-factor");
    assertRejected("synod.group.restart.random-factor = -0.1", "synod.group.restart.random-factor");
    assertRejected("synod.group.restart.max-backoff = never", "synod.group.restart.max-backoff");
  }

  private static void assertRejected(Runnable copy, String mustName) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, copy::run);
    assertTrue(e.getMessage().contains(mustName), "'" + e.getMessage() + "' should name " + mustName);
  }

  @Test
  void withCopiesChangeOneSettingAndCheckItAsTheConfigurationIs() {
    SynodSettings base = with("");
    SynodSettings wider = base.withWindow(64);
    assertEquals(64, wider.window());
    assertEquals(base, wider.withWindow(base.window()), "nothing else changed");
    assertEquals(with("synod.group.window = 64"), wider, "the same as configuring it");
    assertRejected(() -> base.withWindow(0), "synod.group.window");
    assertRejected(() -> base.withLease(Duration.ofMillis(40)), "synod.group.lease");
    assertRejected(() -> base.withTickInterval(Duration.ZERO), "synod.group.tick-interval");

    SynodSettings patient = base.withClient(base.client().withRequestTimeout(Duration.ofMinutes(1)));
    assertEquals(Duration.ofMinutes(1), patient.client().requestTimeout());
    assertEquals(base.client().retryInterval(), patient.client().retryInterval());
    assertRejected(() -> base.client().withRetryInterval(Duration.ZERO), "synod.client.retry-interval");
    assertEquals(4096, base.checkpoint().withChunkBytes(4096).chunkBytes());
    assertRejected(() -> base.checkpoint().withChunkBytes(10), "synod.group.checkpoint.chunk-size");
    assertRejected(() -> base.restart().withMaxBackoff(Duration.ofMillis(1)), "synod.group.restart.max-backoff");
    assertRejected(() -> base.persistence().withJournalPluginId(" "), "synod.group.journal-plugin-id");
    assertEquals(true, base.withPersistence(base.persistence().withAllowWithoutFsync(true)).persistence()
        .allowWithoutFsync());
  }
}
