package io.synod.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.synod.paxos.GroupConfig;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.ActorSystem;

/**
 * The settings of every Paxos group on a node, read once from {@code synod.group} (see
 * {@code reference.conf}, where every key is explained) and validated: a bad value fails here,
 * with its key's full path. Times are durations; {@link #groupConfig} turns them into the core's
 * ticks of {@link #tickInterval()}.
 */
public record SynodSettings(
    Duration tickInterval,
    int window,
    int maxBatchCommands,
    int maxBatchBytes,
    int maxPendingCommands,
    Duration retransmitAfter,
    Duration heartbeatInterval,
    Duration electionTimeout,
    Duration electionJitter,
    Duration prepareTimeout,
    Duration lease,
    int maxTickSkewPerMille,
    int catchUpBatch,
    Duration catchUpRetry,
    int sessionWindow,
    int maxForwardHops,
    CheckpointSettings checkpoint,
    PersistenceSettings persistence,
    ClientSettings client,
    RestartSettings restart) {

  public static final String PATH = "synod.group";
  public static final String CLIENT_PATH = "synod.client";

  /**
   * When a group takes a checkpoint (every {@code everyInstances} applied instances, when the
   * values kept since the last one reach {@code everyBytes}, or after {@code interval} if anything
   * was applied since), how often an acceptor compacts its journal
   * ({@code acceptorSnapshotEvery} events), and how checkpoints travel to lagging nodes.
   */
  public record CheckpointSettings(long everyInstances, long everyBytes, Duration interval, int acceptorSnapshotEvery,
      int chunkBytes, Duration transferRetry) {
    public CheckpointSettings {
      String p = PATH + ".checkpoint.";
      if (everyInstances < 1) {
        throw new IllegalArgumentException(p + "every-instances must be >= 1, got " + everyInstances);
      }
      if (everyBytes < 1) {
        throw new IllegalArgumentException(p + "every-bytes must be >= 1, got " + everyBytes);
      }
      positive(p + "interval", interval);
      if (acceptorSnapshotEvery < 1) {
        throw new IllegalArgumentException(p + "acceptor-snapshot-every must be >= 1, got " + acceptorSnapshotEvery);
      }
      if (chunkBytes < 1024 || chunkBytes > 16 * 1024 * 1024) {
        throw new IllegalArgumentException(p + "chunk-size must be between 1 KiB and 16 MiB, got " + chunkBytes);
      }
      positive(p + "transfer-retry", transferRetry);
    }
  }

  /**
   * Where every group keeps its acceptor journal and checkpoints: the Pekko Persistence plugins
   * {@code journalPluginId} and {@code snapshotPluginId} (Synod's own by default, whatever the actor
   * system's default journal is), and whether a node may run on plugins that Synod does not know to
   * force every write to disk ({@code allowWithoutFsync}; checked when Synod starts on a node).
   */
  public record PersistenceSettings(String journalPluginId, String snapshotPluginId, boolean allowWithoutFsync) {
    public PersistenceSettings {
      named("journal-plugin-id", journalPluginId);
      named("snapshot-plugin-id", snapshotPluginId);
    }

    private static void named(String key, String pluginId) {
      if (pluginId == null || pluginId.isBlank()) {
        throw new IllegalArgumentException(PATH + "." + key + " must name a Pekko Persistence plugin, got '" + pluginId
            + "'");
      }
    }
  }

  /**
   * How a {@link GroupClient} waits: a request fails after {@code requestTimeout}; until then a
   * waiting command is submitted again every {@code retryInterval}.
   */
  public record ClientSettings(Duration requestTimeout, Duration retryInterval) {
    public ClientSettings {
      positive(CLIENT_PATH + ".request-timeout", requestTimeout);
      positive(CLIENT_PATH + ".retry-interval", retryInterval);
    }
  }

  /**
   * How a group's roles on a node are restarted after one of them failed (a journal write or
   * replay that failed or timed out): after {@code minBackoff}, then twice as long after each
   * further failure up to {@code maxBackoff}, each delay stretched by up to {@code randomFactor}
   * of itself at random. Once the roles have run for {@code maxBackoff} without failing, the next
   * failure counts as the first again.
   */
  public record RestartSettings(Duration minBackoff, Duration maxBackoff, double randomFactor) {
    public RestartSettings {
      String p = PATH + ".restart.";
      positive(p + "min-backoff", minBackoff);
      positive(p + "max-backoff", maxBackoff);
      if (maxBackoff.compareTo(minBackoff) < 0) {
        throw new IllegalArgumentException(p + "max-backoff (" + maxBackoff + ") must be at least " + p
            + "min-backoff (" + minBackoff + ")");
      }
      if (!(randomFactor >= 0 && randomFactor <= 1)) {
        throw new IllegalArgumentException(p + "random-factor must be between 0 and 1, got " + randomFactor);
      }
    }
  }

  private static void positive(String key, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be positive, got " + d);
    }
  }

  public SynodSettings {
    if (tickInterval.isZero() || tickInterval.isNegative()) {
      throw new IllegalArgumentException(PATH + ".tick-interval must be positive, got " + tickInterval);
    }
    if (checkpoint == null || persistence == null || client == null || restart == null) {
      throw new IllegalArgumentException("checkpoint, persistence, client and restart settings are required");
    }
    if (maxTickSkewPerMille < 0 || maxTickSkewPerMille >= 1000) {
      throw new IllegalArgumentException(PATH + ".max-tick-skew-per-mille must be in [0, 1000), got "
          + maxTickSkewPerMille);
    }
    // Let the core validate what the ticks add up to (lease against heartbeat, ranges), and name
    // the key it is about.
    // (The fields are not assigned yet inside a compact constructor: pass the parameters.)
    try {
      toGroupConfig(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
          heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
          catchUpRetry, sessionWindow, maxForwardHops, "settings-check", 0, List.of(0)).build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid " + PATH + " settings: " + inKeys(e.getMessage()), e);
    }
  }

  /** The core names its fields; an operator edits keys: say which. */
  private static String inKeys(String coreMessage) {
    String m = coreMessage;
    String[][] names = {
      {"leaseTicks", PATH + ".lease (in ticks)"},
      {"heartbeatTicks", PATH + ".heartbeat-interval (in ticks)"},
      {"maxSkewPerMille", PATH + ".max-tick-skew-per-mille"},
    };
    for (String[] n : names) {
      m = m.replace(n[0], n[1]);
    }
    return m;
  }

  public static SynodSettings create(ActorSystem system) {
    return fromConfig(system.settings().config());
  }

  public static SynodSettings create(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return fromConfig(system.settings().config());
  }

  /** Reads {@code synod.group} and {@code synod.client} from a whole configuration. */
  public static SynodSettings fromConfig(Config root) {
    // Every key is read by its full path, so Typesafe Config's errors name it in full.
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

  /** The core's configuration for one group on node {@code self}, times converted to ticks. */
  public GroupConfig groupConfig(String group, int self, List<Integer> members) {
    return groupConfig(group, self, members, List.of(), false);
  }

  /** As {@link #groupConfig(String, int, List)}, with learners, for a node that may be joining. */
  public GroupConfig groupConfig(String group, int self, List<Integer> members, List<Integer> learners,
      boolean joining) {
    return toGroupConfig(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, group, self, members).learners(learners).joining(joining).build();
  }

  private static GroupConfig.Builder toGroupConfig(Duration tickInterval, int window, int maxBatchCommands,
      int maxBatchBytes, int maxPendingCommands, Duration retransmitAfter, Duration heartbeatInterval,
      Duration electionTimeout, Duration electionJitter, Duration prepareTimeout, Duration lease,
      int maxTickSkewPerMille, int catchUpBatch, Duration catchUpRetry, int sessionWindow, int maxForwardHops,
      String group, int self, List<Integer> members) {
    return GroupConfig.builder(group, self, members)
        .window(check("window", window))
        .maxBatchCommands(check("max-batch-commands", maxBatchCommands))
        .maxBatchBytes(check("max-batch-bytes", maxBatchBytes))
        .maxPendingCommands(check("max-pending-commands", maxPendingCommands))
        .retransmitTicks(ticks(tickInterval, "retransmit-after", retransmitAfter))
        .heartbeatTicks(ticks(tickInterval, "heartbeat-interval", heartbeatInterval))
        .electionTimeoutTicks(ticks(tickInterval, "election-timeout", electionTimeout))
        .electionJitterTicks(ticks(tickInterval, "election-jitter", electionJitter))
        .prepareTimeoutTicks(ticks(tickInterval, "prepare-timeout", prepareTimeout))
        .leaseTicks(ticks(tickInterval, "lease", lease))
        .maxSkewPerMille(maxTickSkewPerMille)
        .catchUpBatch(check("catch-up-batch", catchUpBatch))
        .catchUpRetryTicks(ticks(tickInterval, "catch-up-retry", catchUpRetry))
        .sessionWindow(check("session-window", sessionWindow))
        .maxForwardHops(check("max-forward-hops", maxForwardHops));
  }

  private static int ticks(Duration tickInterval, String key, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(PATH + "." + key + " must be positive, got " + d);
    }
    long whole = (d.toNanos() + tickInterval.toNanos() - 1) / tickInterval.toNanos();
    if (whole > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(PATH + "." + key + " is " + whole + " ticks of " + tickInterval + ", too many");
    }
    return (int) whole;
  }

  private static int check(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(PATH + "." + key + " must be >= 1, got " + value);
    }
    return value;
  }
}
