package io.synod.persistence;

import static io.synod.persistence.PluginTestKit.TIMEOUT;
import static io.synod.persistence.PluginTestKit.expectRecovered;
import static io.synod.persistence.PluginTestKit.numbered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.persistence.PluginTestKit.Stored;
import io.synod.persistence.PluginTestKit.Unserializable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.typed.DeleteEventsCompleted;
import org.apache.pekko.persistence.typed.EventRejectedException;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The journal plugin's contract as Pekko Persistence sees it: typed {@code EventSourcedBehavior}s
 * (the {@link Recorder}) persist and recover through it, and the journal protocol is used directly
 * where a behavior cannot show the detail (deletions, batches of writes).
 */
class ChronicleJournalTest {

  @TempDir Path root;
  private final List<PluginTestKit> kits = new ArrayList<>();

  @AfterEach
  void shutdown() {
    // Newest first; every kit is shut down even if an earlier one fails to.
    RuntimeException failure = null;
    for (int i = kits.size() - 1; i >= 0; i--) {
      try {
        kits.get(i).close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private PluginTestKit start() {
    PluginTestKit kit = PluginTestKit.start("ChronicleJournalTest", root.resolve("journal"), root.resolve("snapshots"));
    kits.add(kit);
    return kit;
  }

  @Test
  void eventsAreReplayedInOrderWhenTheActorIsSpawnedAgain() {
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    ActorRef<Recorder.Command> first = kit.spawn("order-1", reports);
    assertEquals(new Recorder.Recovered("order-1", List.of(), 0, 0), expectRecovered(reports));
    for (int i = 1; i <= 5; i++) {
      assertEquals(i, kit.persist(first, "e" + i));
    }
    assertEquals(8, kit.persist(first, "e6", "e7", "e8"));
    kit.stop(first);

    ActorRef<Recorder.Command> second = kit.spawn("order-1", reports);
    assertEquals(new Recorder.Recovered("order-1", numbered("e", 1, 8), 8, 8), expectRecovered(reports));
    assertEquals(9, kit.persist(second, "e9"));
  }

  @Test
  void eventsAreReplayedFromDiskByANewActorSystem() throws IOException {
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    ActorRef<Recorder.Command> a = kit.spawn("disk-a", reports);
    expectRecovered(reports);
    ActorRef<Recorder.Command> b = kit.spawn("disk-b", reports);
    expectRecovered(reports);
    for (int i = 1; i <= 10; i++) {
      kit.persist(a, "a" + i);
      kit.persist(b, "b" + i);
    }
    kit.close();

    // The journal let go of its directory, so the next system must open and recover it from disk.
    try (FileChannel ch = FileChannel.open(root.resolve("journal").resolve("synod-journal.lock"),
        StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
      assertNotNull(lock, "the journal's lock is still held after its ActorSystem terminated");
    }

    PluginTestKit again = start();
    TestProbe<Object> reportsAgain = again.probe();
    ActorRef<Recorder.Command> a2 = again.spawn("disk-a", reportsAgain);
    assertEquals(new Recorder.Recovered("disk-a", numbered("a", 1, 10), 10, 10), expectRecovered(reportsAgain));
    again.spawn("disk-b", reportsAgain);
    assertEquals(new Recorder.Recovered("disk-b", numbered("b", 1, 10), 10, 10), expectRecovered(reportsAgain));
    assertEquals(11, again.persist(a2, "a11"));
  }

  @Test
  void taggedEventsArePersistedAndReplayed() {
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    ActorRef<Recorder.Command> first = kit.spawn(Recorder.tagging("tagged-1", reports.ref(), Set.of("blue")));
    expectRecovered(reports);
    assertEquals(2, kit.persist(first, "e1", "e2"));
    kit.stop(first);
    kit.spawn(Recorder.tagging("tagged-1", reports.ref(), Set.of("blue")));
    assertEquals(new Recorder.Recovered("tagged-1", List.of("e1", "e2"), 2, 2), expectRecovered(reports));
  }

  @Test
  void recoveryStartsFromTheLatestSnapshotAndReplaysOnlyTheEventsAfterIt() {
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    RetentionCriteria every5 = RetentionCriteria.snapshotEvery(5, 2);
    ActorRef<Recorder.Command> first = kit.spawn("snap-1", reports, every5);
    expectRecovered(reports);
    for (int i = 1; i <= 12; i++) {
      kit.persist(first, "e" + i);
    }
    awaitSnapshot(reports, 10);
    kit.stop(first);

    TestProbe<Object> reportsAgain = kit.probe();
    kit.spawn("snap-1", reportsAgain, every5);
    // 12 events in the state, only 2 of them replayed: the first 10 came from the snapshot at 10.
    assertEquals(new Recorder.Recovered("snap-1", numbered("e", 1, 12), 2, 12), expectRecovered(reportsAgain));
  }

  @Test
  void aRecoveryThatFallsBackToAnOlderSnapshotThanTheDeletionAllowedFailsInsteadOfReplayingAHole()
      throws java.io.IOException {
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    RetentionCriteria every5 = RetentionCriteria.snapshotEvery(5, 2); // snapshots at 5 and 10 are kept
    ActorRef<Recorder.Command> first = kit.spawn("fallback-1", reports, every5);
    expectRecovered(reports);
    for (int i = 1; i <= 12; i++) {
      kit.persist(first, "e" + i);
    }
    awaitSnapshot(reports, 10);
    kit.stop(first);
    deleteTo(kit, "fallback-1", 10); // the snapshot at 10 allowed it
    // The snapshot at 10 is damaged: the store falls back to the one at 5, and the replay from 6
    // would miss events 6 to 10.
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(root.resolve("snapshots"))) {
      Path ten = files.filter(f -> f.getFileName().toString().startsWith("snapshot-fallback-1-10-")).findFirst()
          .orElseThrow();
      byte[] bytes = java.nio.file.Files.readAllBytes(ten);
      bytes[bytes.length / 2] ^= 0x40;
      java.nio.file.Files.write(ten, bytes);
    }
    kit.spawn("fallback-1", reports, every5);
    String reason = expectRecoveryFailure(reports);
    assertTrue(reason.contains("from sequence number 6") && reason.contains("up to 10 were deleted"), reason);
  }

  @Test
  void deleteEventsOnSnapshotDeletesTheEventsBelowTheKeptSnapshots() {
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    RetentionCriteria retention = RetentionCriteria.snapshotEvery(5, 1).withDeleteEventsOnSnapshot();
    ActorRef<Recorder.Command> first = kit.spawn("trim-1", reports, retention);
    expectRecovered(reports);
    for (int i = 1; i <= 12; i++) {
      kit.persist(first, "e" + i);
    }
    // Snapshot at 10, keep 1 snapshot's worth of events: events up to 10 - 5 = 5 are deleted.
    reports.fishForMessage(TIMEOUT, "DeleteEventsCompleted(5)",
        m -> m instanceof Recorder.Signalled s && s.signal() instanceof DeleteEventsCompleted d
            && d.toSequenceNr() == 5
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

    Stored stored = kit.read("trim-1", 6, Long.MAX_VALUE, Long.MAX_VALUE);
    assertEquals(List.of(6L, 7L, 8L, 9L, 10L, 11L, 12L), stored.sequenceNrs());
    assertEquals(numbered("e", 6, 12), stored.payloads());
    assertEquals(12, stored.highestSequenceNr());

    kit.stop(first);
    // A fresh probe: the first incarnation's last signals (its snapshot deletion) may still be queued.
    TestProbe<Object> reportsAgain = kit.probe();
    kit.spawn("trim-1", reportsAgain, retention);
    assertEquals(new Recorder.Recovered("trim-1", numbered("e", 1, 12), 2, 12), expectRecovered(reportsAgain));
  }

  @Test
  void highestSequenceNrSurvivesDeletingEveryEvent() {
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    ActorRef<Recorder.Command> first = kit.spawn("gone-1", reports);
    expectRecovered(reports);
    for (int i = 1; i <= 7; i++) {
      kit.persist(first, "e" + i);
    }
    kit.stop(first);
    deleteTo(kit, "gone-1", Long.MAX_VALUE);
    assertEquals(new Stored(List.of(), 7), kit.read("gone-1", 8, Long.MAX_VALUE, Long.MAX_VALUE));
    kit.close();

    // And from disk: the deletion mark carries the highest sequence number.
    PluginTestKit again = start();
    assertEquals(new Stored(List.of(), 7), again.read("gone-1", 8, Long.MAX_VALUE, Long.MAX_VALUE));
  }

  @Test
  void aRecoveryThatWouldStartAmongDeletedEventsFailsInsteadOfSkippingThem() {
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    ActorRef<Recorder.Command> first = kit.spawn("hole-1", reports);
    expectRecovered(reports);
    for (int i = 1; i <= 7; i++) {
      kit.persist(first, "e" + i);
    }
    kit.stop(first);
    deleteTo(kit, "hole-1", 5); // as if a snapshot at 5 had allowed it, and was then lost
    kit.spawn("hole-1", reports); // no snapshot: the replay would start at 1, below the deletion
    String reason = expectRecoveryFailure(reports);
    assertTrue(reason.contains("hole-1") && reason.contains("up to 5 were deleted"), reason);
  }

  @Test
  void deleteMessagesToDeletesOnlyUpToTheGivenSequenceNr() {
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    ActorRef<Recorder.Command> first = kit.spawn("part-1", reports);
    expectRecovered(reports);
    for (int i = 1; i <= 6; i++) {
      kit.persist(first, "e" + i);
    }
    deleteTo(kit, "part-1", 4);
    Stored stored = kit.read("part-1", 5, Long.MAX_VALUE, Long.MAX_VALUE);
    assertEquals(List.of(5L, 6L), stored.sequenceNrs());
    assertEquals(6, stored.highestSequenceNr());
    assertEquals(7, kit.persist(first, "e7"));
    assertEquals(numbered("e", 5, 7), kit.read("part-1", 5, Long.MAX_VALUE, Long.MAX_VALUE).payloads());
  }

  /** Waits for the recorder's recovery to fail; returns why. */
  private static String expectRecoveryFailure(TestProbe<Object> reports) {
    Object failed = reports.fishForMessage(TIMEOUT, "RecoveryFailed",
        m -> m instanceof Recorder.Signalled s && s.signal() instanceof RecoveryFailed
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
    return String.valueOf(((RecoveryFailed) ((Recorder.Signalled) failed).signal()).getFailure());
  }

  private static void deleteTo(PluginTestKit kit, String persistenceId, long toSequenceNr) {
    TestProbe<Object> replies = kit.probe();
    org.apache.pekko.actor.ActorRef classic = Adapter.toClassic(replies.ref());
    kit.journal().tell(new JournalProtocol.DeleteMessagesTo(persistenceId, toSequenceNr, classic), classic);
    Object reply = replies.receiveMessage(TIMEOUT);
    assertEquals(new org.apache.pekko.persistence.DeleteMessagesSuccess(toSequenceNr), reply);
  }

  private static void awaitSnapshot(TestProbe<Object> reports, long sequenceNr) {
    reports.fishForMessage(TIMEOUT, "SnapshotCompleted(" + sequenceNr + ")",
        m -> m instanceof Recorder.Signalled s && s.signal() instanceof SnapshotCompleted c
            && c.metadata().sequenceNr() == sequenceNr
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }

  /** Spawns {@code child} under a parent that reports the child's failure (its cause) or plain stop to {@code outcome}. */
  private static Behavior<Void> watching(Behavior<Recorder.Command> child,
      ActorRef<ActorRef<Recorder.Command>> spawned, ActorRef<Object> outcome) {
    return Behaviors.setup(ctx -> {
      ActorRef<Recorder.Command> c = ctx.spawn(child, "recorder");
      ctx.watch(c);
      spawned.tell(c);
      return Behaviors.receive(Void.class)
          .onSignal(ChildFailed.class, failed -> {
            outcome.tell(failed.cause());
            return Behaviors.stopped();
          })
          .onSignal(Terminated.class, stopped -> {
            outcome.tell(stopped);
            return Behaviors.stopped();
          })
          .build();
    });
  }

  @Test
  void unserializableEventIsRejectedAndTheJournalKeepsWorking() {
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    TestProbe<ActorRef<Recorder.Command>> spawned = kit.probe();
    TestProbe<Object> outcome = kit.probe();
    kit.spawn(watching(Recorder.create("reject-1", reports.ref()), spawned.ref(), outcome.ref()));
    ActorRef<Recorder.Command> rejecting = spawned.receiveMessage(TIMEOUT);
    expectRecovered(reports);
    assertEquals(2, kit.persist(rejecting, "a1", "a2"));

    TestProbe<Long> ack = kit.probe();
    rejecting.tell(new Recorder.Persist(List.of("a3", new Unserializable("a4")), ack.ref()));
    Object failure = outcome.receiveMessage(TIMEOUT);
    EventRejectedException rejected = assertInstanceOf(EventRejectedException.class, failure);
    assertNotNull(rejected.getCause());
    assertTrue(rejected.getCause().getMessage().contains(Unserializable.class.getName()),
        "the rejection should name the event's class: " + rejected.getCause());
    ack.expectNoMessage(java.time.Duration.ofMillis(200));

    // Another persistence id writes and replays as before.
    ActorRef<Recorder.Command> other = kit.spawn("reject-other", reports);
    expectRecovered(reports);
    assertEquals(1, kit.persist(other, "b1"));
    kit.stop(other);
    kit.spawn("reject-other", reports);
    assertEquals(new Recorder.Recovered("reject-other", List.of("b1"), 1, 1), expectRecovered(reports));

    // The rejected id comes back without any part of the rejected atomic write, and goes on from there.
    ActorRef<Recorder.Command> again = kit.spawn("reject-1", reports);
    assertEquals(new Recorder.Recovered("reject-1", List.of("a1", "a2"), 2, 2), expectRecovered(reports));
    assertEquals(3, kit.persist(again, "a3"));
    kit.stop(again);
    kit.spawn("reject-1", reports);
    assertEquals(new Recorder.Recovered("reject-1", List.of("a1", "a2", "a3"), 3, 3), expectRecovered(reports));
  }

  @Test
  void batchOfWritesRejectsOnlyTheWriteThatCannotBeSerialized() {
    PluginTestKit kit = start();
    TestProbe<Object> replies = kit.probe();
    org.apache.pekko.actor.ActorRef classic = Adapter.toClassic(replies.ref());
    List<PersistentEnvelope> writes = List.of(
        AtomicWrite.apply(repr("batch-1", 1, "x")),
        AtomicWrite.apply(repr("batch-2", 1, new Unserializable("y"))),
        AtomicWrite.apply(repr("batch-3", 1, "z")));
    kit.journal().tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(writes).toList(), classic, 42),
        classic);

    assertEquals(JournalProtocol.WriteMessagesSuccessful$.MODULE$, replies.receiveMessage(TIMEOUT));
    JournalProtocol.WriteMessageSuccess first =
        assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.receiveMessage(TIMEOUT));
    assertEquals("batch-1", first.persistent().persistenceId());
    JournalProtocol.WriteMessageRejected second =
        assertInstanceOf(JournalProtocol.WriteMessageRejected.class, replies.receiveMessage(TIMEOUT));
    assertEquals("batch-2", second.message().persistenceId());
    JournalProtocol.WriteMessageSuccess third =
        assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.receiveMessage(TIMEOUT));
    assertEquals("batch-3", third.persistent().persistenceId());

    assertEquals(List.of("x"), kit.read("batch-1").payloads());
    assertEquals(new Stored(List.of(), 0), kit.read("batch-2"));
    assertEquals(List.of("z"), kit.read("batch-3").payloads());
  }

  @Test
  void replayedEventsCarryWhatWasWritten() {
    PluginTestKit kit = start();
    TestProbe<Object> replies = kit.probe();
    org.apache.pekko.actor.ActorRef classic = Adapter.toClassic(replies.ref());
    PersistentRepr written = PersistentRepr.apply("payload", 1, "fields-1", "adapter-manifest", false,
        org.apache.pekko.actor.ActorRef.noSender(), "writer-7").withTimestamp(1234567L);
    List<PersistentEnvelope> writes = List.of(AtomicWrite.apply(written));
    kit.journal().tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(writes).toList(), classic, 1),
        classic);
    assertEquals(JournalProtocol.WriteMessagesSuccessful$.MODULE$, replies.receiveMessage(TIMEOUT));
    assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.receiveMessage(TIMEOUT));

