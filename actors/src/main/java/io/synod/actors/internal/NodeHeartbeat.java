package io.synod.actors.internal;

/**
 * A node's heartbeat to a peer, one per heartbeat interval whatever its number of groups: which
 * run of its process it is and how often it gave up a leadership ({@link
 * io.synod.paxos.PeerLiveness}). It travels {@link Stamped}, so the sender is the node the ticket
 * proves, not a field.
 */
public record NodeHeartbeat(long incarnation, long generation) implements NodeGateway.PeerTraffic {}
