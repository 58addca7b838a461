package io.synod.actors;

/**
 * The group's actors on this node are stopped (stopped by the application, by the actor system's
 * shutdown, or by a fault such as a journal failure or replicas that diverge). The outcome of a
 * request that was in flight is unknown.
 */
public final class GroupStoppedException extends SynodException {
  public GroupStoppedException(String group, String message) {
    super(group, message);
  }
}
