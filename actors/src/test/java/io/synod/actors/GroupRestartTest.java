package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.synod.persistence.DiskFaults;
import io.synod.persistence.FaultyJournal;
import io.synod.persistence.JournalFailedException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A group whose roles fail starts them again by itself (synod.group.restart): a disk that stalls
 * past the journal's circuit breaker and then recovers leaves every group serving again, with
 * nothing acknowledged lost, in the same node process.
 */
class GroupRestartTest {

  private static final Duration T = Duration.ofSeconds(30);
  private static final int GROUPS = 4;

  /** A short breaker and back-off, so that the stall outlasts the breaker's timeout in a few seconds. */
  private static final Config QUICK = ConfigFactory.parseString(String.join("\n",
      "synod.persistence.journal.circuit-breaker { call-timeout = 1 s, reset-timeout = 1 s }",
      "synod.group.restart { min-backoff = 200 ms, max-backoff = 1 s }",
      "synod.client.request-timeout = 5 s"));

  private final TestCounter.Registry counters = new TestCounter.Registry();

  /** Groups whose only member is node 0: each can commit only through node 0's own journal. */
  private static List<GroupClient<Long, Long>> spawnGroups(LocalCluster cluster, int groups,
      TestCounter.Registry counters, List<ActorRef<GroupCommand>> refs) {
    List<String> ids = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      ids.add("g" + g);
    }
    return counters.spawnEach(cluster.node(0), ids, refs); // a one-node cluster: node 0 is the only member
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aDiskThatStallsPastTheCircuitBreakerAndRecoversLeavesEveryGroupServingWithoutARestartOfTheNode() {
    try (LocalCluster cluster = LocalCluster.start(1, QUICK)) {
      LocalCluster.Node node = cluster.node(0);
      List<ActorRef<GroupCommand>> refs = new ArrayList<>();
      List<GroupClient<Long, Long>> clients = spawnGroups(cluster, GROUPS, counters, refs);
      long[] acknowledged = new long[GROUPS];
      for (int g = 0; g < GROUPS; g++) {
        for (int i = 0; i < 5; i++) {
          acknowledged[g] = Math.max(acknowledged[g], Await.result(clients.get(g).propose(1L), T));
        }
      }

      DiskFaults.Stall stall = DiskFaults.stall(node.journalDir());
      List<CompletionStage<Long>> duringStall = new ArrayList<>();
      try {
        for (GroupClient<Long, Long> c : clients) {
          duringStall.add(c.propose(1L)); // its write stalls: the breaker fails it after 1 s
        }
        for (int g = 0; g < GROUPS; g++) {
          GroupClient<Long, Long> c = clients.get(g);
          // Three rounds: each restart recovers, campaigns, and its first write stalls and fails again.
          Await.until(T, () -> "group " + c.group() + " restarts its roles three times while the disk stalls",
              () -> Await.result(c.status(), T).restarts() >= 3);
        }
        for (CompletionStage<Long> answer : duringStall) {
          Throwable failure = Await.failure(answer, T); // a clear answer, not a hang
          assertTrue(failure instanceof GroupStoppedException || failure instanceof RequestTimeoutException,
              "a command whose write stalled fails, its outcome unknown: " + failure);
        }
        GroupStatus down = Await.result(clients.get(0).status(), T);
        assertTrue(down.lastFailure() != null && down.lastFailure().contains("acceptor"), "the status says why: " + down);
        assertTrue(stall.stalledForces() > 0, "the stall held forces");
      } finally {
        stall.release();
      }

      for (int g = 0; g < GROUPS; g++) {
        GroupClient<Long, Long> c = clients.get(g);
        long value = proposeUntilServed(c);
        assertTrue(value > acknowledged[g], "group " + c.group() + ": every acknowledged increment is still there ("
            + acknowledged[g] + " acknowledged before the stall, now " + value + ")");
        assertEquals(value, Await.result(c.read(0L), T), "a linearizable read sees it");
        GroupStatus status = Await.result(c.status(), T);
        assertFalse(status.restarting(), "running again: " + status);
        assertTrue(status.restarts() >= 3, "its roles restarted: " + status);
      }
      assertFalse(node.system().whenTerminated().isCompleted(), "the node was not restarted");
      assertFalse(node.synod().journalFailure().toCompletableFuture().isDone(), "the journal did not fail");
      assertSame(node.system(), cluster.node(0).system());

      // And the journal holds what the groups serve: a restart of the node (which the stall did not
      // need) recovers the same values. (The writes that stalled completed after their writers had
      // given up; the restarted acceptors' recoveries waited for them, so no sequence number was
      // written twice.)
      long[] before = new long[GROUPS];
      for (int g = 0; g < GROUPS; g++) {
        before[g] = Await.result(clients.get(g).read(0L), T);
      }
      cluster.stop(0);
      cluster.restart(0);
      List<GroupClient<Long, Long>> again = spawnGroups(cluster, GROUPS, new TestCounter.Registry(), new ArrayList<>());
      for (int g = 0; g < GROUPS; g++) {
        assertEquals(before[g], Await.result(again.get(g).read(0L), T), "after a node restart");
      }
    }
  }

