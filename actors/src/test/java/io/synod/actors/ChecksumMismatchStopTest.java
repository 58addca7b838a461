package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.actors.internal.GroupCoordinator;
import io.synod.paxos.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer whose checksum chain differs from this node's stops the group here for good: its roles
 * stay down, clients get {@link GroupStoppedException} saying why, and the group's status says
 * {@code stopped}, naming the instance and the nodes, rather than the group disappearing. The stop
 * is recorded: a restarted node keeps the group stopped until an operator resumes it.
 */
class ChecksumMismatchStopTest {

  private static final Duration T = Duration.ofSeconds(30);

  private final TestCounter.Registry counters = new TestCounter.Registry();

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aChainThatDisagreesStopsTheGroupForGoodAndItsStatusAndClientsSayWhy() {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      List<ActorRef<GroupCommand>> refs = new ArrayList<>();
      GroupClient<Long, Long> client = counters.spawnEach(cluster.node(0), List.of("g0"), refs).get(0);
      for (long i = 1; i <= 3; i++) {
        assertEquals(i, Await.result(client.propose(1L), T));
      }
      assertEquals("running", Await.result(client.status(), T).state());

      // Node 1 asserts two different chains through instance 0: at least one differs from node 0's.
      for (int chain : new int[] {0x5EED, 0x5EED ^ 1}) {
        refs.get(0).tell(new GroupCoordinator.Inbound(new Message.Chosen(1, List.of(), 1,
            new Message.ChainMark(0, chain))));
      }

      Await.until(T, () -> "the group stops on node 0", () -> Await.result(client.status(), T).stoppedForGood());
      GroupStatus stopped = Await.result(client.status(), T);
      assertEquals("stopped", stopped.state());
      assertTrue(stopped.stopped().contains("ChecksumMismatchException: group 'g0': checksum mismatch at instance 0"
          + " with node 1: node 0's chain through instance 0 is crc32 "), stopped.stopped());
      assertEquals(-1, stopped.restartInMillis(), "never to start again");
      assertEquals(0, stopped.restarts());
      assertEquals(-1, stopped.appliedThrough());

      Throwable refused = Await.failure(client.propose(1L), T);
      assertInstanceOf(GroupStoppedException.class, refused);
      assertTrue(refused.getMessage().contains("it stopped on node 0 for good")
          && refused.getMessage().contains("checksum mismatch at instance 0 with node 1"), refused.getMessage());
      assertInstanceOf(GroupStoppedException.class, Await.failure(client.read(0L), T));
      assertInstanceOf(GroupStoppedException.class, Await.failure(client.digest(), T));
      assertEquals("stopped", Await.result(client.status(), T).state(), "and it stays stopped");
    }
  }

  /** Whether group g0's role {@code role} runs on {@code node} (its actor resolves). */
  private static boolean roleRuns(LocalCluster.Node node, String role) {
    try {
      node.system().actorSelection("/user/g0/" + role).resolveOne(Duration.ofSeconds(5)).toCompletableFuture().join();
      return true;
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof org.apache.pekko.actor.ActorNotFound) {
        return false;
      }
      throw e;
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void theStopOutlivesARestartOfTheNodeUntilAnOperatorResumesTheGroup() {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      List<ActorRef<GroupCommand>> refs = new ArrayList<>();
      GroupClient<Long, Long> client = counters.spawnEach(cluster.node(0), List.of("g0"), refs).get(0);
      for (long i = 1; i <= 3; i++) {
        assertEquals(i, Await.result(client.propose(1L), T));
      }
      IllegalStateException notStopped = assertInstanceOf(IllegalStateException.class,
          Await.failure(client.resume(), T));
      assertTrue(notStopped.getMessage().contains("nothing to resume"), notStopped.getMessage());

      for (int chain : new int[] {0x5EED, 0x5EED ^ 1}) {
        refs.get(0).tell(new GroupCoordinator.Inbound(new Message.Chosen(1, List.of(), 1,
            new Message.ChainMark(0, chain))));
      }
      Await.until(T, () -> "the group stops on node 0", () -> Await.result(client.status(), T).stoppedForGood());
      String reason = Await.result(client.status(), T).stopped();

      cluster.stop(0);
      refs.clear();
      GroupClient<Long, Long> again = counters.spawnEach(cluster.restart(0), List.of("g0"), refs).get(0);
      // The stop was recorded: the group does not start again, and says why, as before the restart.
      Await.until(T, () -> "the restarted group stops again", () -> Await.result(again.status(), T).stoppedForGood());
      GroupStatus stopped = Await.result(again.status(), T);
      assertEquals(reason, stopped.stopped());
      assertEquals(-1, stopped.appliedThrough(), "nothing applied after the restart");
      for (String role : List.of("acceptor", "proposer", "learner")) {
        assertFalse(roleRuns(cluster.node(0), role), "the " + role + " never started: it cannot vote or apply");
      }
      Throwable refused = Await.failure(again.propose(1L), T);
      assertInstanceOf(GroupStoppedException.class, refused);
      assertTrue(refused.getMessage().contains("checksum mismatch at instance 0 with node 1"), refused.getMessage());

      // The operator resumes it: it starts from its journal, and the resumption is recorded too.
      Await.result(again.resume(), T);
      assertTrue(roleRuns(cluster.node(0), "acceptor"));
      assertEquals(4L, Await.result(again.propose(1L), T));
      assertEquals("running", Await.result(again.status(), T).state());

      cluster.stop(0);
      refs.clear();
      GroupClient<Long, Long> third = counters.spawnEach(cluster.restart(0), List.of("g0"), refs).get(0);
      assertEquals(5L, Await.result(third.propose(1L), T));
      assertEquals("running", Await.result(third.status(), T).state());
    }
  }
}
