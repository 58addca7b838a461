package io.synod.paxos;

/** A message for the roles of node {@code to} (which may be this node). */
public record Outbound(int to, Message message) {}
