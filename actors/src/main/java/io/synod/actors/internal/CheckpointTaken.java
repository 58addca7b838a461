package io.synod.actors.internal;

/**
 * The {@link CheckpointActor}'s journal event: a checkpoint up to {@code nextInstance} is being
 * stored. Its bytes go to the snapshot store, not the journal; an event whose snapshot never became
 * durable is ignored on recovery.
 */
public record CheckpointTaken(long nextInstance) implements CheckpointEvent {
  public CheckpointTaken {
    if (nextInstance < 0) {
      throw new IllegalArgumentException("checkpoint nextInstance must be >= 0, got " + nextInstance);
    }
  }
}
