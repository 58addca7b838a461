package io.synod.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiFunction;
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
    validate(PATH, dir, maxBatchWrites, maxBatchBytes, maxWait, rollCycle);
  }

  /** Rejects impossible values; {@code path} is where the plugin's config sits, for the messages. */
  private static void validate(
      String path, Path dir, int maxBatchWrites, long maxBatchBytes, Duration maxWait, RollCycle rollCycle) {
    if (dir == null) {
      throw new IllegalArgumentException(path + ".dir must be set to the journal's directory");
    }
    if (maxBatchWrites < 1) {
      throw new IllegalArgumentException(path + ".max-batch-writes must be >= 1, got " + maxBatchWrites);
    }
    if (maxBatchBytes < 1) {
      throw new IllegalArgumentException(path + ".max-batch-bytes must be >= 1, got " + maxBatchBytes);
    }
    if (maxWait == null || maxWait.isNegative()) {
      throw new IllegalArgumentException(path + ".max-wait must not be negative, got " + maxWait);
    }
    if (rollCycle == null) {
      throw new IllegalArgumentException(path + ".roll-cycle must be set");
    }
  }

  /** Reads the plugin's config block; {@code path} is where it sits, for error messages. */
  public static JournalSettings fromConfig(Config config, String path) {
    String dir = read(config, path, "dir", Config::getString);
    if (dir.isBlank()) {
      throw new IllegalArgumentException(path + ".dir must be set to the journal's directory");
    }
    String cycle = read(config, path, "roll-cycle", Config::getString);
    RollCycle rollCycle;
    try {
      rollCycle = RollCycles.valueOf(cycle);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ".roll-cycle: unknown roll cycle '" + cycle
          + "', expected one of Chronicle's RollCycles such as FAST_HOURLY or FAST_DAILY", e);
    }
    Path d;
    try {
      d = Path.of(dir);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(path + ".dir: '" + dir + "' is not a valid path: " + e.getMessage(), e);
    }
    boolean fsync = read(config, path, "fsync", Config::getBoolean);
    int maxBatchWrites = read(config, path, "max-batch-writes", Config::getInt);
    long maxBatchBytes = read(config, path, "max-batch-bytes", Config::getBytes);
    Duration maxWait = read(config, path, "max-wait", Config::getDuration);
    // Checked here too, so that the message names the key where this plugin is really configured.
    validate(path, d, maxBatchWrites, maxBatchBytes, maxWait, rollCycle);
    return new JournalSettings(d, fsync, maxBatchWrites, maxBatchBytes, maxWait, rollCycle);
  }

  /** Reads one key; a missing or mistyped value fails naming the key's full path. */
  private static <T> T read(Config config, String path, String key, BiFunction<Config, String, T> get) {
    try {
      return get.apply(config, key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(path + "." + key + ": " + e.getMessage(), e);
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
