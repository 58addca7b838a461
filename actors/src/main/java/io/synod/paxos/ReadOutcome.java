package io.synod.paxos;

/**
 * The answer to a lease read: {@code served} with the state machine's answer and the last
 * instance the state reflects, or refused because this node holds no valid lease ({@code
 * leaderHint} names the leader it knows, or -1); a refused read should go to the leader or through
 * the log.
 */
public record ReadOutcome(long readId, boolean served, long appliedThrough, byte[] result, int leaderHint) {

  static ReadOutcome served(long readId, long appliedThrough, byte[] result) {
    return new ReadOutcome(readId, true, appliedThrough, result, -1);
  }

  static ReadOutcome refused(long readId, int leaderHint) {
    return new ReadOutcome(readId, false, -1, null, leaderHint);
  }
}
