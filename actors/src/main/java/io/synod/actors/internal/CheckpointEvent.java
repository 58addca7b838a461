package io.synod.actors.internal;

/**
 * What the {@link CheckpointActor} writes to the journal: that a checkpoint is being stored ({@link
 * CheckpointTaken}), or that the group stopped on this node for good, or was resumed ({@link
 * StopMark}).
 */
public sealed interface CheckpointEvent permits CheckpointTaken, StopMark {}
