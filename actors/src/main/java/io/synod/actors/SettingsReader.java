package io.synod.actors;

import static io.synod.actors.SynodSettings.CLIENT_PATH;
import static io.synod.actors.SynodSettings.PATH;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.synod.actors.SynodSettings.CheckpointSettings;
import io.synod.actors.SynodSettings.ClientSettings;
import io.synod.actors.SynodSettings.PersistenceSettings;
import io.synod.actors.SynodSettings.RestartSettings;
import java.time.Duration;

/**
 * Reads {@link SynodSettings} from a configuration: every key of {@code synod.group} and {@code
 * synod.client} by its full path, so that a missing or malformed value fails naming it, as a value
 * out of range does in the settings' own checks.
 */
final class SettingsReader {

  private SettingsReader() {}

  static SynodSettings read(Config root) {
    Keys c = new Keys(root, PATH + ".");
    Keys k = new Keys(root, PATH + ".checkpoint.");
    Keys cl = new Keys(root, CLIENT_PATH + ".");
    Keys r = new Keys(root, PATH + ".restart.");
    try {
      return new SynodSettings(
          c.duration("tick-interval"),
          c.integer("window"),
          c.integer("max-batch-commands"),
          c.bytes("max-batch-bytes"),
          c.integer("max-pending-commands"),
          c.duration("retransmit-after"),
          c.duration("heartbeat-interval"),
          c.duration("election-timeout"),
          c.duration("election-jitter"),
          c.duration("prepare-timeout"),
          c.duration("lease"),
          c.integer("max-tick-skew-per-mille"),
          c.integer("catch-up-batch"),
          c.duration("catch-up-retry"),
          c.integer("session-window"),
          c.integer("max-forward-hops"),
          c.duration("session-expiry"),
          c.integer("max-sessions"),
          new CheckpointSettings(
              root.getLong(k.prefix + "every-instances"),
              root.getBytes(k.prefix + "every-bytes"),
              k.duration("interval"),
              k.integer("acceptor-snapshot-every"),
              k.bytes("chunk-size"),
              k.duration("transfer-retry")),
          persistence(root, c),
          new ClientSettings(cl.duration("request-timeout"), cl.duration("retry-interval")),
          new RestartSettings(r.duration("min-backoff"), r.duration("max-backoff"),
              root.getDouble(r.prefix + "random-factor")));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid synod setting: " + e.getMessage(), e);
    }
  }

  /** The plugin ids must name plugins configured in {@code root}: a typo fails here, not at a group's first write. */
  private static PersistenceSettings persistence(Config root, Keys c) {
    PersistenceSettings p = new PersistenceSettings(root.getString(c.prefix + "journal-plugin-id"),
        root.getString(c.prefix + "snapshot-plugin-id"), root.getBoolean(c.prefix + "allow-persistence-without-fsync"));
    configured(root, c.prefix + "journal-plugin-id", p.journalPluginId());
    configured(root, c.prefix + "snapshot-plugin-id", p.snapshotPluginId());
    return p;
  }

  private static void configured(Config root, String key, String pluginId) {
    if (!root.hasPath(pluginId + ".class")) {
      throw new IllegalArgumentException(key + " names '" + pluginId + "', which is not a configured Pekko Persistence"
          + " plugin (there is no " + pluginId + ".class)");
    }
  }

  /** Reads keys under one prefix of the whole configuration. */
  private record Keys(Config root, String prefix) {
    Duration duration(String key) {
      return root.getDuration(prefix + key);
    }

    int integer(String key) {
      return root.getInt(prefix + key);
    }

    int bytes(String key) {
      long b = root.getBytes(prefix + key);
      if (b > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(prefix + key + " must be below 2 GiB, got " + b + " bytes");
      }
      return (int) b;
    }
  }
}
