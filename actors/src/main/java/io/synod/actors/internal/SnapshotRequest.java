package io.synod.actors.internal;

/**
 * A lagging node asks a peer for the bytes of the peer's latest checkpoint of {@code group} (of its
 * life {@code incarnation}, see {@link GroupEnvelope}) from {@code offset} on; the peer answers with
 * one {@link SnapshotChunk}.
 */
public record SnapshotRequest(String group, long incarnation, int from, int offset)
    implements NodeGateway.PeerTraffic {
  public SnapshotRequest {
    GroupEnvelope.checkGroupAndSender(group, incarnation, from);
    if (offset < 0) {
      throw new IllegalArgumentException("snapshot offset must be >= 0, got " + offset);
    }
  }

  /** A request of a group's first and only life (incarnation 0). */
  public SnapshotRequest(String group, int from, int offset) {
    this(group, 0, from, offset);
  }
}
