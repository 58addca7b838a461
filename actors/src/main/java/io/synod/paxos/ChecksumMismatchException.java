package io.synod.paxos;

/**
 * A peer's checksum chain through an instance differs from this node's (docs/protocol.md, "The
 * checksum chain"): the two applied different histories at or before that instance, though every
 * value each of them holds passed its own checksum. The learner stops before it applies anything
 * past that instance, and the group stops on this node as for any {@link DivergenceException}.
 */
public final class ChecksumMismatchException extends DivergenceException {

  private final String group;
  private final long instance;
  private final int node;
  private final int peer;

  /**
   * Node {@code node}'s chain through {@code instance} is {@code localChain} ({@code localSource}
   * says where it comes from when it is not the node's own history, or is empty); node {@code peer}
   * asserted {@code peerChain} in {@code peerSource} (a Chosen, a catch-up reply, a checkpoint).
   */
  public ChecksumMismatchException(String group, long instance, int node, int localChain, String localSource,
      int peer, int peerChain, String peerSource) {
    super("group '" + group + "': checksum mismatch at instance " + instance + " with node " + peer + ": node " + node
        + "'s chain through instance " + instance + localSource + " is crc32 " + Integer.toHexString(localChain)
        + ", node " + peer + "'s (in its " + peerSource + ") is crc32 " + Integer.toHexString(peerChain)
        + "; their applied histories differ at or before instance " + instance);
    this.group = group;
    this.instance = instance;
    this.node = node;
    this.peer = peer;
  }

  public String group() {
    return group;
  }

  /** The instance through which the two chains were compared. */
  public long instance() {
    return instance;
  }

  /** The node that found the mismatch. */
  public int node() {
    return node;
  }

  /** The node whose chain disagreed. */
  public int peer() {
    return peer;
  }
}
