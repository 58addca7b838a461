package io.synod.actors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What an application implements to replicate its state with Synod: a deterministic state machine
 * over commands {@code C} with results {@code R}. Every node of a group applies the same chosen
 * commands in the same order, so every replica must reach the same state and the same results from
 * them, with no clock, randomness or I/O of its own in {@link #apply}, and with the same exceptions
 * (an exception thrown by {@code apply} or {@code read} is delivered to the caller as a {@link
 * CommandFailedException}, on every replica, and must leave the state unchanged).
 *
 * <p>One instance serves one group on one node and is called from one thread at a time. How
 * commands and results travel is given by the group's {@link Codec}s (see {@link SynodGroup}).
 *
 * @param <C> commands, and the queries that {@link #read} answers
 * @param <R> results
 */
public interface ReplicatedStateMachine<C, R> {

  /** Applies {@code command}, chosen at log position {@code instance}, and returns its result. */
  R apply(long instance, C command);

  /**
   * Answers {@code query} from the current state without changing it. Synod calls it for
   * linearizable reads: on the leader under its lease, or in log order when no lease is held.
   */
  R read(C query);

  /**
   * Writes the whole current state to {@code out}, for a checkpoint that lets the log below it be
   * deleted and lets a lagging node catch up. {@link #restore} must rebuild the same state from it.
   */
  void snapshot(OutputStream out) throws IOException;

  /** Replaces the whole state with one written by {@link #snapshot}, on this or another node. */
  void restore(InputStream in) throws IOException;
}
