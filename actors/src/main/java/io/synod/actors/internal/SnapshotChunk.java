package io.synod.actors.internal;

/**
 * Bytes {@code [offset, offset + bytes.length)} of node {@code from}'s encoded checkpoint of {@code
 * group} (of its life {@code incarnation}, see {@link GroupEnvelope}) at {@code instance}, which is
 * {@code total} bytes long. The encoded checkpoint carries its own CRC32, checked once all chunks
 * are in.
 */
public record SnapshotChunk(String group, long incarnation, int from, long instance, int total, int offset,
    byte[] bytes) implements NodeGateway.PeerTraffic {
  public SnapshotChunk {
    GroupEnvelope.checkGroupAndSender(group, incarnation, from);
    if (instance < 0 || total < 0 || offset < 0 || bytes == null || (long) offset + bytes.length > total) {
      throw new IllegalArgumentException("snapshot chunk of group '" + group + "' is inconsistent: instance " + instance
          + ", total " + total + ", offset " + offset + ", " + (bytes == null ? "no" : bytes.length) + " bytes");
    }
  }

  /** A chunk of a group's first and only life (incarnation 0). */
  public SnapshotChunk(String group, int from, long instance, int total, int offset, byte[] bytes) {
    this(group, 0, from, instance, total, offset, bytes);
  }

  @Override
  public String toString() {
    return "SnapshotChunk[" + group + (incarnation == 0 ? "" : " #" + incarnation) + " from " + from + ", instance "
        + instance + ", bytes " + offset + ".." + (offset + bytes.length) + " of " + total + "]";
  }
}
