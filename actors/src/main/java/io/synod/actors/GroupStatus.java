package io.synod.actors;

/**
 * What one node knows of a group: the leader it sees ({@code -1} if none), every instance below
 * {@code appliedThrough} applied to its state machine, every instance below {@code chosenThrough}
 * known to be chosen, and its last durable checkpoint (covering the instances below it; 0 if none).
 * {@code checkpointsRefused} counts the peers' checkpoints this node fetched since the group started
 * here and refused to take (they failed their checks, or its state machine could not restore them),
 * keeping its own state; {@code lastCheckpointRefusal} says which was refused last and why ({@code
 * ""} if none).
 */
public record GroupStatus(String group, int node, int leader, long appliedThrough, long chosenThrough,
    long checkpoint, long checkpointsRefused, String lastCheckpointRefusal) {

  /** Chosen instances this node has not applied yet: how far it is behind what the group decided. */
  public long lag() {
    return Math.max(0, chosenThrough - appliedThrough);
  }
}
