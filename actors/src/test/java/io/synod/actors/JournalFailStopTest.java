package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.persistence.DiskFaults;
import io.synod.persistence.JournalFailed;
import io.synod.persistence.JournalFailedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The journal's fail-stop end to end, on Synod's real journal and a real (injected) fsync error:
 * the node whose journal failed stops every group it runs for good and says so, the other nodes
 * go on as a majority, and a new actor system on the same directories recovers and serves again.
 * (GroupRestartTest covers the same decisions with a test journal.)
 */
class JournalFailStopTest {

  private static final Duration T = Duration.ofSeconds(30);
  private static final int FAILING = 1;
  private static final List<String> GROUPS = List.of("a", "b");

  private final TestCounter.Registry counters = new TestCounter.Registry();
  private Path faulty;
  /** Increments that may or may not have been applied: they failed with their outcome unknown. */
  private int unknownOutcomes;

  @AfterEach
  void clearDiskFaults() {
    if (faulty != null) {
      DiskFaults.clear(faulty);
    }
  }

  /** Spawns every group on {@code node}; the refs and clients are in {@link #GROUPS}' order. */
  private List<GroupClient<Long, Long>> spawnGroups(LocalCluster.Node node, List<ActorRef<GroupCommand>> refs) {
    return counters.spawnEach(node, GROUPS, refs);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void anFsyncErrorStopsEveryGroupOfItsNodeForGoodWhileTheMajorityServesAndARestartRecoversEveryAcknowledgedValue() {
    try (LocalCluster cluster = LocalCluster.start(3)) {
      List<List<GroupClient<Long, Long>>> clients = new ArrayList<>();
      List<ActorRef<GroupCommand>> failingRefs = new ArrayList<>();
      for (LocalCluster.Node n : cluster.nodes()) {
        clients.add(spawnGroups(n, n.id() == FAILING ? failingRefs : new ArrayList<>()));
      }
      long[] acknowledged = new long[GROUPS.size()];
      for (int g = 0; g < GROUPS.size(); g++) {
        for (List<GroupClient<Long, Long>> onNode : clients) {
          acknowledged[g] = Await.result(onNode.get(g).propose(1L), T); // through every node, node 1 too
        }
        assertEquals(3L, acknowledged[g]);
      }

      LocalCluster.Node node1 = cluster.node(FAILING);
      TestProbe<JournalFailed> published = TestProbe.create(node1.typed());
      node1.typed().eventStream().tell(new EventStream.Subscribe<>(JournalFailed.class, published.ref()));
      faulty = node1.journalDir();
      DiskFaults.failNextForce(faulty, "EIO");

      // Node 0's writes reach node 1's acceptors, whose next force fails; they are acknowledged by
      // nodes 0 and 2 meanwhile, or by them alone once node 1's groups have stopped.
      JournalFailedException failure = proposeUntilTheJournalFails(node1, clients.get(0), acknowledged);
      String dir = faulty.toAbsolutePath().normalize().toString();
      assertTrue(failure.getMessage().contains(dir) && failure.getMessage().contains("EIO"),
          "the failure names the journal directory and the cause: " + failure.getMessage());
      JournalFailed event = published.expectMessageClass(JournalFailed.class, T);
      assertEquals(faulty.toAbsolutePath().normalize(), event.dir().toAbsolutePath().normalize());
      assertSame(failure, event.failure(), "the node and the event stream tell of the same failure");

      TestProbe<Object> watcher = TestProbe.create(node1.typed());
      for (ActorRef<GroupCommand> ref : failingRefs) {
        watcher.expectTerminated(ref, T); // stopped for good, not waiting to restart its roles
      }
      for (GroupClient<Long, Long> c : clients.get(FAILING)) {
        unknownOutcomes++;
        Throwable refused = Await.failure(c.propose(1L), T);
        assertInstanceOf(GroupStoppedException.class, refused);
        assertInstanceOf(GroupStoppedException.class, Await.failure(c.status(), T), "no status: the group is gone");
      }
      assertFalse(node1.system().whenTerminated().isCompleted(), "stopping the process is the application's call");

      for (int g = 0; g < GROUPS.size(); g++) {
        for (int survivor : List.of(0, 2)) {
          long value = proposeUntilServed(clients.get(survivor).get(g));
          assertTrue(value > acknowledged[g], "nodes 0 and 2 go on: " + value + " after " + acknowledged[g]);
          acknowledged[g] = value;
        }
      }

      cluster.stop(FAILING);
      DiskFaults.clear(faulty);
      LocalCluster.Node restarted = cluster.restart(FAILING);
      List<GroupClient<Long, Long>> again = spawnGroups(restarted, new ArrayList<>());
      assertFalse(restarted.synod().journalFailure().toCompletableFuture().isDone(), "a fresh journal");
      for (int g = 0; g < GROUPS.size(); g++) {
        GroupClient<Long, Long> c = again.get(g);
        long value = proposeUntilServed(c);
        assertTrue(value > acknowledged[g] && value <= acknowledged[g] + 1 + unknownOutcomes, "group " + GROUPS.get(g)
            + ": every acknowledged increment is there, once, and the restarted node serves again (" + acknowledged[g]
            + " acknowledged, " + unknownOutcomes + " of unknown outcome, now " + value + ")");
        assertEquals(value, Await.result(c.read(0L), T), "a linearizable read through the restarted node");
        long applied = value;
        Await.until(T, () -> "node 1 applies its own increment", () ->
            Await.result(c.readLocal(0L), T).value() == applied);
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aJournalThatFailsWhileNoGroupWritesStillStopsEveryGroupOfTheNode() {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      LocalCluster.Node node = cluster.node(0);
      List<ActorRef<GroupCommand>> refs = new ArrayList<>();
      List<GroupClient<Long, Long>> clients = spawnGroups(node, refs);
      for (GroupClient<Long, Long> c : clients) {
        assertEquals(1L, Await.result(c.propose(1L), T));
      }
      faulty = node.journalDir();
      // The journal's next force is the marker it writes once idle (half a second after the last
      // write): it fails with nothing waiting on it, and the groups write nothing more.
      DiskFaults.failNextForce(faulty, "EIO");

      JournalFailedException failure = Await.result(node.synod().journalFailure(), T);
      assertTrue(failure.getMessage().contains("EIO"), failure.getMessage());
      TestProbe<Object> watcher = TestProbe.create(node.typed());
      for (ActorRef<GroupCommand> ref : refs) {
        watcher.expectTerminated(ref, T);
      }
      for (GroupClient<Long, Long> c : clients) {
        assertInstanceOf(GroupStoppedException.class, Await.failure(c.readLocal(0L), T),
            "no read is served from a node whose journal failed");
      }
    }
  }

  /**
   * Proposes through {@code through} (one client per group) until {@code node}'s journal failure
   * is reported, raising {@code acknowledged} with every answer; the failure reported.
   */
  private JournalFailedException proposeUntilTheJournalFails(LocalCluster.Node node,
      List<GroupClient<Long, Long>> through, long[] acknowledged) {
    long deadline = System.nanoTime() + T.toNanos();
    var failure = node.synod().journalFailure().toCompletableFuture();
    while (!failure.isDone()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("node " + node.id() + "'s journal failure was not reported within " + T);
      }
      for (int g = 0; g < through.size(); g++) {
        acknowledged[g] = Math.max(acknowledged[g], proposeUntilServed(through.get(g)));
      }
    }
    return failure.join();
  }

  /**
   * Proposes until the group answers (it may be electing a leader in place of node 1), within
   * {@link #T}, counting the attempts whose outcome is unknown.
   */
  private long proposeUntilServed(GroupClient<Long, Long> client) {
    return Await.proposeUntilServed(client, T, cause -> unknown(cause) || cause instanceof OverloadedException,
        cause -> {
          if (unknown(cause)) {
            unknownOutcomes++;
          }
        });
  }

  private static boolean unknown(Throwable cause) {
    return cause instanceof RequestTimeoutException || cause instanceof NotEnoughMembersException;
  }
}
