package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node records the members each group began with at its first start there, and refuses a later
 * start whose configured members differ (an operator who lengthened the list would otherwise have
 * this node count other initial voters than its peers): the group stays down, its status and
 * clients saying why, until the node starts it again with the members it began with.
 */
class FoundingMembersTest {

  private static final Duration T = Duration.ofSeconds(30);

  private final TestCounter.Registry counters = new TestCounter.Registry();

  private GroupClient<Long, Long> spawn(LocalCluster.Node node, List<Integer> members) {
    SynodGroup<Long, Long> group = counters.group("g0", node.id());
    ActorRef<GroupCommand> ref = Adapter.spawn(node.system(),
        group.behavior(node.synod(), members, node.synod().settings()), "g0");
    return group.client(node.synod(), ref);
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aStartWithOtherMembersThanTheGroupBeganWithIsRefusedUntilTheyAreRestored() {
    try (LocalCluster cluster = LocalCluster.start(2)) {
      GroupClient<Long, Long> client = spawn(cluster.node(0), List.of(0));
      assertEquals(1L, Await.result(client.propose(1L), T));
      assertEquals(2L, Await.result(client.propose(1L), T));

      cluster.stop(0);
      GroupClient<Long, Long> lengthened = spawn(cluster.restart(0), List.of(0, 1));
      Await.until(T, () -> "the group refuses to start", () -> Await.result(lengthened.status(), T).stoppedForGood());
      GroupStatus refused = Await.result(lengthened.status(), T);
      assertTrue(refused.stopped().contains("its configured members (voters [0, 1], learners []) differ from those it"
          + " began with on this node (voters [0], learners [])"), refused.stopped());
      assertEquals(-1, refused.appliedThrough(), "nothing applied");
      Throwable failure = Await.failure(lengthened.propose(1L), T);
      assertInstanceOf(GroupStoppedException.class, failure);
      assertTrue(failure.getMessage().contains("differ from those it began with"), failure.getMessage());
      IllegalStateException notResumable = assertInstanceOf(IllegalStateException.class,
          Await.failure(lengthened.resume(), T));
      assertTrue(notResumable.getMessage().contains("start the node again with the members the group began with"),
          notResumable.getMessage());

      cluster.stop(0);
      GroupClient<Long, Long> restored = spawn(cluster.restart(0), List.of(0));
      assertEquals(3L, Await.result(restored.propose(1L), T), "the group runs again, with its state");
      assertEquals("running", Await.result(restored.status(), T).state());
    }
  }
}
