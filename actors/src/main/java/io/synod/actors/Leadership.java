package io.synod.actors;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * Who leads a group, as one node sees it: what a leadership watcher receives, first at once and
 * then at every change ({@link GroupClient#watchLeadership}, or {@link #watch} for an actor).
 *
 * <p>For master election (one node at a time does some work), act on {@link #isMaster()}, not on
 * {@code leader == node}: a node may believe it leads while another has taken over behind a
 * partition, but it holds the lease only while a majority of the group has promised to refuse any
 * other candidate. The leader counts its lease shorter than the acceptors that granted it (by
 * {@code synod.group.max-tick-skew-per-mille}), so no other node can lead before this node has
 * seen its lease end; what remains is the time this event takes to reach the watcher and the work
 * to stop. A job that must never overlap should stop within that margin, or fence its effects
 * through the group's own log.
 *
 * @param group the group
 * @param node the node that sees it (the watched group actor's node)
 * @param leader the node it believes leads, itself included, or -1 if it knows none
 * @param leaseHeld whether {@code node} leads and holds a majority's lease just now
 */
public record Leadership(String group, int node, int leader, boolean leaseHeld) {

  public Leadership {
    if (leaseHeld && leader != node) {
      throw new IllegalArgumentException("only the leader holds the lease: node " + node + " sees leader " + leader);
    }
  }

  /** This node leads and holds the lease: no other node can lead meanwhile. */
  public boolean isMaster() {
    return leaseHeld;
  }

  /** Whether some node is known to lead. */
  public boolean leaderKnown() {
    return leader >= 0;
  }

  /**
   * The message that makes a group's actor tell {@code watcher} its leadership now and at every
   * change, until the watcher stops or is unwatched. The watcher must run in the group actor's own
   * actor system: leadership events are local and have no wire format.
   */
  public static GroupCommand watch(ActorRef<Leadership> watcher) {
    return new GroupProtocol.WatchLeadership(watcher);
  }

  /** The message that ends {@link #watch}. */
  public static GroupCommand unwatch(ActorRef<Leadership> watcher) {
    return new GroupProtocol.UnwatchLeadership(watcher);
  }
}
