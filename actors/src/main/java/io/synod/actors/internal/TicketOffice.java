package io.synod.actors.internal;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The gateway's side of {@link TicketExchange}: the tickets this node issued (one per known node,
 * itself included, for the life of this process), the requests it answers (every one: a grant goes
 * only to the address of the node it names, and a limit per peer would let forged requests crowd
 * out the real one), the tickets it still needs from its peers with the nonce of its request for each, and when it last
 * told a peer its ticket was stale. Pure: the gateway sends what it returns, and passes the time.
 */
public final class TicketOffice {

  static final long STALE_INTERVAL_NANOS = 1_000_000_000L;

  /** A request to send: to node {@code to}. */
  record Outgoing(int to, TicketExchange.Request request) {}

  private final int self;
  private final Map<Integer, Ticket> issued = new HashMap<>();
  /** Peers this node needs a (new) ticket from, with the nonce of its request. */
  private final Map<Integer, Ticket> wanted = new HashMap<>();
  /** The nonce of the grant last taken from each peer: later copies of that grant are no news. */
  private final Map<Integer, Ticket> answered = new HashMap<>();
  private final Map<Integer, Long> lastStale = new HashMap<>();
  private final SecureRandom random;

  /** The office of node {@code self}, which knows {@code nodes} (itself among them). */
  public TicketOffice(int self, Collection<Integer> nodes, SecureRandom random) {
    if (!nodes.contains(self)) {
      throw new IllegalArgumentException("node " + self + " is not among the nodes " + nodes);
    }
    this.self = self;
    this.random = random;
    for (int node : new TreeSet<>(nodes)) {
      issued.put(node, Ticket.random(random));
      if (node != self) {
        wanted.put(node, Ticket.random(random));
      }
    }
  }

  /** The ticket this node issued to {@code node}, or null if it does not know that node. */
  public Ticket issuedTo(int node) {
    return issued.get(node);
  }

  /** Whether {@code ticket} is the one this node issued to {@code from}. */
  boolean admits(int from, Ticket ticket) {
    return ticket.equals(issued.get(from));
  }

  /**
   * The grant answering {@code r}, to be sent to the address of node {@code r.from()}: null if
   * that node is unknown here, or is this node.
   */
  TicketExchange.Grant answer(TicketExchange.Request r) {
    Ticket ticket = issued.get(r.from());
    if (ticket == null || r.from() == self) {
      return null;
    }
    return new TicketExchange.Grant(self, r.nonce(), ticket);
  }

  /** The ticket {@code g} gives this node, or null if it answers no request of this node's. */
  Ticket take(TicketExchange.Grant g) {
    Ticket nonce = wanted.get(g.issuer());
    if (nonce == null || !nonce.equals(g.nonce())) {
      return null;
    }
    wanted.remove(g.issuer());
    answered.put(g.issuer(), nonce);
    return g.ticket();
  }

  /**
   * Whether {@code g} answers the request this node's last taken grant answered: this node asks
   * until it has an answer, so a peer may answer one request more than once.
   */
  boolean answersAnsweredRequest(TicketExchange.Grant g) {
    return g.nonce().equals(answered.get(g.issuer()));
  }

  /** Node {@code issuer} says this node's ticket for it is stale: ask it again (if it is known). */
  void stale(int issuer) {
    if (issued.containsKey(issuer) && issuer != self) {
      wanted.computeIfAbsent(issuer, i -> Ticket.random(random));
    }
  }

  /** Whether to tell node {@code to} now that its ticket is stale (at most once a second). */
  boolean tellStale(int to, long nowNanos) {
    return issued.containsKey(to) && to != self && due(lastStale, to, nowNanos, STALE_INTERVAL_NANOS);
  }

  /** The requests to send now: one to each peer this node still needs a ticket from. */
  List<Outgoing> requests() {
    List<Outgoing> out = new ArrayList<>();
    new TreeMap<>(wanted).forEach((peer, nonce) -> out.add(new Outgoing(peer,
        new TicketExchange.Request(self, nonce))));
    return out;
  }

  private static boolean due(Map<Integer, Long> last, int peer, long now, long interval) {
    Long before = last.get(peer);
    if (before != null && now - before < interval) {
      return false;
    }
    last.put(peer, now);
    return true;
  }
}
