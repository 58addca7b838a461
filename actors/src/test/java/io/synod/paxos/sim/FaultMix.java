package io.synod.paxos.sim;

import io.synod.paxos.Tuning;
import java.util.SplittableRandom;

/**
 * The shape of one simulated run, drawn from its seed (swarm testing: every seed picks its own
 * cluster, load and mix of faults, so rare combinations get their turn). Times are in simulated
 * units; one nominal tick is {@link #TICK} units.
 *
 * <p>{@code pausePerTick} and {@code maxPause}: how often a node stops (a long GC, SIGSTOP) and
 * for how long at most; {@code pauseLeaderShare}: how often the pause hits a group's leader rather
 * than any node; {@code readAfterResume}: how likely an application on the resumed node reads
 * there at once. {@code acceptorSnapshotPerWrite}: how often a shell snapshots an acceptor after a
 * write leaves none pending; {@code snapshotRecoveryShare}: how often a restart recovers an
 * acceptor from a stored snapshot and the records after it rather than from all its records.
 * {@code transferPerTick}: how often an operator asks a group's leader to hand leadership to
 * another member, picked at random. {@code membershipPerTick}: how often an operator asks a running
 * node, picked at random, for a change of a group's membership: a random op on a random node among
 * all nodes ({@link SimOperator}); {@code spareNodes}: nodes beyond {@code nodes} that are in no
 * group at first and join when a change adds them. {@code preferredLeader}: the node every group
 * prefers as its leader ({@code GroupConfig.preferredLeader}), or -1. {@code sessionExpiryMillis}
 * and {@code maxSessions}: how the groups expire client sessions (0: the library's defaults, which
 * no run is long enough to reach); {@code wallClockSpreadMillis}: how far each node's wall clock,
 * which stamps the values it proposes as leader, may be off, either way.
 */
record FaultMix(
    int nodes,
    int groups,
    int clientsPerGroup,
    int window,
    int maxBatchCommands,
    int catchUpBatch,
    long faultPhase,
    double loss,
    double duplication,
    double corruption,
    long minDelay,
    long maxDelay,
    double crashPerTick,
    long maxDowntime,
    double survivingUnsyncedWrites,
    double partitionPerTick,
    long maxPartition,
    int skewPerMille,
    long diskLatency,
    double slowDiskPerTick,
    int checkpointEvery,
    double readShare,
    double pausePerTick,
    long maxPause,
    double acceptorSnapshotPerWrite,
    double snapshotRecoveryShare,
    double pauseLeaderShare,
    double readAfterResume,
    int maxBatchBytes,
    double transferPerTick,
    double membershipPerTick,
    int spareNodes,
    int preferredLeader,
    long sessionExpiryMillis,
    int maxSessions,
    long wallClockSpreadMillis) {

  static final long TICK = 1_000;
  /** The tick-rate skew the group configuration assumes (and the simulation stays within). */
  static final int SKEW_BOUND_PER_MILLE = 100;

  static FaultMix draw(long seed) {
    SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
    int nodes = r.nextInt(3) == 0 ? 5 : 3;
    return new FaultMix(
        nodes,
        1 + r.nextInt(3),
        pick(r, 1, 2, 4, 16),
        pick(r, 1, 4, 32),
        pick(r, 1, 8, 64),
        pick(r, 2, 16, 64),
        (400 + r.nextInt(800)) * TICK,
        pick(r, 0.0, 0.0, 0.02, 0.1, 0.3),
        pick(r, 0.0, 0.02, 0.1),
        pick(r, 0.0, 0.0, 0.01),
        20,
        pick(r, 300L, 2_000L, 8_000L, 25_000L),
        pick(r, 0.0, 0.002, 0.01, 0.03),
        pick(r, 20L, 100L, 400L) * TICK,
        pick(r, 0.0, 0.5, 1.0),
        pick(r, 0.0, 0.005, 0.02),
        pick(r, 30L, 150L, 500L) * TICK,
        r.nextBoolean() ? 0 : SKEW_BOUND_PER_MILLE,
        pick(r, 50L, 300L, 1_500L),
        pick(r, 0.0, 0.003),
        pick(r, 0, 10, 40, 200),
        pick(r, 0.0, 0.2, 0.5),
        // Drawn last, so every seed keeps the rest of the mix it had before these faults existed.
        pick(r, 0.0, 0.0, 0.003, 0.01),
        pick(r, 30L, 60L, 120L) * TICK, // up to four times the default 30-tick lease
        pick(r, 0.0, 0.02, 0.2),
        pick(r, 0.5, 1.0),
        pick(r, 0.0, 0.5, 1.0),
        pick(r, 0.0, 0.5, 1.0),
        // Small batches make phase-1 reports and re-proposals span several messages.
        pick(r, 4_096, 4_096, 128),
        // An operator asking a leader to hand over leadership to another member.
        pick(r, 0.0, 0.002, 0.01),
        // Membership changes (and the spare nodes they may add), drawn last for the same reason.
        pick(r, 0.0, 0.0, 0.002, 0.01),
        pick(r, 0, 1, 2),
        // Every group preferring node 0 as its leader (-1: no preference), drawn last for the same reason.
        pick(r, -1, -1, 0),
        // Session expiry and the leaders' clocks, drawn last for the same reason. A tick is 10 ms.
        pick(r, 0L, 0L, 0L, 300L, 2_000L),
        pick(r, 0, 0, 0, 2, 6),
        pick(r, 0L, 50L, 3_000L));
  }

  /** The tuning of every group of a run, as the mix shapes it. */
  Tuning tuning() {
    Tuning t = Tuning.DEFAULTS
        .withWindow(window)
        .withMaxBatchCommands(maxBatchCommands)
        .withMaxBatchBytes(maxBatchBytes)
        .withCatchUpBatch(catchUpBatch)
        .withMaxSkewPerMille(SKEW_BOUND_PER_MILLE);
    t = sessionExpiryMillis == 0 ? t : t.withSessionExpiryMillis(sessionExpiryMillis);
    return maxSessions == 0 ? t : t.withMaxSessions(maxSessions);
  }

  private static int pick(SplittableRandom r, int... options) {
    return options[r.nextInt(options.length)];
  }

  private static long pick(SplittableRandom r, long... options) {
    return options[r.nextInt(options.length)];
  }

  private static double pick(SplittableRandom r, double... options) {
    return options[r.nextInt(options.length)];
  }
}
