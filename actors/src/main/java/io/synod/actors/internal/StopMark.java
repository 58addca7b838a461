package io.synod.actors.internal;

/**
 * The {@link CheckpointActor}'s journal event that records why the group stopped on this node for
 * good (its replicas diverge, see {@link io.synod.paxos.ChecksumMismatchException}), so that it
 * stays stopped across restarts until an operator resumes it; an empty {@code reason} records that
 * an operator did.
 */
public record StopMark(String reason) implements CheckpointEvent {
  public StopMark {
    if (reason == null) {
      throw new IllegalArgumentException("stop mark needs a reason, empty for a resumed group");
    }
  }
}
