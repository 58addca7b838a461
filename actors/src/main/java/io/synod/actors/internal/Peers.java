package io.synod.actors.internal;

import io.synod.paxos.Outbound;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * How this node reaches the node gateways of the others, over Artery. The references name a path,
 * not one incarnation of an actor, so they keep working after a peer's process restarts on the same
 * host and port. The groups' protocol messages to each peer go through that peer's {@link PeerLink},
 * which sends what many groups produce at once as one Artery message. Everything about groups leaves
 * {@link Stamped} with the ticket the receiving node issued to this one (see {@link TicketExchange}):
 * a link holds its peer's messages until it has that ticket.
 */
public final class Peers {

  /** The name prefix of the links' flusher actors (system actors, one per peer). */
  static final String LINK_NAME = "synod-link-";

  private final int self;
  private final Ticket selfTicket;
  private final Map<Integer, ActorRef> gateways = new HashMap<>();
  private final Map<Integer, PeerLink> links = new HashMap<>();

  /**
   * The peers of node {@code self} among {@code nodes}; a batch of group messages carries at most
   * {@code maxBatchBytes} (see {@link PeerLink}), which must leave room in Artery's frame. What this
   * node sends itself is stamped with {@code selfTicket}, the ticket its gateway issued to it.
   */
  public Peers(ActorSystem<?> system, int self, Map<Integer, Address> nodes, long maxBatchBytes, Ticket selfTicket) {
    this.self = self;
    this.selfTicket = selfTicket;
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
    nodes.forEach((id, address) -> {
      ActorRef gateway = classic.provider().resolveActorRef(address + NodeGateway.PATH);
      gateways.put(id, gateway);
      if (id != self) {
        PeerLink link = new PeerLink(self, id, maxBatchBytes, m -> gateway.tell(m, ActorRef.noSender()));
        org.apache.pekko.actor.typed.ActorRef<PeerLink.Flush> flusher =
            system.systemActorOf(PeerLink.flusher(link), LINK_NAME + id, Props.empty());
        link.wakeWith(() -> flusher.tell(PeerLink.Flush.INSTANCE));
        links.put(id, link);
      }
    });
  }

  /** This node's id. */
  public int self() {
    return self;
  }

  /** Whether this node has an address for node {@code id}. */
  public boolean knows(int id) {
    return gateways.containsKey(id);
  }

  /** Every node this node has an address for, itself included, ascending. */
  public List<Integer> nodeIds() {
    return List.copyOf(new java.util.TreeSet<>(gateways.keySet()));
  }

  /**
   * Sends {@code message} to node {@code to}'s gateway, stamped; an unknown node is a programming
   * error. Dropped (the protocol asks again) while this node has no ticket from that node yet.
   */
  public void send(int to, NodeGateway.PeerTraffic message) {
    ActorRef gateway = gateway(to);
    Ticket ticket = to == self ? selfTicket : ticketFrom(to);
    if (ticket != null) {
      gateway.tell(new Stamped(self, ticket, message), ActorRef.noSender());
    }
  }

  /** Sends a message of the {@link TicketExchange} to node {@code to}'s gateway, as it is. */
  void sendTickets(int to, TicketExchange message) {
    gateway(to).tell(message, ActorRef.noSender());
  }

  /** Node {@code issuer} issued {@code ticket} to this node: stamp what goes to it with that from now on. */
  void hold(int issuer, Ticket ticket) {
    PeerLink link = links.get(issuer);
    if (link != null) {
      link.hold(ticket);
    }
  }

  /** The ticket node {@code issuer} issued to this node, or null while it has none. */
  public Ticket ticketFrom(int issuer) {
    PeerLink link = links.get(issuer);
    return link == null ? null : link.ticket();
  }

  private ActorRef gateway(int to) {
    ActorRef gateway = gateways.get(to);
    if (gateway == null) {
      throw new IllegalArgumentException("no address for node " + to + "; known nodes are " + gateways.keySet());
    }
    return gateway;
  }

  /**
   * The core's messages of {@code group} (its life {@code incarnation}), from node {@code self},
   * enveloped for their node's gateway and sent through its link.
   */
  public Consumer<Outbound> outbound(String group, long incarnation, int self) {
    return o -> {
      PeerLink link = links.get(o.to());
      if (link == null) {
        send(o.to(), new GroupEnvelope(group, incarnation, self, o.message())); // this node itself, or an unknown one
      } else {
        link.send(new GroupEnvelope(group, incarnation, self, o.message()));
      }
    };
  }
}
