package io.synod.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

/**
 * The journal's settings, read once from its plugin config ({@code synod.persistence.journal} in
 * {@code reference.conf}) and validated; a bad value fails with the key's full path.
 */
public record JournalSettings(
    Path dir, boolean fsync, int maxBatchWrites, long maxBatchBytes, Duration maxWait, RollCycle rollCycle) {

  public static final String PATH = "synod.persistence.journal";

  public JournalSettings {
    if (dir == null) {
      throw new IllegalArgumentException(PATH + ".dir must be set to the journal's directory");
    }
    if (maxBatchWrites < 1) {
      throw new IllegalArgumentException(PATH + ".max-batch-writes must be >= 1, got " + maxBatchWrites);
    }
    if (maxBatchBytes < 1) {
      throw new IllegalArgumentException(PATH + ".max-batch-bytes must be >= 1, got " + maxBatchBytes);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException(PATH + ".max-wait must not be negative, got " + maxWait);
    }
  }

  /** Reads the plugin's config block; {@code path} is where it sits, for error messages. */
  public static JournalSettings fromConfig(Config config, String path) {
    try {
      String dir = config.getString("dir");
      if (dir.isBlank()) {
        throw new IllegalArgumentException(path + ".dir must be set to the journal's directory");
      }
      String cycle = config.getString("roll-cycle");
      RollCycle rollCycle;
      try {
        rollCycle = RollCycles.valueOf(cycle);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(path + ".roll-cycle: unknown roll cycle '" + cycle
            + "', expected one of Chronicle's RollCycles such as FAST_HOURLY or FAST_DAILY", e);
      }
      return new JournalSettings(
          Path.of(dir),
          config.getBoolean("fsync"),
          config.getInt("max-batch-writes"),
          config.getBytes("max-batch-bytes"),
          config.getDuration("max-wait"),
          rollCycle);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid journal config at " + path + ": " + e.getMessage(), e);
    }
  }

  public JournalSettings withDir(Path d) {
    return new JournalSettings(d, fsync, maxBatchWrites, maxBatchBytes, maxWait, rollCycle);
  }

  public JournalSettings withRollCycle(RollCycle c) {
    return new JournalSettings(dir, fsync, maxBatchWrites, maxBatchBytes, maxWait, c);
  }

  public JournalSettings withFsync(boolean f) {
    return new JournalSettings(dir, f, maxBatchWrites, maxBatchBytes, maxWait, rollCycle);
  }
}
