package io.synod.actors;

/**
 * A checksum of one node's replicated state of a group: the CRC32 of its state machine's {@link
 * ReplicatedStateMachine#snapshot snapshot} and its exactly-once session table after every instance
 * below {@code appliedThrough}. Two nodes that report the same {@code appliedThrough} must report
 * the same {@code crc32}; a difference means a replica diverged (for example a state machine that
 * is not deterministic, or whose snapshot does not capture all of its state).
 */
public record StateDigest(String group, int node, long appliedThrough, long crc32) {}
