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
      List<GroupCoordinatorTest.Counter> counters = new ArrayList<>();
      List<ActorRef<GroupCoordinator.Command>> groups = startGroup(cluster, counters);

      TestProbe<GroupCoordinator.ProposeReply> replies = TestProbe.create(Adapter.toTyped(cluster.node(1).system()));
      int commands = 20;
      // Twenty clients at once; like real clients they retry what is not answered in time (a
      // leader deposed while commands were in flight drops them), and each is applied once.
      java.util.Set<Long> answered = new java.util.HashSet<>();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (answered.size() < commands && System.nanoTime() < deadline) {
        for (long c = 1; c <= commands; c++) {
          if (!answered.contains(c)) {
            groups.get(1).tell(new GroupCoordinator.Propose(new io.synod.paxos.Command(c, 1, new byte[] {(byte) c}),
                replies.getRef()));
          }
        }
        try {
          while (answered.size() < commands) {
            GroupCoordinator.ProposeReply r = replies.receiveMessage(Duration.ofSeconds(2));
            assertTrue(r instanceof GroupCoordinator.Done, "expected the command applied, got " + r);
            answered.add(((GroupCoordinator.Done) r).applied().clientId());
          }
        } catch (AssertionError timeout) {
          // some were not answered within the clients' timeout: they send them again
        }
      }
      assertEquals(commands, answered.size(), "every client answered");
      deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (System.nanoTime() < deadline && counters.stream().anyMatch(k -> k.count < commands)) {
        Thread.onSpinWait();
      }
      for (int i = 0; i < 3; i++) {
        assertEquals(commands, counters.get(i).count, "node " + i + " applied every command");
      }
    }
  }

  /** Three nodes each running the group; returns the coordinators and fills {@code counters}. */
  private static List<ActorRef<GroupCoordinator.Command>> startGroup(LocalCluster cluster,
      List<GroupCoordinatorTest.Counter> counters) {
    Map<Integer, Address> addresses = new HashMap<>();
    cluster.nodes().forEach(n -> addresses.put(n.id(), n.address()));
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
    return groups;
  }

  /** Proposes until answered, retrying with the same (client, sequence) as a real client would. */
  private static Applied proposeUntilApplied(ActorRef<GroupCoordinator.Command> group,
      TestProbe<GroupCoordinator.ProposeReply> replies, long client, long sequence) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      group.tell(new GroupCoordinator.Propose(new io.synod.paxos.Command(client, sequence, new byte[] {1}),
          replies.getRef()));
      GroupCoordinator.ProposeReply got;
      try {
        got = replies.receiveMessage(Duration.ofSeconds(2));
      } catch (AssertionError noAnswerYet) {
        continue; // the client's timeout: retry the same command, which is applied at most once
      }
      if (got instanceof GroupCoordinator.Done d) {
        return d.applied();
      }
    }
    throw new AssertionError("command " + client + "#" + sequence + " not applied within " + TIMEOUT);
  }

  @Test
  void whenTheLeadersNodeStopsANewLeaderTakesOverAndNothingAcknowledgedIsLost() {
    try (LocalCluster cluster = LocalCluster.start(3)) {
      List<GroupCoordinatorTest.Counter> counters = new ArrayList<>();
      List<ActorRef<GroupCoordinator.Command>> groups = startGroup(cluster, counters);
      TestProbe<GroupCoordinator.ProposeReply> replies = TestProbe.create(Adapter.toTyped(cluster.node(0).system()));
      for (long s = 1; s <= 10; s++) {
        assertEquals(Applied.Outcome.APPLIED, proposeUntilApplied(groups.get(0), replies, 1, s).outcome());
      }
      TestProbe<Integer> leaderProbe = TestProbe.create(Adapter.toTyped(cluster.node(0).system()));
      groups.get(0).tell(new GroupCoordinator.Leader(leaderProbe.getRef()));
      int leader = leaderProbe.receiveMessage(TIMEOUT);
      assertTrue(leader >= 0, "a leader is known after ten commits");

      cluster.node(leader).system().terminate();
      int survivor = (leader + 1) % 3;
      TestProbe<GroupCoordinator.ProposeReply> more = TestProbe.create(Adapter.toTyped(cluster.node(survivor).system()));
      for (long s = 11; s <= 20; s++) {
        Applied a = proposeUntilApplied(groups.get(survivor), more, 1, s);
        assertTrue(a.outcome() == Applied.Outcome.APPLIED || a.outcome() == Applied.Outcome.DUPLICATE, "" + a);
        assertEquals(s, java.nio.ByteBuffer.wrap(a.result()).getLong(), "command #" + s + " is the " + s + "th applied");
      }
      TestProbe<Integer> newLeader = TestProbe.create(Adapter.toTyped(cluster.node(survivor).system()));
      groups.get(survivor).tell(new GroupCoordinator.Leader(newLeader.getRef()));
      int now = newLeader.receiveMessage(TIMEOUT);
      assertTrue(now >= 0 && now != leader, "a new leader among the survivors, got " + now);
      for (int i = 0; i < 3; i++) {
        if (i != leader) {
          long deadline = System.nanoTime() + TIMEOUT.toNanos();
          while (System.nanoTime() < deadline && counters.get(i).count < 20) {
            Thread.onSpinWait();
          }
          assertEquals(20, counters.get(i).count, "survivor " + i + " applied all twenty, each once");
        }
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
