package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Tuning;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Settings read from {@code synod.group} and {@code synod.client}: values, ticks, and refusals by key. */
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
    assertEquals(Tuning.DEFAULTS, SynodSettings.fromConfig(ConfigFactory.load()).tuning());
  }

  @Test
  void groupConfigAddsOnlyTheIdentity() {
    SynodSettings s = with("synod.group.window = 5");
    GroupConfig c = s.groupConfig("g", 4, List.of(1, 2, 3), List.of(4), false);
    assertEquals(new GroupConfig("g", 4, List.of(1, 2, 3), List.of(4), false, s.tuning()), c);
    assertEquals(5, c.tuning().window());
    assertTrue(s.groupConfig("g", 9, List.of(1, 2, 3), List.of(), true).joining());
  }

  @Test
  void durationsRoundUpToWholeTicks() {
    GroupConfig c = with("synod.group { tick-interval = 10ms, lease = 301ms, election-timeout = 1ms }")
        .groupConfig("g", 1, List.of(1));
    assertEquals(31, c.tuning().leaseTicks());
    assertEquals(1, c.tuning().electionTimeoutTicks());
  }

  /** A value a key refuses, and the message it must fail with (null: Typesafe Config's own, naming the key). */
  private record Bad(String key, String value, String message) {}

  private static final String G = "synod.group.";

  private static final List<Bad> BAD_VALUES = List.of(
      new Bad("tick-interval", "0 ms", G + "tick-interval must be positive, got PT0S"),
      new Bad("tick-interval", "often", null),
      new Bad("window", "0", G + "window must be >= 1, got 0"),
      new Bad("max-batch-commands", "0", G + "max-batch-commands must be >= 1, got 0"),
      new Bad("max-batch-bytes", "0 B", G + "max-batch-bytes must be >= 1, got 0"),
      new Bad("max-batch-bytes", "3 GiB", G + "max-batch-bytes must be below 2 GiB, got 3221225472 bytes"),
      new Bad("max-pending-commands", "-3", G + "max-pending-commands must be >= 1, got -3"),
      new Bad("retransmit-after", "0 ms", G + "retransmit-after must be positive, got PT0S"),
      new Bad("heartbeat-interval", "-10 ms", G + "heartbeat-interval must be positive, got PT-0.01S"),
      new Bad("election-timeout", "0 ms", G + "election-timeout must be positive, got PT0S"),
      new Bad("election-timeout", "soon", null),
      new Bad("election-jitter", "0 ms", G + "election-jitter must be positive, got PT0S"),
      new Bad("prepare-timeout", "0 ms", G + "prepare-timeout must be positive, got PT0S"),
      new Bad("lease", "0 ms", G + "lease must be positive, got PT0S"),
      new Bad("max-tick-skew-per-mille", "1000", G + "max-tick-skew-per-mille must be in [0, 1000), got 1000"),
      new Bad("max-tick-skew-per-mille", "-1", G + "max-tick-skew-per-mille must be in [0, 1000), got -1"),
      new Bad("catch-up-batch", "0", G + "catch-up-batch must be >= 1, got 0"),
      new Bad("catch-up-retry", "-5 ms", G + "catch-up-retry must be positive, got PT-0.005S"),
      new Bad("session-window", "0", G + "session-window must be >= 1, got 0"),
      new Bad("max-forward-hops", "0", G + "max-forward-hops must be >= 1, got 0"),
      new Bad("session-expiry", "0 s", G + "session-expiry must be positive, got PT0S"),
      new Bad("session-expiry", "500 us", G + "session-expiry must be at least 1 ms, got PT0.0005S"),
      new Bad("session-expiry", "forever", null),
      new Bad("max-sessions", "0", G + "max-sessions must be >= 1, got 0"),
      new Bad("journal-plugin-id", "no.such.journal", null),
      new Bad("snapshot-plugin-id", "no.such.store", null),
      new Bad("allow-persistence-without-fsync", "maybe", null),
      new Bad("checkpoint.every-instances", "0", G + "checkpoint.every-instances must be >= 1, got 0"),
      new Bad("checkpoint.every-bytes", "0", G + "checkpoint.every-bytes must be >= 1, got 0"),
      new Bad("checkpoint.interval", "0 s", G + "checkpoint.interval must be positive, got PT0S"),
      new Bad("checkpoint.acceptor-snapshot-every", "0", G + "checkpoint.acceptor-snapshot-every must be >= 1, got 0"),
      new Bad("checkpoint.chunk-size", "10 B", G + "checkpoint.chunk-size must be between 1 KiB and 16 MiB, got 10"),
      new Bad("checkpoint.transfer-retry", "0 s", G + "checkpoint.transfer-retry must be positive, got PT0S"),
      new Bad("restart.min-backoff", "0 s", G + "restart.min-backoff must be positive, got PT0S"),
      new Bad("restart.max-backoff", "1 ms", null),
      new Bad("restart.random-factor", "1.5", G + "restart.random-factor must be between 0 and 1, got 1.5"));

  @Test
  void everyGroupKeysBadValueFailsNamingThatKey() {
    Set<String> keys = ConfigFactory.load().getConfig(SynodSettings.PATH).entrySet().stream()
        .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(keys, BAD_VALUES.stream().map(Bad::key).collect(Collectors.toCollection(TreeSet::new)),
        "a bad value for every key of reference.conf");
    for (Bad bad : BAD_VALUES) {
      String hocon = G + bad.key() + " = \"" + bad.value() + "\"";
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(hocon), hocon);
      if (bad.message() != null) {
        assertEquals(bad.message(), e.getMessage(), hocon);
      }
      assertTrue(e.getMessage().contains(G + bad.key()), "'" + e.getMessage() + "' should name " + G + bad.key());
    }
  }

  @Test
  void aLeaseTooShortForTheHeartbeatFailsNamingEveryKeyInvolved() {
    // 40 ms and 30 ms are 4 and 3 ticks of 10 ms; (4 - 1) * 900 / 1100 = 2 ticks of leader lease.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> with("synod.group { lease = 40ms, heartbeat-interval = 30ms }"));
    assertEquals(G + "lease, " + G + "max-tick-skew-per-mille and " + G + "heartbeat-interval must leave the leader"
        + " a lease longer than a heartbeat, so that it is renewed before it runs out: a lease of 4 ticks with a skew"
        + " of 100 per mille leaves the leader 2 ticks, not more than a heartbeat of 3 (in ticks of " + G
        + "tick-interval, PT0.01S)", e.getMessage());
    assertRejected("synod.group { lease = 60ms, max-tick-skew-per-mille = 500 }", G + "max-tick-skew-per-mille");
  }

  @Test
  void everyComponentOfTheTuningIsReadFromAKeyOfReferenceConf() {
    for (RecordComponent c : Tuning.class.getRecordComponents()) {
      String key = SynodSettings.keyOf(c.getName());
      assertTrue(key.startsWith(G) && ConfigFactory.load().hasPath(key), c.getName() + " read from " + key);
    }
  }

  @Test
  void sessionExpiryReachesTheCoreInMillisecondsOfLogTimeNotInTicks() {
    SynodSettings s = with("synod.group { tick-interval = 20ms, session-expiry = 90 s, max-sessions = 5 }");
    assertEquals(Duration.ofSeconds(90), s.sessionExpiry());
    assertEquals(90_000, s.tuning().sessionExpiryMillis());
    assertEquals(5, s.tuning().maxSessions());
    assertEquals(3_600_000, with("").tuning().sessionExpiryMillis(), "an hour by default");
    assertEquals(Duration.ofMinutes(5), s.withSessionExpiry(Duration.ofMinutes(5)).sessionExpiry());
    assertEquals(7, s.withMaxSessions(7).tuning().maxSessions());
    assertRejected(() -> s.withMaxSessions(-1), G + "max-sessions");
    assertRejected(() -> s.withSessionExpiry(Duration.ofNanos(10)), G + "session-expiry");
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
