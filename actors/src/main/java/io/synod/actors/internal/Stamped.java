package io.synod.actors.internal;

/**
 * Everything a node sends another node's gateway about its groups ({@link NodeGateway.PeerTraffic}),
 * stamped with the ticket the receiving node issued to the sender: {@code from} claims who sent
 * it, and {@code ticket} proves the claim, since the receiver handed that ticket to node {@code
 * from} alone, over a connection authenticated as that node (see {@link TicketExchange}). The
 * receiving gateway drops anything whose ticket it did not issue to {@code from}, and anything
 * inside that claims another sender.
 */
public record Stamped(int from, Ticket ticket, NodeGateway.PeerTraffic body) implements NodeGateway.Command {
  public Stamped {
    if (from < 0) {
      throw new IllegalArgumentException("sender node must be >= 0, got " + from);
    }
    if (ticket == null || body == null) {
      throw new IllegalArgumentException("a stamped message needs a ticket and a body, got " + ticket + " and " + body);
    }
  }
}
