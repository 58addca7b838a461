package io.synod.actors;

/**
 * A checksum of one node's replicated state of a group: the CRC32 of its state machine's {@link
 * ReplicatedStateMachine#snapshot snapshot} and its exactly-once session table after every instance
 * below {@code appliedThrough}. Two nodes that report the same {@code appliedThrough} must report
 * the same {@code crc32}; a difference means a replica diverged (for example a state machine that
 * is not deterministic, or whose snapshot does not capture all of its state).
 */
public record StateDigest(String group, int node, long appliedThrough, long crc32) {

  public StateDigest {
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException("a digest names its group, got '" + group + "'");
    }
    if (appliedThrough < 0 || crc32 < 0 || crc32 > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("digest of group '" + group + "': appliedThrough " + appliedThrough
          + " must be >= 0 and crc32 " + crc32 + " a 32-bit unsigned value");
    }
  }
}