  @AfterEach
  void healTheJournal() {
    FaultyJournal.heal();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void whileItsRolesRestartAGroupAnswersEveryRequestAtOnceAndThenServesTheSameClientAgain() {
    // A back-off long enough to look at the group while it waits, and no randomness in it.
    Config config = ConfigFactory.parseString(FaultyJournal.CONFIG + "\n"
        + "synod.group.restart { min-backoff = 4 s, max-backoff = 8 s, random-factor = 0 }").withFallback(QUICK);
    try (LocalCluster cluster = LocalCluster.start(1, config)) {
      List<ActorRef<GroupCommand>> refs = new ArrayList<>();
      GroupClient<Long, Long> client = spawnGroups(cluster, 1, counters, refs).get(0);
      for (long i = 1; i <= 3; i++) {
        assertEquals(i, Await.result(client.propose(1L), T));
      }

      FaultyJournal.failWrites(new IOException("injected: the write failed"));
      assertInstanceOf(GroupStoppedException.class, Await.failure(client.propose(1L), T));
      GroupStatus down = Await.result(client.status(), T);
      assertTrue(down.restarting() && down.restartInMillis() <= 4000, "restarting within the back-off: " + down);
      assertEquals("restarting", down.state());
      assertTrue(down.lastFailure().contains("acceptor") && down.lastFailure().contains("injected: the write failed"),
          "the status names the role and the cause: " + down.lastFailure());
      assertEquals(0, down.restarts());
      FaultyJournal.heal(); // the roles are down until the back-off ends, whatever the journal does now

      long asked = System.nanoTime();
      Throwable refused = Await.failure(client.propose(1L), T);
      assertInstanceOf(GroupStoppedException.class, refused);
      assertTrue(refused.getMessage().contains("restarting") && refused.getMessage().contains("next attempt"),
          refused.getMessage());
      assertInstanceOf(GroupStoppedException.class, Await.failure(client.read(0L), T));
      assertInstanceOf(GroupStoppedException.class, Await.failure(client.readLocal(0L), T));
      assertInstanceOf(GroupStoppedException.class, Await.failure(client.appliedThrough(), T));
      assertInstanceOf(GroupStoppedException.class, Await.failure(client.digest(), T));
      assertInstanceOf(GroupStoppedException.class, Await.failure(client.transferLeadership(0), T));
      assertEquals(Optional.empty(), Await.result(client.leader(), T));
      assertEquals(List.of(0), Await.result(client.membership(), T).voters());
      long tookMillis = (System.nanoTime() - asked) / 1_000_000;
      assertTrue(tookMillis < 3000, "answered at once, not at a timeout: " + tookMillis + " ms");
      assertTrue(Await.result(client.status(), T).restarting(), "all of that while the roles were still down");

      assertEquals(4L, proposeUntilServed(client), "the commands before the failure, and not the one that failed");
      GroupStatus up = Await.result(client.status(), T);
      assertEquals("running", up.state());
      assertEquals(1, up.restarts());
      assertEquals(down.lastFailure(), up.lastFailure());
      assertTrue(up.appliedThrough() > 0 && up.leader() == 0, "the learner and the leader are back: " + up);
      assertEquals(4L, Await.result(client.read(0L), T));
      assertEquals(2, counters.made(0), "a fresh state machine, rebuilt from the journal");
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void whenTheJournalFailsForGoodEveryGroupOfTheNodeStopsAndTheNodeIsTold() {
    try (LocalCluster cluster = LocalCluster.start(1,
        ConfigFactory.parseString(FaultyJournal.CONFIG).withFallback(QUICK))) {
      LocalCluster.Node node = cluster.node(0);
      List<ActorRef<GroupCommand>> refs = new ArrayList<>();
      List<GroupClient<Long, Long>> clients = spawnGroups(cluster, GROUPS, counters, refs);
      for (GroupClient<Long, Long> c : clients) {
        assertEquals(1L, Await.result(c.propose(1L), T));
      }
      assertFalse(node.synod().journalFailure().toCompletableFuture().isDone());

      JournalFailedException failure = FaultyJournal.failStop("the disk is gone");
      Throwable refused = Await.failure(clients.get(0).propose(1L), T); // only this group writes
      assertInstanceOf(GroupStoppedException.class, refused);
      assertTrue(refused.getMessage().contains("journal failed") && refused.getMessage().contains("the disk is gone"),
          refused.getMessage());
      assertSame(failure, Await.result(node.synod().journalFailure(), T), "the node is told, with the failure");

      TestProbe<Object> probe = TestProbe.create(node.typed());
      for (ActorRef<GroupCommand> ref : refs) {
        probe.expectTerminated(ref, T); // the idle groups too: none restarts
      }
      for (GroupClient<Long, Long> c : clients) {
        assertInstanceOf(GroupStoppedException.class, Await.failure(c.propose(1L), T));
      }
      assertFalse(node.system().whenTerminated().isCompleted(), "what the process does is the application's call");
    }
  }

  /** Proposes until the group answers (it may still be in its back-off), within {@link #T}. */
  private static long proposeUntilServed(GroupClient<Long, Long> client) {
    return Await.proposeUntilServed(client, T,
        cause -> cause instanceof GroupStoppedException || cause instanceof RequestTimeoutException, cause -> { });
  }
}
