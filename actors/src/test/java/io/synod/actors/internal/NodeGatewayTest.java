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
import org.junit.jupiter.api.Test;

/** The node gateway's routing rules, with probes standing in for coordinators. */
class NodeGatewayTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @Test
  void theGatewayDropsMessagesFromNonMembersAndForUnknownGroups() {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      var system = cluster.node(0).system();
      ActorRef<NodeGateway.Command> gateway = Adapter.spawn(system, NodeGateway.create(), "gateway-under-test");
      TestProbe<GroupCommand> coordinator = TestProbe.create(Adapter.toTyped(system));
      gateway.tell(new NodeGateway.Register("g", List.of(0, 1), coordinator.getRef()));
      assertEquals(GroupCoordinator.Registered.INSTANCE, coordinator.receiveMessage(TIMEOUT));
      Message.Prepare fromStranger = new Message.Prepare(5, new Ballot(1, 5), 0);
      gateway.tell(new GroupEnvelope("g", 5, fromStranger));
      gateway.tell(new GroupEnvelope("other", 1, new Message.Prepare(1, new Ballot(1, 1), 0)));
      gateway.tell(new GroupEnvelope("g", 1, new Message.Prepare(5, new Ballot(1, 5), 0))); // lies about its sender
      gateway.tell(new SnapshotRequest("g", 5, 0)); // a stranger asking for the checkpoint
      Message.Prepare fromMember = new Message.Prepare(1, new Ballot(2, 1), 0);
      gateway.tell(new GroupEnvelope("g", 1, fromMember));
      // Messages from one sender arrive in order: the member's comes last, so it must be the first seen.
      assertEquals(new GroupCoordinator.Inbound(fromMember), coordinator.receiveMessage(TIMEOUT));
    }
  }

  @Test
  void aGroupRunsAtMostOncePerNode() {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      var system = cluster.node(0).system();
      ActorRef<NodeGateway.Command> gateway = Adapter.spawn(system, NodeGateway.create(), "gateway-under-test");
      TestProbe<GroupCommand> first = TestProbe.create(Adapter.toTyped(system));
      TestProbe<GroupCommand> second = TestProbe.create(Adapter.toTyped(system));
      gateway.tell(new NodeGateway.Register("g", List.of(0), first.getRef()));
      assertEquals(GroupCoordinator.Registered.INSTANCE, first.receiveMessage(TIMEOUT));
      gateway.tell(new NodeGateway.Register("g", List.of(0), second.getRef()));
      GroupCommand refused = second.receiveMessage(TIMEOUT);
      assertEquals(GroupCoordinator.RegistrationRefused.class, refused.getClass());
    }
  }

  @Test
  void aGroupSpawnedAgainTakesOverOnceTheOldCoordinatorHasStopped() {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      var system = cluster.node(0).system();
      ActorRef<NodeGateway.Command> gateway = Adapter.spawn(system, NodeGateway.create(), "gateway-under-test");
      TestProbe<GroupCommand> old = TestProbe.create(Adapter.toTyped(system));
      TestProbe<GroupCommand> next = TestProbe.create(Adapter.toTyped(system));
      gateway.tell(new NodeGateway.Register("g", List.of(0), old.getRef()));
      assertEquals(GroupCoordinator.Registered.INSTANCE, old.receiveMessage(TIMEOUT));
      gateway.tell(new NodeGateway.Register("g", List.of(0), next.getRef())); // before the old one stops
      old.stop();
      assertEquals(GroupCoordinator.Registered.INSTANCE, next.receiveMessage(TIMEOUT));
    }
  }
}
