package io.synod.paxos;

/**
 * A client command met by the learner while applying instance {@code instance}, and what became of
 * it ({@link Outcome}). {@code result} is the state machine's answer for {@link Outcome#APPLIED} and
 * {@link Outcome#DUPLICATE}, null for {@link Outcome#BELOW_WINDOW}, and for {@link
 * Outcome#SESSION_EXPIRED} says where a new session's sequences must start ({@link #expiredThrough}).
 */
public record Applied(long instance, long clientId, long sequence, Outcome outcome, byte[] result) {

  public enum Outcome {
    /** Applied now, for the first time. */
    APPLIED,
    /** A retry of a command applied before: its first result again, not applied again. */
    DUPLICATE,
    /**
     * Not applied: its sequence is below its session's window (the client had moved more than a
     * session window past it, which a client keeping the contract never does). The session is alive.
     */
    BELOW_WINDOW,
    /**
     * Not applied: its session expired, and the table can no longer tell whether it was applied
     * before. The client goes on in a new session, whose sequences start above {@link
     * #expiredThrough}.
     */
    SESSION_EXPIRED
  }

  /** A command refused because its session expired; {@code expiredThrough} as {@link #expiredThrough}. */
  static Applied sessionExpired(long instance, long clientId, long sequence, long expiredThrough) {
    byte[] through = new byte[8];
    Value.writeLong(through, 0, expiredThrough);
    return new Applied(instance, clientId, sequence, Outcome.SESSION_EXPIRED, through);
  }

  /**
   * For {@link Outcome#SESSION_EXPIRED}: the table refuses every sequence at or below this in a
   * session it does not hold, so a new session must number its commands above it.
   *
   * @throws IllegalStateException for any other outcome
   */
  public long expiredThrough() {
    if (outcome != Outcome.SESSION_EXPIRED || result == null || result.length != 8) {
      throw new IllegalStateException("only a command refused for an expired session says where sessions start, not "
          + outcome);
    }
    return Value.readLong(result, 0);
  }
}
