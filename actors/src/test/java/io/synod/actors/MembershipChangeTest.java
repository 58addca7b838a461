package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Membership;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.Test;

/**
 * Membership changes on four in-JVM nodes: a group that begins on nodes 0, 1 and 2 adds node 3 (which
 * runs the group as a joiner), which catches up and becomes a voter, then removes node 0, while a
 * client keeps writing; every acknowledged write survives, and bad requests change nothing.
 */
class MembershipChangeTest {

  private static final Duration T = Duration.ofSeconds(30);

  private final TestCounter.Registry counters = new TestCounter.Registry();

  @Test
  void aJoinerCatchesUpAndVotesAndARemovedVoterLeavesWhileClientsWrite() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(4)) {
      List<GroupClient<Long, Long>> clients = spawn(cluster, "members", List.of(0, 1, 2), List.of(), 3);
      GroupClient<Long, Long> writer = clients.get(1);
      AtomicLong acknowledged = new AtomicLong();
      for (int i = 0; i < 20; i++) {
        acknowledged.set(Await.result(writer.propose(1L), T));
      }
      // Writes go on while the membership changes.
      List<CompletableFuture<Long>> during = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        during.add(writer.propose(1L).toCompletableFuture());
      }
      Membership added = Await.result(clients.get(2).addMember(3), T);
      assertEquals(List.of(0, 1, 2, 3), added.voters(), added.toString());
      assertEquals(List.of(), added.learners(), added.toString());
      // Asked at the node that saw the addition complete: it knows the membership the removal is made against.
      Membership removed = Await.result(clients.get(2).removeMember(0), T);
      assertEquals(List.of(1, 2, 3), removed.voters(), removed.toString());
      for (CompletableFuture<Long> f : during) {
        Await.result(f, T);
      }
      long total = Await.result(writer.propose(1L), T);
      assertEquals(71L, total, "every write applied once");
      // Node 3 applied everything (its counter is the group's), and node 0 is out.
      Await.until(T, () -> "node 3 applies through the last write", () -> appliedThrough(clients.get(3))
          >= appliedThrough(clients.get(1)));
      assertEquals(total, Await.result(clients.get(3).read(0L), T), "a linearizable read asked at node 3");
      Await.until(T, () -> "node 0 learns it was removed",
          () -> !Await.result(clients.get(0).membership(), T).includes(0));

      // The group runs on without node 0: stop it, and commits still succeed.
      cluster.stop(0);
      assertEquals(total + 1, Await.result(clients.get(3).propose(1L), T));
    }
  }

  @Test
  void removingTheLeaderHandsLeadershipToAnotherVoterFirst() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3)) {
      List<GroupClient<Long, Long>> clients = spawn(cluster, "oust", List.of(0, 1, 2), List.of(), -1);
      assertEquals(1L, Await.result(clients.get(0).propose(1L), T));
      int leader = Await.result(clients.get(0).leader(), T).orElseThrow();
      int askedAt = (leader + 1) % 3;
      List<Leadership> seenByLeader = new java.util.concurrent.CopyOnWriteArrayList<>();
      clients.get(leader).watchLeadership(seenByLeader::add);
      Membership after = Await.result(clients.get(askedAt).removeMember(leader), T);
      assertEquals(false, after.includes(leader), after.toString());
      Await.until(T, () -> "another voter leads", () -> {
        int next = Await.result(clients.get(askedAt).leader(), T).orElse(-1);
        return next >= 0 && next != leader;
      });
      // The removed node gave up leadership (it hears no more from the group, so it may not learn
      // who leads now).
      Await.until(T, () -> "the removed node stops being master: " + seenByLeader,
          () -> !seenByLeader.isEmpty() && !seenByLeader.get(seenByLeader.size() - 1).isMaster());
      assertEquals(2L, Await.result(clients.get(askedAt).propose(1L), T), "the group commits on without it");
    }
  }

  @Test
  void badRequestsAreRefusedClearlyAndChangeNothing() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3)) {
      List<GroupClient<Long, Long>> clients = spawn(cluster, "bad", List.of(0, 1), List.of(2), -1);
      assertEquals(1L, Await.result(clients.get(2).propose(1L), T), "a learner's command goes to the leader");
      Membership before = Await.result(clients.get(0).membership(), T);
      assertEquals(new Membership(0, List.of(0, 1), List.of(2)), before);

      assertRefused(clients.get(0).addMember(9), IllegalArgumentException.class, "node 9 is unknown");
      assertRefused(clients.get(0).addMember(1), IllegalArgumentException.class, "node 1 is a voter already");
      assertRefused(clients.get(0).addLearner(2), IllegalArgumentException.class, "node 2 is a learner already");
      Membership withoutOne = Await.result(clients.get(1).removeMember(0), T);
      assertEquals(List.of(1), withoutOne.voters());
      assertRefused(clients.get(1).removeMember(1), IllegalArgumentException.class, "the last voter");
      assertRefused(clients.get(1).removeMember(0), IllegalArgumentException.class, "neither a voter nor a learner");
      // Two changes asked at once at one node: the second is refused while the first is under way.
      CompletionStage<Membership> first = clients.get(1).addMember(0);
      CompletionStage<Membership> second = clients.get(1).removeMember(2);
      assertRefused(second, IllegalStateException.class, "under way");
      Membership after = Await.result(first, T);
      assertEquals(List.of(0, 1), after.voters(), after.toString());
      assertEquals(List.of(2), after.learners(), "the refused change changed nothing: " + after);
      assertTrue(Await.result(clients.get(2).propose(1L), T) == 2L, "the group commits on");
    }
  }

  @Test
  void aLearnerAppliesTheLogNeverVotesAndServesReadsMarkedStaleOrThroughTheLeader() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3)) {
      List<GroupClient<Long, Long>> clients = spawn(cluster, "replica", List.of(0, 1), List.of(2), -1);
      GroupClient<Long, Long> learner = clients.get(2);
      for (int i = 0; i < 5; i++) {
        Await.result(clients.get(i % 2).propose(1L), T);
      }
      Await.until(T, () -> "the learner applies the five writes",
          () -> Await.result(learner.readLocal(0L), T).value() == 5L);
      StaleRead<Long> stale = Await.result(learner.readLocal(0L), T);
      assertTrue(stale.appliedThrough() >= 4, "five writes are at instances 0 to 4 at least: " + stale);
      assertEquals(6L, Await.result(learner.propose(1L), T), "a command at the learner goes to the leader");
      assertEquals(6L, Await.result(learner.read(0L), T), "a linearizable read at the learner goes through the log");
      int leader = Await.result(clients.get(0).leader(), T).orElse(-1);
      assertTrue(leader == 0 || leader == 1, "a voter leads, not the learner: " + leader);
      // Without the learner the voters still commit: it never counted in their quorum.
      cluster.stop(2);
      assertEquals(7L, Await.result(clients.get(0).propose(1L), T));
    }
  }

  /**
   * Spawns group {@code id} on every node of {@code cluster}, beginning with {@code members} and
   * {@code learners}, node {@code joiner} (or none, -1) joining; a client of it on each node.
   */
  private List<GroupClient<Long, Long>> spawn(LocalCluster cluster, String id, List<Integer> members,
      List<Integer> learners, int joiner) {
    List<GroupClient<Long, Long>> clients = new ArrayList<>();
    for (LocalCluster.Node n : cluster.nodes()) {
      SynodGroup<Long, Long> def = counters.group(id, n.id());
      ActorRef<GroupCommand> ref = Adapter.spawn(n.system(),
          def.behavior(n.synod(), members, learners, n.id() == joiner, n.synod().settings()), id);
      clients.add(def.client(n.synod(), ref));
    }
    return clients;
  }

  private static void assertRefused(CompletionStage<?> stage, Class<? extends Throwable> type, String says) {
    Throwable t = Await.failure(stage, T);
    assertTrue(type.isInstance(t) && t.getMessage().contains(says), "expected " + type.getSimpleName() + " saying '"
        + says + "', got " + t);
  }

  private static long appliedThrough(GroupClient<?, ?> client) {
    return Await.result(client.appliedThrough(), T);
  }
}
