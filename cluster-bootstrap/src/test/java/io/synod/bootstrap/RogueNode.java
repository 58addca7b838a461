package io.synod.bootstrap;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.synod.actors.internal.GroupEnvelope;
import io.synod.actors.internal.NodeGateway;
import io.synod.actors.internal.SnapshotRequest;
import io.synod.actors.internal.Stamped;
import io.synod.actors.internal.Ticket;
import io.synod.actors.internal.TicketExchange;
import io.synod.paxos.Ballot;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Membership;
import io.synod.paxos.Message;
import io.synod.paxos.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorIdentity;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Identify;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;

/**
 * A process that is not a member but tries to act as one: an actor system on 127.0.0.1 with
 * Synod's serializer on its class path, Artery over plain TCP or over TLS with whatever key store
 * it was given, that sends a node's gateway what a member could: a forwarded membership change,
 * a leadership transfer, a TimeoutNow, a conflicting Accept and Chosen, a request for the
 * checkpoint, and a remote PoisonPill. It may also stand at a node's address and catch the ticket
 * grants sent there.
 */
final class RogueNode implements AutoCloseable {

  /** One thing the rogue sends: its name, and the message (to the gateway). */
  record Attack(String name, Object message) {}

  private final ActorSystem system;
  private final LinkedBlockingQueue<Object> caught = new LinkedBlockingQueue<>();

  private RogueNode(Config config) {
    system = ActorSystem.create(NodeConfig.SYSTEM, config.withFallback(ConfigFactory.load()));
  }

  /** Over plain TCP, on a free port. */
  static RogueNode plainTcp() {
    return new RogueNode(base("tcp", 0));
  }

  /**
   * Over TLS with {@code keyStore} (its certificate, or none if the store is empty), trusting the
   * cluster's CA so that it gets as far as the node lets it, at {@code port} (0: any).
   */
  static RogueNode tls(Path keyStore, Path trustStore, String password, int port) {
    String ssl = "pekko.remote.artery.ssl.config-ssl-engine";
    return new RogueNode(ConfigFactory.parseMap(Map.of(
            ssl + ".key-store", keyStore.toString(),
            ssl + ".trust-store", trustStore.toString(),
            ssl + ".key-store-password", password,
            ssl + ".key-password", password,
            ssl + ".trust-store-password", password,
            ssl + ".require-mutual-authentication", "on"))
        .withFallback(base("tls-tcp", port)));
  }

  private static Config base(String transport, int port) {
    return ConfigFactory.parseString(String.join("\n",
        "pekko.actor.provider = remote",
        "pekko.remote.artery.transport = " + transport,
        "pekko.remote.artery.canonical { hostname = \"127.0.0.1\", port = " + port + " }",
        "pekko.remote.warn-about-direct-use = off",
        "pekko.actor.allow-java-serialization = off",
        "pekko.loglevel = ERROR",
        "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
        "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
        "pekko.remote.artery.advanced.handshake-timeout = 10 s",
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"));
  }

  /** Node {@code at}'s gateway, as this rogue reaches it. */
  ActorRef gateway(Address at) {
    return ((ExtendedActorSystem) system).provider().resolveActorRef(at + NodeGateway.PATH);
  }

  /** Whether {@code gateway} answers an Identify within {@code within}: whether this rogue has a connection. */
  boolean reaches(ActorRef gateway, Duration within) {
    try {
      Object answer = Patterns.ask(gateway, new Identify("rogue"), within).toCompletableFuture()
          .get(within.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      return answer instanceof ActorIdentity id && id.getActorRef().isPresent();
    } catch (Exception e) {
      return false;
    }
  }

  /** Stands in for a node's gateway here, catching what is sent to it (e.g. ticket grants). */
  void catchGatewayMessages() {
    ((ExtendedActorSystem) system).systemActorOf(Props.create(Catcher.class, () -> new Catcher(caught)),
        NodeGateway.NAME);
  }

  /** The next message caught within {@code within} that is of {@code type}, or null. */
  <T> T caught(Class<T> type, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    for (long left = within.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      Object o = caught.poll(left, TimeUnit.NANOSECONDS);
      if (type.isInstance(o)) {
        return type.cast(o);
      }
    }
    return null;
  }

  /** Asks node {@code to}'s gateway for the ticket of node {@code as}, with {@code nonce}. */
  void requestTicket(ActorRef gateway, int as, Ticket nonce) {
    gateway.tell(new TicketExchange.Request(as, nonce), ActorRef.noSender());
  }

  /**
   * What a member could send node {@code target} about {@code group}, in the name of node {@code
   * as}, each message wrapped by {@code stamp} (its ticket, or none); and a PoisonPill last.
   */
  static List<Attack> attacks(String group, int as, int target, java.util.function.Function<NodeGateway.PeerTraffic,
      Object> stamp) {
    Ballot high = new Ballot(1_000_000, as);
    Value forged = Value.of(List.of(new ClientCommand(0x5EC0_0000L, 1, new byte[] {0, 0, 0, 0, 0, 0, 0x0F, 0x42})));
    Membership without = new Membership(0, List.of(as), List.of());
    List<Attack> attacks = new ArrayList<>();
    attacks.add(new Attack("forwarded membership change", stamp.apply(new GroupEnvelope(group, as,
        new Message.Forward(as, List.of(ClientCommand.membership(0x5EC0_0001L, 1, new Membership.Change(0, without))), 0)))));
    attacks.add(new Attack("TransferLeadership", stamp.apply(new GroupEnvelope(group, as,
        new Message.TransferLeadership(as, target, 0)))));
    attacks.add(new Attack("TimeoutNow", stamp.apply(new GroupEnvelope(group, as, new Message.TimeoutNow(as, high)))));
    attacks.add(new Attack("conflicting Accept", stamp.apply(new GroupEnvelope(group, as,
        new Message.Accept(as, high, List.of(new Message.Proposal(1, forged)), 1_000_000)))));
    attacks.add(new Attack("conflicting Chosen", stamp.apply(new GroupEnvelope(group, as,
        new Message.Chosen(as, List.of(new Message.ChosenEntry(1, high, forged)), 2)))));
    attacks.add(new Attack("SnapshotRequest", stamp.apply(new SnapshotRequest(group, as, 0))));
    attacks.add(new Attack("remote PoisonPill", PoisonPill.getInstance()));
    return attacks;
  }

  /** {@code body} with a ticket the rogue made up, claiming node {@code as}. */
  static Stamped forgedStamp(int as, NodeGateway.PeerTraffic body) {
    return new Stamped(as, new Ticket(0x5EC0, as), body);
  }

  void send(ActorRef gateway, Attack attack) {
    gateway.tell(attack.message(), ActorRef.noSender());
  }

  /**
   * Terminates the rogue's actor system, waiting a while for it. Artery over TLS may wait long for
   * a peer's side of a TLS close that a refused connection never sends (docs/protocol.md, "Known
   * limits"); such a system is left to finish terminating by itself, within the test JVM.
   */
  @Override
  public void close() throws Exception {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.err.println("RogueNode: " + system.name() + " still terminating after 20 s (Artery's TLS close); left to it");
    }
  }

  /** Keeps what reaches it. */
  static final class Catcher extends AbstractActor {
    private final LinkedBlockingQueue<Object> caught;

    Catcher(LinkedBlockingQueue<Object> caught) {
      this.caught = caught;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(caught::add).build();
    }
  }
}
