package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.Test;

/** The Java facade: results, sessions, and the typed failures that replace hanging. */
class GroupClientTest {

  private static final Duration T = Duration.ofSeconds(30);

  private final TestCounter.Registry counters = new TestCounter.Registry();

  /** A group whose only member is node 0. */
  private GroupClient<Long, Long> alone(LocalCluster cluster, String name) {
    LocalCluster.Node n = cluster.node(0);
    SynodGroup<Long, Long> def = counters.group("solo", 0);
    ActorRef<GroupCommand> ref = Adapter.spawn(n.system(), def.behavior(n.synod(), List.of(0), n.synod().settings()),
        name);
    return def.client(n.synod(), ref);
  }

  /**
   * Pekko's ask runs what is chained to it on the common pool, and on a machine with fewer than
   * three cores CompletableFuture replaces that pool with a new thread per action: a client that
   * chained its own work to the ask started a thread per command (and ran its answers on strangers'
   * threads). The answers must arrive on the actor system's threads, starting none.
   */
  @Test
  void answersArriveOnTheActorSystemsThreadsAndStartNoThreadPerCall() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      GroupClient<Long, Long> client = alone(cluster, "solo");
      assertEquals(1L, Await.result(client.propose(1L), T)); // a leader, and everything started
      java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
      Set<String> answeredOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
      String test = Thread.currentThread().getName();
      long startedBefore = threads.getTotalStartedThreadCount();
      int calls = 0;
      for (int i = 0; i < 50; i++) {
        for (CompletionStage<?> answer : List.of(client.propose(1L), client.read(0L), client.leader(),
            client.status())) {
          calls++;
          // Chained at once: unless the answer is already here, this runs where the answer arrives.
          Await.result(answer.whenComplete((v, f) -> answeredOn.add(Thread.currentThread().getName())), T);
        }
      }
      long started = threads.getTotalStartedThreadCount() - startedBefore;
      assertTrue(started < calls / 4, started + " threads started during " + calls + " calls");
      answeredOn.remove(test);
      assertTrue(!answeredOn.isEmpty(), "some answer arrived after it was chained to");
      for (String name : answeredOn) {
        assertTrue(name.startsWith("synod-"), "an answer ran on thread '" + name + "', not the actor system's: "
            + answeredOn);
      }
    }
  }

  @Test
  void concurrentCommandsBeyondTheSessionWindowAreEachAppliedOnce() {
    try (LocalCluster cluster = LocalCluster.start(1, ConfigFactory.parseString("synod.group.session-window = 4"))) {
      GroupClient<Long, Long> client = alone(cluster, "solo");
      List<CompletionStage<Long>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        results.add(client.propose(1L));
      }
      Set<Long> seen = new HashSet<>();
      results.forEach(r -> seen.add(Await.result(r, T)));
      assertEquals(40, seen.size(), "forty distinct values, each command applied once");
      assertEquals(40, counters.latest(0).applyCalls);
      assertEquals(40L, Await.result(client.read(0L), T));
      assertEquals(Optional.of(0), Await.result(client.leader(), T));
      GroupStatus status = Await.result(client.status(), T);
      assertEquals(0, status.leader());
      assertEquals(0, status.node());
      assertTrue(status.appliedThrough() > 0 && status.appliedThrough() == status.chosenThrough(),
          "everything chosen is applied: " + status);
      assertEquals(0, status.lag());
    }
  }

  @Test
  void aCheckpointIsTakenWhenTheKeptValuesReachEveryBytes() {
    // Neither the instance count nor the interval comes due; the bytes of the kept values do.
    try (LocalCluster cluster = LocalCluster.start(1, ConfigFactory.parseString(
        "synod.group.checkpoint { every-instances = 1000000, interval = 1 h, every-bytes = 300 B }"))) {
      GroupClient<Long, Long> client = alone(cluster, "solo-bytes");
      for (long i = 1; i <= 40; i++) {
        assertEquals(i, Await.result(client.propose(1L), T));
      }
      Await.until(T, () -> "a checkpoint is durable", () -> Await.result(client.status(), T).checkpoint() > 0);
    }
  }

  @Test
  void aRestartedGroupRebuildsItsStateFromItsJournal() {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      GroupClient<Long, Long> client = alone(cluster, "solo-1");
      for (long i = 1; i <= 10; i++) {
        assertEquals(i, Await.result(client.propose(1L), T));
      }
      TestProbe<Object> probe = TestProbe.create(cluster.node(0).typed());
      org.apache.pekko.actor.ActorRef group = cluster.node(0).system().actorSelection("/user/solo-1")
          .resolveOne(T).toCompletableFuture().join();
      cluster.node(0).system().stop(group);
      probe.expectTerminated(Adapter.toTyped(group), T);
      assertInstanceOf(GroupStoppedException.class, Await.failure(client.propose(1L), T));

      GroupClient<Long, Long> again = alone(cluster, "solo-2"); // a fresh, empty state machine
      assertEquals(10L, Await.result(again.read(0L), T), "the accepted values are chosen again and applied");
      assertEquals(11L, Await.result(again.propose(1L), T));
    }
  }

  @Test
  void withoutAMajorityARequestFailsWithNotEnoughMembers() {
    try (LocalCluster cluster = LocalCluster.start(3, ConfigFactory.parseString("synod.client.request-timeout = 1 s"))) {
      // The group has three members but runs only on node 0.
      GroupClient<Long, Long> client = cluster.node(0).spawn(counters.group("trio", 0), "trio");
      Throwable failure = Await.failure(client.propose(1L), Duration.ofSeconds(10));
      NotEnoughMembersException e = assertInstanceOf(NotEnoughMembersException.class, failure);
      assertEquals(1, e.reachable());
      assertEquals(3, e.members());
      assertEquals(Optional.empty(), Await.result(client.leader(), T));
      assertEquals(0, counters.latest(0).applyCalls);
    }
  }

  @Test
  void aSecondCopyOfAGroupOnOneNodeIsRefused() {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      GroupClient<Long, Long> first = alone(cluster, "solo-a");
      assertEquals(1L, Await.result(first.propose(1L), T));
      GroupClient<Long, Long> second = alone(cluster, "solo-b");
      Throwable failure = Await.failure(second.propose(1L), T);
      assertInstanceOf(GroupStoppedException.class, failure, "the second copy stops at once");
      assertEquals(2L, Await.result(first.propose(1L), T), "the first copy is untouched");
    }
  }

  @Test
  void settingsThatArteryCannotFrameFailAtStartNamingTheKey() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> LocalCluster.start(1, ConfigFactory.parseString("pekko.remote.artery.advanced.maximum-frame-size = 64 KiB")));
    assertTrue(e.getMessage().contains("synod.group.max-batch-bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("maximum-frame-size"), e.getMessage());
  }

  @Test
  void aCommandLargerThanABatchIsRefusedBeforeItIsSent() {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      SynodGroup<String, String> echo = SynodGroup.of("echo", Codec.utf8(), Codec.utf8(), () -> null);
      LocalCluster.Node n = cluster.node(0);
      ActorRef<GroupCommand> ref = Adapter.spawn(n.system(), echo.behavior(n.synod(), List.of(0), n.synod().settings()),
          "echo");
      GroupClient<String, String> client = echo.client(n.synod(), ref);
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> client.propose("x".repeat(200 * 1024)));
      assertTrue(e.getMessage().contains("synod.group.max-batch-bytes"), e.getMessage());
    }
  }
}
