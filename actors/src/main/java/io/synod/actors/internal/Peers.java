package io.synod.actors.internal;

import io.synod.paxos.Outbound;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * How this node reaches the node gateways of the others, over Artery. The references name a path,
 * not one incarnation of an actor, so they keep working after a peer's process restarts on the same
 * host and port.
 */
public final class Peers {

  private final Map<Integer, ActorRef> gateways = new HashMap<>();

  public Peers(ActorSystem<?> system, Map<Integer, Address> nodes) {
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
    nodes.forEach((id, address) -> gateways.put(id, classic.provider().resolveActorRef(address + NodeGateway.PATH)));
  }

  /** Sends {@code message} to node {@code to}'s gateway; an unknown node is a programming error. */
  public void send(int to, NodeGateway.Command message) {
    ActorRef gateway = gateways.get(to);
    if (gateway == null) {
      throw new IllegalArgumentException("no address for node " + to + "; known nodes are " + gateways.keySet());
    }
    gateway.tell(message, ActorRef.noSender());
  }

  /** The core's messages of {@code group}, from node {@code self}, enveloped for their node's gateway. */
  public Consumer<Outbound> outbound(String group, int self) {
    return o -> send(o.to(), new GroupEnvelope(group, self, o.message()));
  }
}
