package io.synod.actors.internal;

import io.synod.paxos.Message;

/** A protocol message of one group, as it travels between the node gateways of two nodes. */
public record GroupEnvelope(String group, int from, Message message) implements NodeGateway.PeerTraffic {
  public GroupEnvelope {
    checkGroupAndSender(group, from);
    if (message == null) {
      throw new IllegalArgumentException("envelope of group '" + group + "' carries no message");
    }
  }

  static void checkGroupAndSender(String group, int from) {
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException("group id must not be blank, got '" + group + "'");
    }
    if (from < 0) {
      throw new IllegalArgumentException("sender node must be >= 0, got " + from);
    }
  }
}
