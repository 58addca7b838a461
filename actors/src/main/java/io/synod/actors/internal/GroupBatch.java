package io.synod.actors.internal;

import java.util.List;

/**
 * Several groups' messages from one node to another, sent as one Artery message: a node with many
 * groups sends each peer one message per burst instead of one per group message (see {@link
 * PeerLink}). The envelopes are delivered in their order, as if they had arrived one by one.
 */
public record GroupBatch(List<GroupEnvelope> envelopes) implements NodeGateway.PeerTraffic {
  public GroupBatch {
    if (envelopes == null || envelopes.size() < 2) {
      throw new IllegalArgumentException("a batch carries at least two envelopes, got "
          + (envelopes == null ? "none" : envelopes.size()));
    }
    envelopes = List.copyOf(envelopes);
  }
}
