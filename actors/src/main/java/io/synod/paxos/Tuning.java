package io.synod.paxos;

import java.util.List;

/**
 * The protocol's limits and timeouts, the same for every role of a group on a node: counts, and
 * times in ticks (the core's only unit of time). Which node is which lives in {@link GroupConfig};
 * this is only how the protocol runs. It validates itself: a value out of range, or values that do
 * not fit together, fail with an {@link InvalidTuningException} naming the components at fault.
 * {@link #DEFAULTS} suit a tick of about 10 ms; each {@code withX} returns a copy with one value
 * changed, checked again.
 *
 * <p><b>Lease and clock skew.</b> An acceptor that grants a lease refuses other proposers for
 * {@code leaseTicks} of its own ticks from when the request reached it. The leader counts its lease
 * from when it <em>sent</em> the request, for {@link #leaderLeaseTicks()} of its own ticks. Assuming
 * every node's tick rate is within {@code maxSkewPerMille}/1000 of real time, that is shorter in
 * real time than any granting acceptor's promise, so no two nodes ever believe they hold a lease at
 * once. A node whose clock runs faster or slower than that bound breaks lease reads (not the log).
 *
 * @param window instances in flight (proposed, not yet chosen) at the leader
 * @param maxBatchCommands client commands in one instance's value
 * @param maxBatchBytes bytes of commands in one value, and of values in one message that carries several
 * @param maxPendingCommands commands waiting for a free slot in the window; more are refused
 * @param retransmitTicks ticks before an unanswered accept or prepare is sent again
 * @param heartbeatTicks ticks between the leader's heartbeats, which also renew its lease
 * @param electionTimeoutTicks ticks without a leader before a follower campaigns (plus jitter)
 * @param electionJitterTicks the random part of the election timeout: 1 to this many ticks more
 * @param prepareTimeoutTicks ticks before a candidate gives up a phase-1 round
 * @param leaseTicks ticks an acceptor that granted a lease refuses other proposers
 * @param maxSkewPerMille how far any node's tick rate may be from real time, in per mille
 * @param catchUpBatch chosen instances a lagging learner asks a peer for at once
 * @param catchUpRetryTicks ticks without progress before a lagging learner asks again
 * @param sessionWindow recent results kept per client for exactly-once replies
 * @param maxForwardHops times a client command is passed between nodes on its way to the leader
 * @param sessionExpiryMillis a client session none of whose commands was applied for this long of the
 *     log's time expires; <b>milliseconds of the log's time</b> (the leaders' wall clocks, as the
 *     values they proposed are stamped), not ticks. See {@code Sessions}.
 * @param maxSessions at most this many client sessions are kept; past it, the least recently used
 *     expire first
 */
public record Tuning(
    int window,
    int maxBatchCommands,
    int maxBatchBytes,
    int maxPendingCommands,
    int retransmitTicks,
    int heartbeatTicks,
    int electionTimeoutTicks,
    int electionJitterTicks,
    int prepareTimeoutTicks,
    int leaseTicks,
    int maxSkewPerMille,
    int catchUpBatch,
    int catchUpRetryTicks,
    int sessionWindow,
    int maxForwardHops,
    long sessionExpiryMillis,
    int maxSessions) {

  /**
   * Defaults for a tick of about 10 ms: a 200 ms election timeout, a 300 ms acceptor lease; sessions
   * expire after an hour of the log's time, and at most 10,000 are kept.
   */
  public static final Tuning DEFAULTS =
      new Tuning(32, 256, 128 << 10, 10_000, 5, 3, 20, 10, 10, 30, 100, 64, 5, 64, 2, 3_600_000L, 10_000);

  public Tuning {
    positive("window", window);
    positive("maxBatchCommands", maxBatchCommands);
    positive("maxBatchBytes", maxBatchBytes);
    positive("maxPendingCommands", maxPendingCommands);
    positive("retransmitTicks", retransmitTicks);
    positive("heartbeatTicks", heartbeatTicks);
    positive("electionTimeoutTicks", electionTimeoutTicks);
    positive("electionJitterTicks", electionJitterTicks);
    positive("prepareTimeoutTicks", prepareTimeoutTicks);
    positive("leaseTicks", leaseTicks);
    positive("catchUpBatch", catchUpBatch);
    positive("catchUpRetryTicks", catchUpRetryTicks);
    positive("sessionWindow", sessionWindow);
    if (maxSkewPerMille < 0 || maxSkewPerMille >= 1000) {
      throw new InvalidTuningException(List.of("maxSkewPerMille"), "must be in [0, 1000), got " + maxSkewPerMille);
    }
    positive("maxForwardHops", maxForwardHops);
    if (sessionExpiryMillis < 1) {
      throw new InvalidTuningException(List.of("sessionExpiryMillis"), "must be >= 1, got " + sessionExpiryMillis);
    }
    positive("maxSessions", maxSessions);
    long leaderLease = leaderLease(leaseTicks, maxSkewPerMille);
    if (leaderLease <= heartbeatTicks) {
      throw new InvalidTuningException(List.of("leaseTicks", "maxSkewPerMille", "heartbeatTicks"),
          "must leave the leader a lease longer than a heartbeat, so that it is renewed before it runs out: a lease"
          + " of " + leaseTicks + " ticks with a skew of " + maxSkewPerMille + " per mille leaves the leader "
          + leaderLease + " ticks, not more than a heartbeat of " + heartbeatTicks);
    }
  }

  /**
   * How many of its own ticks the leader may count its lease from sending the request: {@code
   * (leaseTicks - 1) * (1000 - skew) / (1000 + skew)}, rounded down. The acceptor's promise lasts at
   * least {@code leaseTicks - 1} whole ticks after the request arrives (it may arrive just before
   * the acceptor's next tick); the factor covers the fastest leader against the slowest acceptor.
   */
  public long leaderLeaseTicks() {
    return leaderLease(leaseTicks, maxSkewPerMille);
  }

  private static long leaderLease(int leaseTicks, int skew) {
    return (long) (leaseTicks - 1) * (1000 - skew) / (1000 + skew);
  }

  private static void positive(String component, int value) {
    if (value < 1) {
      throw new InvalidTuningException(List.of(component), "must be >= 1, got " + value);
    }
  }

  // ---- copies with one value changed ----

  public Tuning withWindow(int v) {
    return new Tuning(v, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withMaxBatchCommands(int v) {
    return new Tuning(window, v, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withMaxBatchBytes(int v) {
    return new Tuning(window, maxBatchCommands, v, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withMaxPendingCommands(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, v, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withRetransmitTicks(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, v, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withHeartbeatTicks(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, v,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withElectionTimeoutTicks(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        v, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withElectionJitterTicks(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, v, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withPrepareTimeoutTicks(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, v, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withLeaseTicks(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, v, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withMaxSkewPerMille(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, v, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withCatchUpBatch(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, v,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withCatchUpRetryTicks(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        v, sessionWindow, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withSessionWindow(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, v, maxForwardHops, sessionExpiryMillis,
        maxSessions);
  }

  public Tuning withSessionExpiryMillis(long v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, v, maxSessions);
  }

  public Tuning withMaxSessions(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, maxForwardHops, sessionExpiryMillis, v);
  }

  public Tuning withMaxForwardHops(int v) {
    return new Tuning(window, maxBatchCommands, maxBatchBytes, maxPendingCommands, retransmitTicks, heartbeatTicks,
        electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks, leaseTicks, maxSkewPerMille, catchUpBatch,
        catchUpRetryTicks, sessionWindow, v, sessionExpiryMillis,
        maxSessions);
  }
}
