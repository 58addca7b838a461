package io.synod.paxos;

/** A client command this node will not carry: the client should retry later or elsewhere. */
public record Refusal(ClientCommand command, Reason reason, int leaderHint) {

  public enum Reason {
    /** The proposer's queue of waiting commands is full. */
    OVERLOADED
  }
}
