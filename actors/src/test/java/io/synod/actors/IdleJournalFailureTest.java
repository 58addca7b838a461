package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.persistence.DiskFaults;
import io.synod.persistence.JournalFailedException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node hears of its journal failing even when no group was writing: the journal's own idle
 * force (the marker that proves its last round) fails, it publishes that on the event stream, and
 * every group stops for good, with {@link SynodNode#journalFailure()} completed.
 */
class IdleJournalFailureTest {

  private static final Duration T = Duration.ofSeconds(30);

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aJournalThatFailsWhileNoGroupWritesStillStopsTheNodesGroups() throws Exception {
    TestCounter.Registry counters = new TestCounter.Registry();
    try (LocalCluster cluster = LocalCluster.start(1)) {
      LocalCluster.Node n = cluster.node(0);
      SynodGroup<Long, Long> def = counters.group("idle", 0);
      ActorRef<GroupCommand> ref = Adapter.spawn(n.system(), def.behavior(n.synod(), List.of(0), n.synod().settings()),
          "idle");
      GroupClient<Long, Long> client = def.client(n.synod(), ref);
      Await.result(client.propose(1L), T);
      // The group answers reads from its lease and writes nothing more; the journal's next force
      // is its idle marker's.
      DiskFaults.failNextForce(n.journalDir(), "EIO");
      try {
        JournalFailedException failure = n.synod().journalFailure().toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertTrue(failure.getMessage().contains(n.journalDir().toAbsolutePath().normalize().toString()),
            failure.getMessage());
        assertInstanceOf(GroupStoppedException.class, Await.failure(client.propose(1L), T));
      } finally {
        DiskFaults.clear(n.journalDir());
      }
    }
  }
}
