package io.synod.paxos;

/**
 * Two replicas hold different values for one chosen instance, or (a {@link
 * ChecksumMismatchException}) applied histories that differ. This breaks the one promise Paxos
 * makes, so the group must stop: the learner refuses to go on and the error names what differs.
 */
public class DivergenceException extends RuntimeException {

  public DivergenceException(String group, long instance, int node, int localCrc, int otherCrc, int otherNode) {
    super("group '" + group + "' diverged at instance " + instance + ": node " + node + " has crc32 "
        + Integer.toHexString(localCrc) + " but node " + otherNode + " reports " + Integer.toHexString(otherCrc));
  }

  /** A divergence that {@code message} describes in full. */
  protected DivergenceException(String message) {
    super(message);
  }
}
