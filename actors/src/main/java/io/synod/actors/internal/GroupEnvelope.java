package io.synod.actors.internal;

import io.synod.paxos.Message;

/**
 * A protocol message of one group, as it travels between the node gateways of two nodes. It names
 * the life of the group it belongs to ({@code incarnation}: 0 for a group spawned by the
 * application or configured in a node's file, the catalog's number for a group created at runtime,
 * see {@link GroupReconciler}), so that a message of an earlier life never reaches a later one.
 */
public record GroupEnvelope(String group, long incarnation, int from, Message message)
    implements NodeGateway.PeerTraffic {
  public GroupEnvelope {
    checkGroupAndSender(group, incarnation, from);
    if (message == null) {
      throw new IllegalArgumentException("envelope of group '" + group + "' carries no message");
    }
  }

  /** A message of a group's first and only life (incarnation 0). */
  public GroupEnvelope(String group, int from, Message message) {
    this(group, 0, from, message);
  }

  static void checkGroupAndSender(String group, long incarnation, int from) {
    checkGroupAndSender(group, from);
    if (incarnation < 0) {
      throw new IllegalArgumentException("incarnation of group '" + group + "' must be >= 0, got " + incarnation);
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
