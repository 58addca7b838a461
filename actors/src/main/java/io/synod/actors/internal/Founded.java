package io.synod.actors.internal;

import io.synod.paxos.Membership;

/**
 * The {@link CheckpointActor}'s journal event, written at a group's first start on a node: the
 * membership the group began with there ({@link io.synod.paxos.GroupConfig#initialMembership}). A
 * later start whose configured members differ is refused: the configuration only says how a group
 * begins, and a node that counted other initial voters than its peers could form a majority that
 * does not meet theirs.
 */
public record Founded(Membership membership) implements CheckpointEvent {
  public Founded {
    if (membership == null || membership.epoch() != 0) {
      throw new IllegalArgumentException("a group is founded with a membership of epoch 0, got " + membership);
    }
  }
}
