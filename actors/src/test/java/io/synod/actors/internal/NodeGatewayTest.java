package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.synod.actors.GroupCommand;
import io.synod.actors.LocalCluster;
import io.synod.paxos.Ballot;
import io.synod.paxos.Message;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node gateway's routing, ticket and registration rules, with probes standing in for
 * coordinators. The gateway under test is node 0's; nodes 1, 2 and 5 are known to it at addresses
 * where nothing listens.
 */
class NodeGatewayTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private LocalCluster cluster;
  private ActorRef<NodeGateway.Command> gateway;
  private TicketOffice office;
  private Peers peers;
  private final Refusals refusals = new Refusals();
  private final RunningGroups running = new RunningGroups();
  private List<TicketOffice.Outgoing> firstRequests;

  @BeforeEach
  void start() {
    cluster = LocalCluster.start(1);
    org.apache.pekko.actor.typed.ActorSystem<?> system = cluster.node(0).typed();
    Map<Integer, Address> nodes = new HashMap<>();
    nodes.put(0, system.address());
    for (int id : List.of(1, 2, 5)) {
      nodes.put(id, new Address("pekko", "nobody", "127.0.0.1", 1));
    }
    office = new TicketOffice(0, nodes.keySet(), new SecureRandom());
    firstRequests = office.requests(); // read before the gateway owns the office
    peers = new Peers(system, 0, nodes, 1_000_000, office.issuedTo(0));
    gateway = Adapter.spawn(cluster.node(0).system(), NodeGateway.create(peers, office, refusals,
        org.apache.pekko.actor.typed.javadsl.Behaviors.ignore(), running), "gateway-under-test");
  }

  /** {@code body} stamped as node {@code from} stamps it: with the ticket this gateway issued to it. */
  private Stamped stamped(int from, NodeGateway.PeerTraffic body) {
    return new Stamped(from, office.issuedTo(from), body);
  }

  /** Waits until {@code n} refusals of {@code reason} are counted. */
  private void awaitRefused(String reason, long n) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (refusals.counts().getOrDefault(reason, 0L) < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + n + " refusals of " + reason + ", counted " + refusals.counts());
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // polling with a deadline
    }
    assertEquals(n, refusals.counts().get(reason), reason);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private TestProbe<GroupCommand> probe() {
    return TestProbe.create(cluster.node(0).typed());
  }

  /** A probe registered as the coordinator of group "g" with {@code members}. */
  private TestProbe<GroupCommand> registered(List<Integer> members) {
    TestProbe<GroupCommand> coordinator = probe();
    gateway.tell(new NodeGateway.Register("g", 0, members, coordinator.getRef()));
    assertEquals(GroupCoordinator.Registered.INSTANCE, coordinator.receiveMessage(TIMEOUT));
    return coordinator;
  }

  @Test
  void theGatewayDropsMessagesFromNonMembersAndForUnknownGroups() {
    TestProbe<GroupCommand> coordinator = registered(List.of(0, 1));
    gateway.tell(stamped(5, new GroupEnvelope("g", 5, new Message.Prepare(5, new Ballot(1, 5), 0))));
    gateway.tell(stamped(1, new GroupEnvelope("other", 1, new Message.Prepare(1, new Ballot(1, 1), 0))));
    // Lies about its sender, inside the message and inside the envelope.
    gateway.tell(stamped(1, new GroupEnvelope("g", 1, new Message.Prepare(5, new Ballot(1, 5), 0))));
    gateway.tell(stamped(1, new GroupEnvelope("g", 2, new Message.Prepare(2, new Ballot(1, 2), 0))));
    gateway.tell(stamped(5, new SnapshotRequest("g", 5, 0))); // a non-member asking for the checkpoint
    gateway.tell(stamped(1, new SnapshotRequest("g", 2, 0))); // one asking in another's name
    Message.Prepare fromMember = new Message.Prepare(1, new Ballot(2, 1), 0);
    gateway.tell(stamped(1, new GroupEnvelope("g", 1, fromMember)));
    // Messages from one sender arrive in order: the member's comes last, so it must be the first seen.
    assertEquals(new GroupCoordinator.Inbound(fromMember), coordinator.receiveMessage(TIMEOUT));
    assertEquals(Map.of("not-a-member", 2L, "unknown-group", 1L, "sender-mismatch", 3L), refusals.counts());
  }

  @Test
  void messagesOfAnotherLifeOfAGroupAreDroppedAndItsLifeIsKnownWhileItRuns() {
    TestProbe<GroupCommand> coordinator = probe();
    gateway.tell(new NodeGateway.Register("g", 7, List.of(0, 1), coordinator.getRef()));
    assertEquals(GroupCoordinator.Registered.INSTANCE, coordinator.receiveMessage(TIMEOUT));
    assertEquals(java.util.OptionalLong.of(7), running.incarnationOf("g"));
    // An earlier life's message still in flight, and one of a life this node does not run yet.
    gateway.tell(stamped(1, new GroupEnvelope("g", 6, 1, new Message.Prepare(1, new Ballot(5, 1), 0))));
    gateway.tell(stamped(1, new GroupEnvelope("g", 8, 1, new Message.Prepare(1, new Ballot(6, 1), 0))));
    gateway.tell(stamped(1, new SnapshotRequest("g", 6, 1, 0)));
    gateway.tell(stamped(1, new GroupEnvelope("g", 0, 1, new Message.Prepare(1, new Ballot(7, 1), 0))));
    Message.Prepare current = new Message.Prepare(1, new Ballot(2, 1), 0);
    gateway.tell(stamped(1, new GroupEnvelope("g", 7, 1, current)));
    assertEquals(new GroupCoordinator.Inbound(current), coordinator.receiveMessage(TIMEOUT));
    awaitRefused("other-incarnation", 4);
    coordinator.stop();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (running.incarnationOf("g").isPresent() && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // polling with a deadline
    }
    assertEquals(java.util.OptionalLong.empty(), running.incarnationOf("g"), "a stopped group runs no life");
  }

  @Test
  void aMessageReachesAGroupOnlyWithTheTicketIssuedToTheNodeItClaimsToComeFrom() {
    TestProbe<GroupCommand> coordinator = registered(List.of(0, 1, 2));
    Message.Prepare forged = new Message.Prepare(1, new Ballot(9, 1), 0);
    gateway.tell(new Stamped(1, office.issuedTo(2), new GroupEnvelope("g", 1, forged))); // node 2's ticket
    gateway.tell(new Stamped(1, new Ticket(1, 2), new GroupEnvelope("g", 1, forged))); // a guess
    gateway.tell(new GroupEnvelope("g", 1, forged)); // no stamp at all
    gateway.tell(new Stamped(7, new Ticket(1, 2), new GroupEnvelope("g", 7, forged))); // a node unknown here
    gateway.tell(new Stamped(1, office.issuedTo(2), new SnapshotRequest("g", 1, 0)));
    Message.Prepare genuine = new Message.Prepare(1, new Ballot(2, 1), 0);
    gateway.tell(stamped(1, new GroupEnvelope("g", 1, genuine)));
    assertEquals(new GroupCoordinator.Inbound(genuine), coordinator.receiveMessage(TIMEOUT));
    awaitRefused("wrong-ticket", 3);
    awaitRefused("unstamped", 1);
    awaitRefused("unknown-node", 1);
    coordinator.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aGrantIsTakenOnlyWithTheNonceOfThisNodesOwnRequest() {
    Ticket nonce = firstRequests.stream().filter(o -> o.to() == 1).findFirst().orElseThrow().request().nonce();
    gateway.tell(new TicketExchange.Grant(1, new Ticket(3, 4), new Ticket(5, 6))); // a forgery
    awaitRefused("unrequested-grant", 1);
    assertEquals(null, peers.ticketFrom(1));
    Ticket granted = new Ticket(7, 8);
    gateway.tell(new TicketExchange.Grant(1, nonce, granted));
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!granted.equals(peers.ticketFrom(1)) && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // polling with a deadline
    }
    assertEquals(granted, peers.ticketFrom(1));
    gateway.tell(new TicketExchange.Grant(1, nonce, new Ticket(9, 9))); // the same nonce again: used up, ignored
    gateway.tell(new TicketExchange.Grant(1, new Ticket(3, 4), new Ticket(9, 9))); // another forgery
    awaitRefused("unrequested-grant", 2);
    assertEquals(granted, peers.ticketFrom(1));
  }

  @Test
  void aBatchIsRoutedEnvelopeByEnvelopeInOrderUnderTheSameRules() {
    TestProbe<GroupCommand> g = registered(List.of(0, 1));
    TestProbe<GroupCommand> h = probe();
    gateway.tell(new NodeGateway.Register("h", 0, List.of(0, 1), h.getRef()));
    assertEquals(GroupCoordinator.Registered.INSTANCE, h.receiveMessage(TIMEOUT));
    Message.Prepare first = new Message.Prepare(1, new Ballot(1, 1), 0);
    Message.Prepare second = new Message.Prepare(1, new Ballot(2, 1), 0);
    Message.Prepare forH = new Message.Prepare(1, new Ballot(3, 1), 0);
    gateway.tell(stamped(1, new GroupBatch(List.of(
        new GroupEnvelope("g", 1, first),
        new GroupEnvelope("g", 5, new Message.Prepare(5, new Ballot(9, 5), 0)), // not from the stamp's node
        new GroupEnvelope("h", 1, forH),
        new GroupEnvelope("other", 1, new Message.Prepare(1, new Ballot(9, 1), 0)), // unknown group
        new GroupEnvelope("g", 1, second)))));
    assertEquals(new GroupCoordinator.Inbound(first), g.receiveMessage(TIMEOUT));
    assertEquals(new GroupCoordinator.Inbound(second), g.receiveMessage(TIMEOUT));
    assertEquals(new GroupCoordinator.Inbound(forH), h.receiveMessage(TIMEOUT));
    g.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aGroupRunsAtMostOncePerNode() {
    registered(List.of(0));
    TestProbe<GroupCommand> second = probe();
    gateway.tell(new NodeGateway.Register("g", 0, List.of(0), second.getRef()));
    assertEquals(GroupCoordinator.RegistrationRefused.class, second.receiveMessage(TIMEOUT).getClass());
  }

  @Test
  void aGroupSpawnedAgainTakesOverOnceTheOldCoordinatorHasStopped() {
    TestProbe<GroupCommand> old = registered(List.of(0));
    TestProbe<GroupCommand> next = probe();
    gateway.tell(new NodeGateway.Register("g", 0, List.of(0), next.getRef())); // before the old one stops
    old.stop();
    assertEquals(GroupCoordinator.Registered.INSTANCE, next.receiveMessage(TIMEOUT));
  }
}
