package io.synod.actors;

/**
 * What one node knows of a group: the leader it sees ({@code -1} if none), every instance below
 * {@code appliedThrough} applied to its state machine, every instance below {@code chosenThrough}
 * known to be chosen, and its last durable checkpoint (covering the instances below it; 0 if none).
 * {@code checkpointsRefused} counts the peers' checkpoints this node fetched since the group started
 * here and refused to take (they failed their checks, or its state machine could not restore them),
 * keeping its own state; {@code lastCheckpointRefusal} says which was refused last and why ({@code
 * ""} if none).
 *
 * <p>And how its roles on this node fare (see {@code synod.group.restart} in the actors'
 * reference.conf): {@code restarts} is how often they were started again after a failure since the
 * group was spawned here, {@code lastFailure} the last failure that stopped them (null if none),
 * and {@code restartInMillis} is -1 while they run; while they are down after a failure it is how
 * long until the next attempt to start them (0 once it is due), and the leader and the instances
 * are unknown: -1. {@code stopped} is null unless the group stopped on this node for good because
 * its replicas diverge (two values for one chosen instance, or a checksum chain that differs from
 * a peer's: see docs/protocol.md, "The checksum chain"); then it says why, naming the instance
 * and the nodes, and the leader and the instances are -1.
 */
public record GroupStatus(String group, int node, int leader, long appliedThrough, long chosenThrough,
    long checkpoint, long checkpointsRefused, String lastCheckpointRefusal, int restarts, String lastFailure,
    long restartInMillis, String stopped) {

  /** A group whose roles run and never failed. */
  public GroupStatus(String group, int node, int leader, long appliedThrough, long chosenThrough, long checkpoint) {
    this(group, node, leader, appliedThrough, chosenThrough, checkpoint, 0, "", 0, null, -1, null);
  }

  /** Chosen instances this node has not applied yet: how far it is behind what the group decided. */
  public long lag() {
    return Math.max(0, chosenThrough - appliedThrough);
  }

  /** Whether the group's roles on this node are down after a failure, waiting to start again. */
  public boolean restarting() {
    return restartInMillis >= 0;
  }

  /** Whether the group stopped on this node for good: see {@link #stopped()}. */
  public boolean stoppedForGood() {
    return stopped != null;
  }

  /**
   * {@code "running"}, {@code "restarting"} while the roles are down after a failure, or {@code
   * "stopped"} once the group stopped here for good.
   */
  public String state() {
    return stopped != null ? "stopped" : restarting() ? "restarting" : "running";
  }
}
