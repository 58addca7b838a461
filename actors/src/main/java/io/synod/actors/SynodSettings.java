package io.synod.actors;

import com.typesafe.config.Config;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.InvalidTuningException;
import io.synod.paxos.Tuning;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.ActorSystem;

/**
 * The settings of every Paxos group on a node, read once from {@code synod.group} (see
 * {@code reference.conf}, where every key is explained) and validated: a bad value fails here,
 * with its key's full path. Times are durations; {@link #tuning()} turns them into the core's
 * ticks of {@link #tickInterval()}, and {@link #groupConfig} adds a group's identity to that. Each
 * {@code withX} (here and in the nested settings) returns a copy with one setting changed, checked
 * as a configured value is: a bad one fails naming its key.
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
    Duration sessionExpiry,
    int maxSessions,
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

    /** A copy with {@code synod.group.checkpoint.every-instances} changed. */
    public CheckpointSettings withEveryInstances(long everyInstances) {
      return new CheckpointSettings(everyInstances, everyBytes, interval, acceptorSnapshotEvery, chunkBytes,
          transferRetry);
    }

    /** A copy with {@code synod.group.checkpoint.every-bytes} changed. */
    public CheckpointSettings withEveryBytes(long everyBytes) {
      return new CheckpointSettings(everyInstances, everyBytes, interval, acceptorSnapshotEvery, chunkBytes,
          transferRetry);
    }

    /** A copy with {@code synod.group.checkpoint.interval} changed. */
    public CheckpointSettings withInterval(Duration interval) {
      return new CheckpointSettings(everyInstances, everyBytes, interval, acceptorSnapshotEvery, chunkBytes,
          transferRetry);
    }

    /** A copy with {@code synod.group.checkpoint.acceptor-snapshot-every} changed. */
    public CheckpointSettings withAcceptorSnapshotEvery(int acceptorSnapshotEvery) {
      return new CheckpointSettings(everyInstances, everyBytes, interval, acceptorSnapshotEvery, chunkBytes,
          transferRetry);
    }

    /** A copy with {@code synod.group.checkpoint.chunk-size} changed. */
    public CheckpointSettings withChunkBytes(int chunkBytes) {
      return new CheckpointSettings(everyInstances, everyBytes, interval, acceptorSnapshotEvery, chunkBytes,
          transferRetry);
    }

    /** A copy with {@code synod.group.checkpoint.transfer-retry} changed. */
    public CheckpointSettings withTransferRetry(Duration transferRetry) {
      return new CheckpointSettings(everyInstances, everyBytes, interval, acceptorSnapshotEvery, chunkBytes,
          transferRetry);
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

    /** A copy with {@code synod.group.journal-plugin-id} changed. */
    public PersistenceSettings withJournalPluginId(String journalPluginId) {
      return new PersistenceSettings(journalPluginId, snapshotPluginId, allowWithoutFsync);
    }

    /** A copy with {@code synod.group.snapshot-plugin-id} changed. */
    public PersistenceSettings withSnapshotPluginId(String snapshotPluginId) {
      return new PersistenceSettings(journalPluginId, snapshotPluginId, allowWithoutFsync);
    }

    /** A copy with {@code synod.group.allow-persistence-without-fsync} changed. */
    public PersistenceSettings withAllowWithoutFsync(boolean allowWithoutFsync) {
      return new PersistenceSettings(journalPluginId, snapshotPluginId, allowWithoutFsync);
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

    /** A copy with {@code synod.client.request-timeout} changed. */
    public ClientSettings withRequestTimeout(Duration requestTimeout) {
      return new ClientSettings(requestTimeout, retryInterval);
    }

    /** A copy with {@code synod.client.retry-interval} changed. */
    public ClientSettings withRetryInterval(Duration retryInterval) {
      return new ClientSettings(requestTimeout, retryInterval);
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

    /** A copy with {@code synod.group.restart.min-backoff} changed. */
    public RestartSettings withMinBackoff(Duration minBackoff) {
      return new RestartSettings(minBackoff, maxBackoff, randomFactor);
    }

    /** A copy with {@code synod.group.restart.max-backoff} changed. */
    public RestartSettings withMaxBackoff(Duration maxBackoff) {
      return new RestartSettings(minBackoff, maxBackoff, randomFactor);
    }

    /** A copy with {@code synod.group.restart.random-factor} changed. */
    public RestartSettings withRandomFactor(double randomFactor) {
      return new RestartSettings(minBackoff, maxBackoff, randomFactor);
    }
  }

  private static void positive(String key, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be positive, got " + d);
    }
  }

  /** Every setting, checked as configured values are: a bad one fails naming its key. */
  public SynodSettings(Duration tickInterval, int window, int maxBatchCommands, int maxBatchBytes,
      int maxPendingCommands, Duration retransmitAfter, Duration heartbeatInterval, Duration electionTimeout,
      Duration electionJitter, Duration prepareTimeout, Duration lease, int maxTickSkewPerMille, int catchUpBatch,
      Duration catchUpRetry, int sessionWindow, int maxForwardHops, Duration sessionExpiry, int maxSessions,
      CheckpointSettings checkpoint, PersistenceSettings persistence, ClientSettings client, RestartSettings restart) {
    positive(PATH + ".tick-interval", tickInterval);
    if (checkpoint == null || persistence == null || client == null || restart == null) {
      throw new IllegalArgumentException("checkpoint, persistence, client and restart settings are required");
    }
    this.tickInterval = tickInterval;
    this.window = window;
    this.maxBatchCommands = maxBatchCommands;
    this.maxBatchBytes = maxBatchBytes;
    this.maxPendingCommands = maxPendingCommands;
    this.retransmitAfter = retransmitAfter;
    this.heartbeatInterval = heartbeatInterval;
    this.electionTimeout = electionTimeout;
    this.electionJitter = electionJitter;
    this.prepareTimeout = prepareTimeout;
    this.lease = lease;
    this.maxTickSkewPerMille = maxTickSkewPerMille;
    this.catchUpBatch = catchUpBatch;
    this.catchUpRetry = catchUpRetry;
    this.sessionWindow = sessionWindow;
    this.maxForwardHops = maxForwardHops;
    this.sessionExpiry = sessionExpiry;
    this.maxSessions = maxSessions;
    this.checkpoint = checkpoint;
    this.persistence = persistence;
    this.client = client;
    this.restart = restart;
    // The core checks what the values add up to (each in range, the lease against the heartbeat);
    // build its tuning once now, so that a bad value fails here and never in groupConfig.
    tuning();
  }

  /**
   * The protocol's limits and timeouts as the core counts them: every duration in whole ticks of
   * {@link #tickInterval()}, rounded up.
   */
  public Tuning tuning() {
    try {
      return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands,
          ticks("retransmit-after", retransmitAfter), ticks("heartbeat-interval", heartbeatInterval),
          ticks("election-timeout", electionTimeout), ticks("election-jitter", electionJitter),
          ticks("prepare-timeout", prepareTimeout), ticks("lease", lease), maxTickSkewPerMille, catchUpBatch,
          ticks("catch-up-retry", catchUpRetry), sessionWindow, maxForwardHops, millis("session-expiry", sessionExpiry),
          maxSessions);
    } catch (InvalidTuningException e) {
      boolean inTicks = e.components().stream().anyMatch(c -> tuningKey(c).inTicks());
      throw new IllegalArgumentException(e.describe(SynodSettings::keyOf)
          + (inTicks ? " (in ticks of " + PATH + ".tick-interval, " + tickInterval + ")" : ""), e);
    }
  }

  /** Where each component of {@link Tuning} is configured, and whether it is a duration turned into ticks. */
  private record TuningKey(String key, boolean inTicks) {}

  private static final Map<String, TuningKey> TUNING_KEYS = Map.ofEntries(
      Map.entry("window", new TuningKey("window", false)),
      Map.entry("maxBatchCommands", new TuningKey("max-batch-commands", false)),
      Map.entry("maxBatchBytes", new TuningKey("max-batch-bytes", false)),
      Map.entry("maxPendingCommands", new TuningKey("max-pending-commands", false)),
      Map.entry("retransmitTicks", new TuningKey("retransmit-after", true)),
      Map.entry("heartbeatTicks", new TuningKey("heartbeat-interval", true)),
      Map.entry("electionTimeoutTicks", new TuningKey("election-timeout", true)),
      Map.entry("electionJitterTicks", new TuningKey("election-jitter", true)),
      Map.entry("prepareTimeoutTicks", new TuningKey("prepare-timeout", true)),
      Map.entry("leaseTicks", new TuningKey("lease", true)),
      Map.entry("maxSkewPerMille", new TuningKey("max-tick-skew-per-mille", false)),
      Map.entry("catchUpBatch", new TuningKey("catch-up-batch", false)),
      Map.entry("catchUpRetryTicks", new TuningKey("catch-up-retry", true)),
      Map.entry("sessionWindow", new TuningKey("session-window", false)),
      Map.entry("maxForwardHops", new TuningKey("max-forward-hops", false)),
      Map.entry("sessionExpiryMillis", new TuningKey("session-expiry", false)),
      Map.entry("maxSessions", new TuningKey("max-sessions", false)));

  /** The full path of the key that a component of {@link Tuning} is read from. */
  static String keyOf(String tuningComponent) {
    return PATH + "." + tuningKey(tuningComponent).key();
  }

  private static TuningKey tuningKey(String tuningComponent) {
    TuningKey k = TUNING_KEYS.get(tuningComponent);
    if (k == null) {
      throw new IllegalStateException("no key under " + PATH + " for the tuning's " + tuningComponent);
    }
    return k;
  }

  /** {@code d} in whole ticks of {@link #tickInterval}, rounded up: a positive duration is at least one tick. */
  private int ticks(String key, Duration d) {
    positive(PATH + "." + key, d);
    long whole = (d.toNanos() + tickInterval.toNanos() - 1) / tickInterval.toNanos();
    if (whole > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(PATH + "." + key + " is " + whole + " ticks of " + tickInterval
          + ", too many");
    }
    return (int) whole;
  }

  /** {@code d} in whole milliseconds, rounded down; a positive duration below one millisecond is refused. */
  private static long millis(String key, Duration d) {
    positive(PATH + "." + key, d);
    if (d.toMillis() < 1) {
      throw new IllegalArgumentException(PATH + "." + key + " must be at least 1 ms, got " + d);
    }
    return d.toMillis();
  }

  public static SynodSettings create(ActorSystem system) {
    return fromConfig(system.settings().config());
  }

  public static SynodSettings create(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return fromConfig(system.settings().config());
  }

  /**
   * Reads {@code synod.group} and {@code synod.client} from a whole configuration.
   *
   * @throws IllegalArgumentException naming the full path of a key that is missing or bad
   */
  public static SynodSettings fromConfig(Config root) {
    return SettingsReader.read(root);
  }

  // ---- copies with one setting changed ----

  /** A copy with {@code synod.group.tick-interval} changed. */
  public SynodSettings withTickInterval(Duration tickInterval) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.window} changed. */
  public SynodSettings withWindow(int window) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.max-batch-commands} changed. */
  public SynodSettings withMaxBatchCommands(int maxBatchCommands) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.max-batch-bytes} changed. */
  public SynodSettings withMaxBatchBytes(int maxBatchBytes) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.max-pending-commands} changed. */
  public SynodSettings withMaxPendingCommands(int maxPendingCommands) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.retransmit-after} changed. */
  public SynodSettings withRetransmitAfter(Duration retransmitAfter) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.heartbeat-interval} changed. */
  public SynodSettings withHeartbeatInterval(Duration heartbeatInterval) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.election-timeout} changed. */
  public SynodSettings withElectionTimeout(Duration electionTimeout) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.election-jitter} changed. */
  public SynodSettings withElectionJitter(Duration electionJitter) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.prepare-timeout} changed. */
  public SynodSettings withPrepareTimeout(Duration prepareTimeout) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.lease} changed. */
  public SynodSettings withLease(Duration lease) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.max-tick-skew-per-mille} changed. */
  public SynodSettings withMaxTickSkewPerMille(int maxTickSkewPerMille) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.catch-up-batch} changed. */
  public SynodSettings withCatchUpBatch(int catchUpBatch) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.catch-up-retry} changed. */
  public SynodSettings withCatchUpRetry(Duration catchUpRetry) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.session-window} changed. */
  public SynodSettings withSessionWindow(int sessionWindow) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.session-expiry} changed. */
  public SynodSettings withSessionExpiry(Duration sessionExpiry) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.max-sessions} changed. */
  public SynodSettings withMaxSessions(int maxSessions) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with {@code synod.group.max-forward-hops} changed. */
  public SynodSettings withMaxForwardHops(int maxForwardHops) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with other checkpoint settings. */
  public SynodSettings withCheckpoint(CheckpointSettings checkpoint) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with other persistence settings. */
  public SynodSettings withPersistence(PersistenceSettings persistence) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with other client settings. */
  public SynodSettings withClient(ClientSettings client) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** A copy with other restart settings. */
  public SynodSettings withRestart(RestartSettings restart) {
    return new SynodSettings(tickInterval, window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitAfter,
        heartbeatInterval, electionTimeout, electionJitter, prepareTimeout, lease, maxTickSkewPerMille, catchUpBatch,
        catchUpRetry, sessionWindow, maxForwardHops, sessionExpiry, maxSessions, checkpoint, persistence, client,
        restart);
  }

  /** The core's configuration for one group on node {@code self}: its identity and {@link #tuning()}. */
  public GroupConfig groupConfig(String group, int self, List<Integer> members) {
    return groupConfig(group, self, members, List.of(), false);
  }

  /** As {@link #groupConfig(String, int, List)}, with learners, for a node that may be joining. */
  public GroupConfig groupConfig(String group, int self, List<Integer> members, List<Integer> learners,
      boolean joining) {
    return new GroupConfig(group, self, members, learners, joining, tuning());
  }
}
