package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.synod.actors.GroupCommand;
import io.synod.actors.LocalCluster;
import io.synod.paxos.Ballot;
import io.synod.paxos.Message;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node gateway's routing and registration rules, with probes standing in for coordinators. */
class NodeGatewayTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private LocalCluster cluster;
  private ActorRef<NodeGateway.Command> gateway;

  @BeforeEach
  void start() {
    cluster = LocalCluster.start(1);
    gateway = Adapter.spawn(cluster.node(0).system(), NodeGateway.create(), "gateway-under-test");
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
    gateway.tell(new NodeGateway.Register("g", members, coordinator.getRef()));
    assertEquals(GroupCoordinator.Registered.INSTANCE, coordinator.receiveMessage(TIMEOUT));
    return coordinator;
  }

  @Test
  void theGatewayDropsMessagesFromNonMembersAndForUnknownGroups() {
    TestProbe<GroupCommand> coordinator = registered(List.of(0, 1));
    gateway.tell(new GroupEnvelope("g", 5, new Message.Prepare(5, new Ballot(1, 5), 0)));
    gateway.tell(new GroupEnvelope("other", 1, new Message.Prepare(1, new Ballot(1, 1), 0)));
    gateway.tell(new GroupEnvelope("g", 1, new Message.Prepare(5, new Ballot(1, 5), 0))); // lies about its sender
    gateway.tell(new SnapshotRequest("g", 5, 0)); // a stranger asking for the checkpoint
    Message.Prepare fromMember = new Message.Prepare(1, new Ballot(2, 1), 0);
    gateway.tell(new GroupEnvelope("g", 1, fromMember));
    // Messages from one sender arrive in order: the member's comes last, so it must be the first seen.
    assertEquals(new GroupCoordinator.Inbound(fromMember), coordinator.receiveMessage(TIMEOUT));
  }

  @Test
  void aBatchIsRoutedEnvelopeByEnvelopeInOrderUnderTheSameRules() {
    TestProbe<GroupCommand> g = registered(List.of(0, 1));
    TestProbe<GroupCommand> h = probe();
    gateway.tell(new NodeGateway.Register("h", List.of(0, 1), h.getRef()));
    assertEquals(GroupCoordinator.Registered.INSTANCE, h.receiveMessage(TIMEOUT));
    Message.Prepare first = new Message.Prepare(1, new Ballot(1, 1), 0);
    Message.Prepare second = new Message.Prepare(1, new Ballot(2, 1), 0);
    Message.Prepare forH = new Message.Prepare(1, new Ballot(3, 1), 0);
    gateway.tell(new GroupBatch(List.of(
        new GroupEnvelope("g", 1, first),
        new GroupEnvelope("g", 5, new Message.Prepare(5, new Ballot(9, 5), 0)), // not a member: dropped
        new GroupEnvelope("h", 1, forH),
        new GroupEnvelope("other", 1, new Message.Prepare(1, new Ballot(9, 1), 0)), // unknown group
        new GroupEnvelope("g", 1, second))));
    assertEquals(new GroupCoordinator.Inbound(first), g.receiveMessage(TIMEOUT));
    assertEquals(new GroupCoordinator.Inbound(second), g.receiveMessage(TIMEOUT));
    assertEquals(new GroupCoordinator.Inbound(forH), h.receiveMessage(TIMEOUT));
    g.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aGroupRunsAtMostOncePerNode() {
    registered(List.of(0));
    TestProbe<GroupCommand> second = probe();
    gateway.tell(new NodeGateway.Register("g", List.of(0), second.getRef()));
    assertEquals(GroupCoordinator.RegistrationRefused.class, second.receiveMessage(TIMEOUT).getClass());
  }

  @Test
  void aGroupSpawnedAgainTakesOverOnceTheOldCoordinatorHasStopped() {
    TestProbe<GroupCommand> old = registered(List.of(0));
    TestProbe<GroupCommand> next = probe();
    gateway.tell(new NodeGateway.Register("g", List.of(0), next.getRef())); // before the old one stops
    old.stop();
    assertEquals(GroupCoordinator.Registered.INSTANCE, next.receiveMessage(TIMEOUT));
  }
}