    PersistentRepr replayed = kit.read("fields-1").events().get(0);
    assertEquals("payload", replayed.payload());
    assertEquals(1, replayed.sequenceNr());
    assertEquals("fields-1", replayed.persistenceId());
    assertEquals("adapter-manifest", replayed.manifest());
    assertEquals("writer-7", replayed.writerUuid());
    assertEquals(1234567L, replayed.timestamp());
    assertFalse(replayed.deleted());
  }

  @Test
  void replayHonoursFromToAndMaxAndReportsTheHighestSequenceNr() {
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    ActorRef<Recorder.Command> recorder = kit.spawn("range-1", reports);
    expectRecovered(reports);
    kit.persist(recorder, "e1", "e2", "e3", "e4");
    for (int i = 5; i <= 10; i++) {
      kit.persist(recorder, "e" + i);
    }
    assertEquals(numbered("e", 3, 7), kit.read("range-1", 3, 7, Long.MAX_VALUE).payloads());
    assertEquals(numbered("e", 3, 5), kit.read("range-1", 3, 7, 3).payloads());
    // Starting inside an atomic write replays only its later events.
    assertEquals(numbered("e", 2, 4), kit.read("range-1", 2, 4, Long.MAX_VALUE).payloads());
    assertEquals(10, kit.read("range-1", 3, 7, 3).highestSequenceNr());
    assertEquals(new Stored(List.of(), 10), kit.read("range-1", 11, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(new Stored(List.of(), 0), kit.read("range-unknown"));
  }

  private static PersistentRepr repr(String persistenceId, long sequenceNr, Object payload) {
    return PersistentRepr.apply(payload, sequenceNr, persistenceId, "", false,
        org.apache.pekko.actor.ActorRef.noSender(), "writer-1");
  }

  @Test
  void manyPersistenceIdsWritingConcurrentlyEachReplayTheirOwnEventsInOrder() {
    int actors = 50;
    int events = 20;
    PluginTestKit kit = start();
    TestProbe<Object> reports = kit.probe();
    List<TestProbe<Long>> acks = new ArrayList<>();
    List<ActorRef<Recorder.Command>> recorders = new ArrayList<>();
    for (int a = 0; a < actors; a++) {
      recorders.add(kit.spawn("many-" + a, reports));
      acks.add(kit.probe());
    }
    reports.receiveSeveralMessages(actors, TIMEOUT);
    // Every command is sent at once: each actor has one write in flight, all actors' writes interleave.
    for (int i = 1; i <= events; i++) {
      for (int a = 0; a < actors; a++) {
        recorders.get(a).tell(new Recorder.Persist(List.of("many-" + a + "#" + i), acks.get(a).ref()));
      }
    }
    List<Long> expectedAcks = LongStream.rangeClosed(1, events).boxed().toList();
    for (int a = 0; a < actors; a++) {
      assertEquals(expectedAcks, acks.get(a).receiveSeveralMessages(events, TIMEOUT), "acks of many-" + a);
    }
    kit.close();

    PluginTestKit again = start();
    TestProbe<Object> recovered = again.probe();
    for (int a = 0; a < actors; a++) {
      again.spawn("many-" + a, recovered);
    }
    List<Object> all = recovered.receiveSeveralMessages(actors, TIMEOUT);
    assertEquals(actors, all.stream().map(r -> ((Recorder.Recovered) r).persistenceId()).distinct().count());
    for (Object r : all) {
      Recorder.Recovered rec = (Recorder.Recovered) r;
      assertEquals(new Recorder.Recovered(rec.persistenceId(), numbered(rec.persistenceId() + "#", 1, events), events,
          events), rec);
    }
  }
}
