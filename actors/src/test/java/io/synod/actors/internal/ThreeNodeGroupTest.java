package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.actors.LocalCluster;
import io.synod.paxos.Applied;
import io.synod.paxos.Ballot;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.Test;

/** One group on three nodes, over Artery: the gateway, the coordinators and the journal together. */
class ThreeNodeGroupTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration TICK = Duration.ofMillis(10);
  private static final List<Integer> MEMBERS = List.of(0, 1, 2);

  private static GroupConfig config(int self) {
    return GroupConfig.builder("counter", self, MEMBERS)
        .leaseTicks(10).heartbeatTicks(2).electionTimeoutTicks(10).electionJitterTicks(5).build();
  }

  @Test
  void commandsSentToOneNodeAreAppliedOnEveryNode() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3)) {
      Map<Integer, Address> addresses = new HashMap<>();
      cluster.nodes().forEach(n -> addresses.put(n.id(), n.address()));
      List<GroupCoordinatorTest.Counter> counters = new ArrayList<>();
      List<ActorRef<GroupCoordinator.Command>> groups = new ArrayList<>();
      for (LocalCluster.Node n : cluster.nodes()) {
        ActorRef<NodeGateway.Command> gateway = Adapter.spawn(n.system(), NodeGateway.create(), NodeGateway.NAME);
        GroupCoordinatorTest.Counter counter = new GroupCoordinatorTest.Counter();
        ActorRef<GroupCoordinator.Command> group = Adapter.spawn(n.system(), GroupCoordinator.create(config(n.id()),
            TICK, counter, NodeGateway.sender(n.system(), "counter", n.id(), addresses)), "counter");
        gateway.tell(new NodeGateway.Register("counter", MEMBERS, group));
        counters.add(counter);
        groups.add(group);
      }

      TestProbe<GroupCoordinator.ProposeReply> replies = TestProbe.create(Adapter.toTyped(cluster.node(1).system()));
      int commands = 20;
      for (int c = 1; c <= commands; c++) {
        groups.get(1).tell(new GroupCoordinator.Propose(new io.synod.paxos.Command(c, 1, new byte[] {(byte) c}),
            replies.getRef()));
      }
      for (int c = 1; c <= commands; c++) {
        GroupCoordinator.ProposeReply r = replies.receiveMessage(TIMEOUT);
        assertTrue(r instanceof GroupCoordinator.Done d && d.applied().outcome() == Applied.Outcome.APPLIED,
            "expected every command applied, got " + r);
      }
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (System.nanoTime() < deadline && counters.stream().anyMatch(k -> k.count < commands)) {
        Thread.onSpinWait();
      }
      for (int i = 0; i < 3; i++) {
        assertEquals(commands, counters.get(i).count, "node " + i + " applied every command");
      }
    }
  }

  @Test
  void theGatewayDropsMessagesFromNonMembersAndForUnknownGroups() {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      var system = cluster.node(0).system();
      ActorRef<NodeGateway.Command> gateway = Adapter.spawn(system, NodeGateway.create(), NodeGateway.NAME);
      TestProbe<GroupCoordinator.Command> coordinator = TestProbe.create(Adapter.toTyped(system));
      gateway.tell(new NodeGateway.Register("g", List.of(0, 1), coordinator.getRef()));
      Message.Prepare fromStranger = new Message.Prepare(5, new Ballot(1, 5), 0);
      gateway.tell(new GroupEnvelope("g", 5, fromStranger));
      gateway.tell(new GroupEnvelope("other", 1, new Message.Prepare(1, new Ballot(1, 1), 0)));
      gateway.tell(new GroupEnvelope("g", 1, new Message.Prepare(5, new Ballot(1, 5), 0))); // lies about its sender
      Message.Prepare fromMember = new Message.Prepare(1, new Ballot(2, 1), 0);
      gateway.tell(new GroupEnvelope("g", 1, fromMember));
      // Messages from one sender arrive in order: the member's comes last, so it must be the first seen.
      assertEquals(new GroupCoordinator.Inbound(fromMember), coordinator.receiveMessage(TIMEOUT));
    }
  }
}
