package io.synod.persistence;

import static io.synod.persistence.PluginTestKit.TIMEOUT;
import static io.synod.persistence.PluginTestKit.expectRecovered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugins' blocking work stays off Pekko's default dispatcher, where the Paxos actors run: the
 * journal actor (its constructor's recovery scan, the serialization of writes) and its replays run
 * on the journal's own dispatcher, the snapshot store's file work on Pekko's blocking-I/O dispatcher.
 * A {@link RefEvent}'s serializer notes the thread it ran on; Pekko names a dispatcher's threads
 * {@code <system>-<dispatcher id>-<n>}.
 */
class PluginDispatcherTest {

  private static final String SYSTEM = "PluginDispatcherTest";

  @TempDir Path root;
  private PluginTestKit kit;

  @BeforeEach
  void start() {
    kit = PluginTestKit.start(SYSTEM, root.resolve("journal"), root.resolve("snapshots"),
        RefEvent.serializationConfig());
  }

  @AfterEach
  void shutdown() {
    kit.close();
  }

  private static void assertRanOn(String dispatcher, String thread, String what) {
    assertTrue(thread != null && thread.startsWith(SYSTEM + "-" + dispatcher + "-"),
        what + " ran on thread " + thread + ", not on dispatcher " + dispatcher);
  }

  @Test
  void journalSerializesWritesAndReplaysOnItsOwnDispatcher() {
    TestProbe<Object> reports = kit.probe();
    TestProbe<String> target = kit.probe();
    ActorRef<Recorder.Command> first = kit.spawn("dispatched-1", reports);
    expectRecovered(reports);
    assertEquals(1, kit.persist(first, new RefEvent("dispatched-event", target.ref())));
    kit.stop(first);

    kit.spawn("dispatched-1", reports);
    assertEquals(1, expectRecovered(reports).replayed());

    // The write is serialized by the journal actor itself, so this is the actor's dispatcher (and
    // so its constructor's, which scanned the queue); the replay deserializes on the replaying thread.
    assertRanOn("synod.persistence.journal.dispatcher", RefEvent.serializedOn("dispatched-event"),
        "the journal actor's serialization of a write");
    assertRanOn("synod.persistence.journal.dispatcher", RefEvent.deserializedOn("dispatched-event"),
        "the journal's replay");
  }

  @Test
  void snapshotStoreSavesAndLoadsOnTheBlockingIoDispatcher() {
    TestProbe<Object> replies = kit.probe();
    org.apache.pekko.actor.ActorRef classic = Adapter.toClassic(replies.ref());
    TestProbe<String> target = kit.probe();
    RefEvent snapshot = new RefEvent("dispatched-snapshot", target.ref());
    kit.snapshotStore().tell(new SnapshotProtocol.SaveSnapshot(new SnapshotMetadata("dispatched-2", 3, 0L), snapshot),
        classic);
    assertInstanceOf(SaveSnapshotSuccess.class, replies.receiveMessage(TIMEOUT));
    kit.snapshotStore().tell(new SnapshotProtocol.LoadSnapshot("dispatched-2", SnapshotSelectionCriteria.latest(),
        Long.MAX_VALUE), classic);
    SnapshotProtocol.LoadSnapshotResult loaded =
        assertInstanceOf(SnapshotProtocol.LoadSnapshotResult.class, replies.receiveMessage(TIMEOUT));
    assertEquals(snapshot, loaded.snapshot().get().snapshot());

    assertRanOn("pekko.actor.default-blocking-io-dispatcher", RefEvent.serializedOn("dispatched-snapshot"),
        "the snapshot store's save");
    assertRanOn("pekko.actor.default-blocking-io-dispatcher", RefEvent.deserializedOn("dispatched-snapshot"),
        "the snapshot store's load");
  }
}
