package io.synod.paxos;

/**
 * A client command met by the learner while applying instance {@code instance}: applied now, a
 * retry of one applied before (its first result repeated), or expired (below the client's session
 * window, not applied).
 */
public record Applied(long instance, long clientId, long sequence, Outcome outcome, byte[] result) {

  public enum Outcome {
    APPLIED,
    DUPLICATE,
    EXPIRED
  }
}
