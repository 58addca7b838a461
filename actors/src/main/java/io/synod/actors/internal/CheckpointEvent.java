package io.synod.actors.internal;

/**
 * What the {@link CheckpointActor} writes to the journal: that a checkpoint is being stored ({@link
 * CheckpointTaken}), that the group stopped on this node for good, or was resumed ({@link
 * StopMark}), or the membership it began with ({@link Founded}).
 */
public sealed interface CheckpointEvent permits CheckpointTaken, StopMark, Founded {}
