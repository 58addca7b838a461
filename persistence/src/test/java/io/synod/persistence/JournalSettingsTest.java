package io.synod.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;

/** The journal's settings as read from config: the documented defaults, and errors that name the bad key. */
class JournalSettingsTest {

  private static final String PATH = "synod.persistence.journal";

  /** The journal's block of reference.conf with {@code overrides} (relative to the block) on top. */
  private static Config journalConfig(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference().getConfig(PATH));
  }

  private static void assertFailsNaming(String key, String overrides) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JournalSettings.fromConfig(journalConfig(overrides), PATH));
    assertTrue(e.getMessage().contains(key), "the message should name " + key + ": " + e.getMessage());
  }

  @Test
  void referenceConfHasTheDocumentedDefaults() {
    JournalSettings s = JournalSettings.fromConfig(journalConfig("dir = \"/var/lib/journal\""), PATH);
    assertEquals(new JournalSettings(Path.of("/var/lib/journal"), true, 4096, 16L << 20, Duration.ZERO,
        RollCycles.FAST_HOURLY), s);
  }

  @Test
  void blankDirFailsNamingTheKey() {
    assertFailsNaming("synod.persistence.journal.dir", "dir = \"  \"");
  }

  @Test
  void dirLeftAtItsDefaultFailsNamingTheKey() {
    assertFailsNaming("synod.persistence.journal.dir", "");
  }

  @Test
  void unknownRollCycleFailsNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JournalSettings.fromConfig(journalConfig("dir = \"/tmp/j\", roll-cycle = \"EVERY_FULL_MOON\""), PATH));
    assertTrue(e.getMessage().contains("synod.persistence.journal.roll-cycle"), e.getMessage());
    assertTrue(e.getMessage().contains("EVERY_FULL_MOON"), "the message should quote the bad value: " + e.getMessage());
  }

  @Test
  void mistypedValueFailsNamingTheKey() {
    assertFailsNaming("synod.persistence.journal.max-batch-writes", "dir = \"/tmp/j\", max-batch-writes = lots");
  }

  @Test
  void outOfRangeValueFailsNamingTheKeyWhereThePluginIsConfigured() {
    // A second journal configured under another path must be told about its own keys.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JournalSettings.fromConfig(journalConfig("dir = \"/tmp/j\", max-batch-writes = 0"), "my.other-journal"));
    assertTrue(e.getMessage().contains("my.other-journal.max-batch-writes"), e.getMessage());
  }

  @Test
  void negativeMaxWaitFailsNamingTheKey() {
    assertFailsNaming("synod.persistence.journal.max-wait", "dir = \"/tmp/j\", max-wait = -1 ms");
  }
}
