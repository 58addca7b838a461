package io.synod.actors.internal;

import io.synod.paxos.Membership;

/**
 * The {@link CheckpointActor}'s state and Pekko Persistence snapshot: the encoded {@link
 * io.synod.paxos.Checkpoint} covering every instance below {@code nextInstance} (empty bytes and 0
 * before the first), why the group stopped on this node for good ({@code stoppedFor}, see {@link
 * StopMark}; empty while it runs), and the membership it began with ({@code founders}, see {@link
 * Founded}; null until recorded).
 */
public record StoredCheckpoint(long nextInstance, byte[] encoded, String stoppedFor, Membership founders) {
  public static final StoredCheckpoint NONE = new StoredCheckpoint(0, new byte[0]);

  public StoredCheckpoint {
    if (nextInstance < 0 || encoded == null || stoppedFor == null) {
      throw new IllegalArgumentException("stored checkpoint needs nextInstance >= 0, bytes and a stop reason (empty"
          + " for none), got " + nextInstance);
    }
  }

  /** A checkpoint of a group that runs, its founders not recorded. */
  public StoredCheckpoint(long nextInstance, byte[] encoded) {
    this(nextInstance, encoded, "", null);
  }

  /** The same, with the group stopped for {@code reason} (empty: resumed). */
  StoredCheckpoint withStop(String reason) {
    return new StoredCheckpoint(nextInstance, encoded, reason, founders);
  }

  /** The same, with the membership the group began with. */
  StoredCheckpoint withFounders(Membership membership) {
    return new StoredCheckpoint(nextInstance, encoded, stoppedFor, membership);
  }

  /** A newer checkpoint, keeping the stop and the founders. */
  StoredCheckpoint withCheckpoint(long next, byte[] bytes) {
    return new StoredCheckpoint(next, bytes, stoppedFor, founders);
  }

  @Override
  public String toString() {
    return "StoredCheckpoint[" + nextInstance + ", " + encoded.length + " bytes"
        + (stoppedFor.isEmpty() ? "" : ", stopped for good: " + stoppedFor)
        + (founders == null ? "" : ", founded with " + founders) + "]";
  }
}
