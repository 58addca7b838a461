package io.synod.actors;

/**
 * The group does not serve on this node, for now or for good. For now: its roles here failed (a
 * journal write or replay that failed or timed out, say on a stalled disk) and are restarting; the
 * message says why and when the next attempt is due, {@link GroupClient#status()} says the same,
 * and the group serves again by itself once they have started, so the request may be retried then
 * ({@code synod.group.restart}). For good: the group's actors on this node are stopped (by the
 * application, by the actor system's shutdown, or by a fault such as the node's journal failing,
 * see {@link SynodNode#journalFailure()}, or replicas that diverge). Either way the outcome of a
 * request that was in flight is unknown.
 */
public final class GroupStoppedException extends SynodException {
  public GroupStoppedException(String group, String message) {
    super(group, message);
  }
}
