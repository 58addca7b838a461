package io.synod.paxos;

/**
 * A proposal number: {@code (round, nodeId)}, ordered by round, then by node id, so ballots of
 * different nodes never tie. {@link #ZERO} is below every ballot a proposer can use.
 */
public record Ballot(long round, int nodeId) implements Comparable<Ballot> {

  /** Below every real ballot; the promise of an acceptor that has promised nothing yet. */
  public static final Ballot ZERO = new Ballot(0, 0);

  public Ballot {
    if (round < 0) {
      throw new IllegalArgumentException("ballot round must be >= 0, got " + round);
    }
    if (nodeId < 0) {
      throw new IllegalArgumentException("ballot node id must be >= 0, got " + nodeId);
    }
  }

  /** The smallest ballot of {@code nodeId} that is above {@code this}. */
  public Ballot next(int nodeId) {
    return new Ballot(round + 1, nodeId);
  }

  public boolean isAbove(Ballot other) {
    return compareTo(other) > 0;
  }

  public boolean isBelow(Ballot other) {
    return compareTo(other) < 0;
  }

  public static Ballot max(Ballot a, Ballot b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  @Override
  public int compareTo(Ballot o) {
    int c = Long.compare(round, o.round);
    return c != 0 ? c : Integer.compare(nodeId, o.nodeId);
  }

  @Override
  public String toString() {
    return round + "." + nodeId;
  }
}
