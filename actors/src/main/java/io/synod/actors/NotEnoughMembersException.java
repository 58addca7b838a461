package io.synod.actors;

/**
 * The request timed out while this node heard from fewer members than a majority of the group, so
 * no value can be chosen. The outcome is unknown: the command may still be applied (once) after the
 * members are reachable again.
 */
public final class NotEnoughMembersException extends SynodException {
  private final int reachable;
  private final int members;

  public NotEnoughMembersException(String group, int reachable, int members) {
    super(group, "only " + reachable + " of its " + members + " members are reachable from this node, a majority ("
        + (members / 2 + 1) + ") is needed");
    this.reachable = reachable;
    this.members = members;
  }

  /** Members this node heard from recently, itself included. */
  public int reachable() {
    return reachable;
  }

  public int members() {
    return members;
  }
}
