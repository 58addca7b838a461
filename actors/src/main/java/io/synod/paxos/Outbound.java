package io.synod.paxos;

/** A message for the roles of node {@code to} (which may be this node). */
public record Outbound(int to, Message message) {
  public Outbound {
    if (to < 0) {
      throw new IllegalArgumentException("destination node must be >= 0, got " + to);
    }
    if (message == null) {
      throw new IllegalArgumentException("outbound message must not be null");
    }
  }
}
