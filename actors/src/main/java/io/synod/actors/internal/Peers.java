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
 * which sends what many groups produce at once as one Artery message.
 */
public final class Peers {

  /** The name prefix of the links' flusher actors (system actors, one per peer). */
  static final String LINK_NAME = "synod-link-";

  private final Map<Integer, ActorRef> gateways = new HashMap<>();
  private final Map<Integer, PeerLink> links = new HashMap<>();

  /**
   * The peers of node {@code self} among {@code nodes}; a batch of group messages carries at most
   * {@code maxBatchBytes} (see {@link PeerLink}), which must leave room in Artery's frame.
   */
  public Peers(ActorSystem<?> system, int self, Map<Integer, Address> nodes, long maxBatchBytes) {
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
    nodes.forEach((id, address) -> {
      ActorRef gateway = classic.provider().resolveActorRef(address + NodeGateway.PATH);
      gateways.put(id, gateway);
      if (id != self) {
        PeerLink link = new PeerLink(id, maxBatchBytes, m -> gateway.tell(m, ActorRef.noSender()));
        org.apache.pekko.actor.typed.ActorRef<PeerLink.Flush> flusher =
            system.systemActorOf(PeerLink.flusher(link), LINK_NAME + id, Props.empty());
        link.wakeWith(() -> flusher.tell(PeerLink.Flush.INSTANCE));
        links.put(id, link);
      }
    });
  }

  /** Whether this node has an address for node {@code id}. */
  public boolean knows(int id) {
    return gateways.containsKey(id);
  }

  /** Every node this node has an address for, itself included, ascending. */
  public List<Integer> nodeIds() {
    return List.copyOf(new java.util.TreeSet<>(gateways.keySet()));
  }

  /** Sends {@code message} to node {@code to}'s gateway; an unknown node is a programming error. */
  public void send(int to, NodeGateway.Command message) {
    ActorRef gateway = gateways.get(to);
    if (gateway == null) {
      throw new IllegalArgumentException("no address for node " + to + "; known nodes are " + gateways.keySet());
    }
    gateway.tell(message, ActorRef.noSender());
  }

  /**
   * The core's messages of {@code group}, from node {@code self}, enveloped for their node's gateway
   * and sent through its link.
   */
  public Consumer<Outbound> outbound(String group, int self) {
    return o -> {
      PeerLink link = links.get(o.to());
      if (link == null) {
        send(o.to(), new GroupEnvelope(group, self, o.message())); // this node itself, or an unknown one
      } else {
        link.send(new GroupEnvelope(group, self, o.message()));
      }
    };
  }
}
