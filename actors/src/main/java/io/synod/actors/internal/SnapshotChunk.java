package io.synod.actors.internal;

/**
 * Bytes {@code [offset, offset + bytes.length)} of node {@code from}'s encoded checkpoint of {@code
 * group} at {@code instance}, which is {@code total} bytes long. The encoded checkpoint carries its
 * own CRC32, checked once all chunks are in.
 */
public record SnapshotChunk(String group, int from, long instance, int total, int offset, byte[] bytes)
    implements NodeGateway.PeerTraffic {
  public SnapshotChunk {
    GroupEnvelope.checkGroupAndSender(group, from);
    if (instance < 0 || total < 0 || offset < 0 || bytes == null || (long) offset + bytes.length > total) {
      throw new IllegalArgumentException("snapshot chunk of group '" + group + "' is inconsistent: instance " + instance
          + ", total " + total + ", offset " + offset + ", " + (bytes == null ? "no" : bytes.length) + " bytes");
    }
  }

  @Override
  public String toString() {
    return "SnapshotChunk[" + group + " from " + from + ", instance " + instance + ", bytes " + offset + ".."
        + (offset + bytes.length) + " of " + total + "]";
  }
}
