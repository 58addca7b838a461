package io.synod.persistence;

import static io.synod.persistence.PluginTestKit.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.OptionConverters;

/**
 * Both plugins serialize inside Pekko's transport information, as Pekko's own plugins do, so an
 * event or snapshot whose serializer needs the ActorSystem (here one carrying a typed ActorRef, see
 * {@link RefEvent}) is stored, and comes back as a ref to the same, still reachable, actor.
 */
class TransportInformationTest {

  @TempDir Path root;
  private PluginTestKit kit;
  private TestProbe<Object> replies;

  @BeforeEach
  void start() {
    kit = PluginTestKit.start("TransportInformationTest", root.resolve("journal"), root.resolve("snapshots"),
        RefEvent.serializationConfig());
    replies = kit.probe();
  }

  @AfterEach
  void shutdown() {
    kit.close();
  }

  private org.apache.pekko.actor.ActorRef classicReplies() {
    return Adapter.toClassic(replies.ref());
  }

  @Test
  void eventCarryingATypedActorRefIsPersistedAndReplayedAsTheSameRef() {
    TestProbe<String> target = kit.probe();
    RefEvent event = new RefEvent("journal-ref", target.ref());
    PersistentRepr repr = PersistentRepr.apply(event, 1, "ref-event-1", "", false,
        org.apache.pekko.actor.ActorRef.noSender(), "writer-1");
    List<PersistentEnvelope> writes = List.of(AtomicWrite.apply(repr));
    kit.journal().tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(writes).toList(),
        classicReplies(), 1), classicReplies());
    assertEquals(JournalProtocol.WriteMessagesSuccessful$.MODULE$, replies.receiveMessage(TIMEOUT));
    Object written = replies.receiveMessage(TIMEOUT);
    assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, written,
        () -> "the journal did not store the event: " + written);

    PluginTestKit.Stored stored = kit.read("ref-event-1");
    assertEquals(List.of(event), stored.payloads());
    RefEvent replayed = (RefEvent) stored.payloads().get(0);
    replayed.ref().tell("through the replayed ref");
    assertEquals("through the replayed ref", target.receiveMessage(TIMEOUT));
  }

  @Test
  void snapshotCarryingATypedActorRefIsSavedAndLoadedAsTheSameRef() {
    TestProbe<String> target = kit.probe();
    RefEvent snapshot = new RefEvent("snapshot-ref", target.ref());
    kit.snapshotStore().tell(new SnapshotProtocol.SaveSnapshot(new SnapshotMetadata("ref-snapshot-1", 5, 0L),
        snapshot), classicReplies());
    Object saved = replies.receiveMessage(TIMEOUT);
    assertInstanceOf(SaveSnapshotSuccess.class, saved, () -> "the store did not save the snapshot: " + saved);

    kit.snapshotStore().tell(new SnapshotProtocol.LoadSnapshot("ref-snapshot-1", SnapshotSelectionCriteria.latest(),
        Long.MAX_VALUE), classicReplies());
    SnapshotProtocol.LoadSnapshotResult result =
        assertInstanceOf(SnapshotProtocol.LoadSnapshotResult.class, replies.receiveMessage(TIMEOUT));
    SelectedSnapshot loaded = OptionConverters.toJava(result.snapshot())
        .orElseThrow(() -> new AssertionError("the snapshot saved at 5 was not loaded"));
    assertEquals(5, loaded.metadata().sequenceNr());
    assertEquals(snapshot, loaded.snapshot());
    ((RefEvent) loaded.snapshot()).ref().tell("through the loaded ref");
    assertEquals("through the loaded ref", target.receiveMessage(TIMEOUT));
  }
}
