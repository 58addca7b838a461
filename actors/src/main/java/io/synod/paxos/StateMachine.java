package io.synod.paxos;

/**
 * The replicated state machine as the core sees it: bytes in, bytes out. It must be deterministic:
 * replicas that apply the same commands in the same order reach the same state. The public, typed
 * API ({@code ReplicatedStateMachine<C, R>} with codecs) is adapted onto this by the actor layer.
 */
public interface StateMachine {

  /** Applies one command, chosen at {@code instance}, and returns its result. */
  byte[] apply(long instance, byte[] command);

  /** Answers a query from the current state without changing it. */
  byte[] read(byte[] query);

  /** The whole state, to be restored by {@link #restore} on this or another replica. */
  byte[] snapshot();

  /** Replaces the whole state with one produced by {@link #snapshot}. */
  void restore(byte[] snapshot);
}
