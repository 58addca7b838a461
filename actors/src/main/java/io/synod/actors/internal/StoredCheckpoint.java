package io.synod.actors.internal;

/**
 * The {@link CheckpointActor}'s state and Pekko Persistence snapshot: the encoded {@link
 * io.synod.paxos.Checkpoint} covering every instance below {@code nextInstance} (empty bytes and 0
 * before the first).
 */
public record StoredCheckpoint(long nextInstance, byte[] encoded) {
  public static final StoredCheckpoint NONE = new StoredCheckpoint(0, new byte[0]);

  public StoredCheckpoint {
    if (nextInstance < 0 || encoded == null) {
      throw new IllegalArgumentException("stored checkpoint needs nextInstance >= 0 and bytes, got " + nextInstance);
    }
  }

  @Override
  public String toString() {
    return "StoredCheckpoint[" + nextInstance + ", " + encoded.length + " bytes]";
  }
}
