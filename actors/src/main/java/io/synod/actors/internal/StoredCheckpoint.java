package io.synod.actors.internal;

/**
 * The {@link CheckpointActor}'s state and Pekko Persistence snapshot: the encoded {@link
 * io.synod.paxos.Checkpoint} covering every instance below {@code nextInstance} (empty bytes and 0
 * before the first), and why the group stopped on this node for good ({@code stoppedFor}, see
 * {@link StopMark}; empty while it runs).
 */
public record StoredCheckpoint(long nextInstance, byte[] encoded, String stoppedFor) {
  public static final StoredCheckpoint NONE = new StoredCheckpoint(0, new byte[0]);

  public StoredCheckpoint {
    if (nextInstance < 0 || encoded == null || stoppedFor == null) {
      throw new IllegalArgumentException("stored checkpoint needs nextInstance >= 0, bytes and a stop reason (empty"
          + " for none), got " + nextInstance);
    }
  }

  /** A checkpoint of a group that runs. */
  public StoredCheckpoint(long nextInstance, byte[] encoded) {
    this(nextInstance, encoded, "");
  }

  /** The same checkpoint, with the group stopped for {@code reason} (empty: resumed). */
  StoredCheckpoint withStop(String reason) {
    return new StoredCheckpoint(nextInstance, encoded, reason);
  }

  @Override
  public String toString() {
    return "StoredCheckpoint[" + nextInstance + ", " + encoded.length + " bytes"
        + (stoppedFor.isEmpty() ? "" : ", stopped for good: " + stoppedFor) + "]";
  }
}
