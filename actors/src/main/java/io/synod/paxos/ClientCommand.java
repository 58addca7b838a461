package io.synod.paxos;

import java.util.Arrays;

/**
 * One client command: opaque payload bytes for the state machine, identified by {@code (clientId,
 * sequence)} so that a retry is applied once. A client session numbers its commands upwards by one
 * from a first sequence above every sequence the group's expired sessions applied (a {@code
 * GroupClient} starts at its wall-clock time in nanoseconds; see {@code Sessions}), and sends
 * sequence {@code s} only once every sequence up to {@code s - sessionWindow} has been answered (so
 * {@code s < lowestUnanswered + sessionWindow}, see {@link Tuning#sessionWindow()}); a command older
 * than that window is answered {@code BELOW_WINDOW} and not applied, one the table can no longer
 * vouch for after its session expired {@code SESSION_EXPIRED}.
 */
public record ClientCommand(long clientId, long sequence, byte[] payload, boolean membershipChange) {

  /** A command for the state machine. */
  public ClientCommand(long clientId, long sequence, byte[] payload) {
    this(clientId, sequence, payload, false);
  }

  /**
   * A change of the group's membership, applied by the learner itself rather than the state
   * machine, and not through the exactly-once table: applying one is idempotent by itself (see
   * {@link Membership#apply}), and the proposer must be able to tell its effect from the value
   * alone.
   */
  public static ClientCommand membership(long clientId, long sequence, Membership.Change change) {
    return new ClientCommand(clientId, sequence, change.encode(), true);
  }

  public ClientCommand {
    if (sequence < 1) {
      throw new IllegalArgumentException("command sequence must be >= 1, got " + sequence);
    }
    if (payload == null) {
      throw new IllegalArgumentException("command payload must not be null");
    }
  }

  /** Bytes this command takes inside an encoded batch; used to bound batches. */
  public int encodedSize() {
    return 8 + 8 + 4 + payload.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientCommand c
        && clientId == c.clientId
        && sequence == c.sequence
        && membershipChange == c.membershipChange
        && Arrays.equals(payload, c.payload);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(clientId) + Long.hashCode(sequence)) + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "ClientCommand[" + clientId + "#" + sequence + ", " + payload.length + " bytes" + (membershipChange ? ", membership" : "") + "]";
  }
}
