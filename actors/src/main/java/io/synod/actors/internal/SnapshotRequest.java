package io.synod.actors.internal;

/**
 * A lagging node asks a peer for the bytes of the peer's latest checkpoint of {@code group} from
 * {@code offset} on; the peer answers with one {@link SnapshotChunk}.
 */
public record SnapshotRequest(String group, int from, int offset) implements NodeGateway.PeerTraffic {
  public SnapshotRequest {
    GroupEnvelope.checkGroupAndSender(group, from);
    if (offset < 0) {
      throw new IllegalArgumentException("snapshot offset must be >= 0, got " + offset);
    }
  }
}
