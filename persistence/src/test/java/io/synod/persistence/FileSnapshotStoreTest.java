package io.synod.persistence;

import static io.synod.persistence.PluginTestKit.TIMEOUT;
import static io.synod.persistence.PluginTestKit.expectRecovered;
import static io.synod.persistence.PluginTestKit.numbered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.DeleteSnapshotSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.OptionConverters;

/**
 * The snapshot-store plugin's contract, driven through the classic snapshot protocol (what every
 * persistent actor sends it), and once end to end through a typed {@code EventSourcedBehavior}.
 */
class FileSnapshotStoreTest {

  @TempDir Path root;
  private Path snapshots;
  private PluginTestKit kit;
  private TestProbe<Object> replies;

  @BeforeEach
  void start() {
    snapshots = root.resolve("snapshots");
    kit = PluginTestKit.start("FileSnapshotStoreTest", root.resolve("journal"), snapshots);
    replies = kit.probe();
  }

  @AfterEach
  void shutdown() {
    kit.close();
  }

  // ---- the snapshot protocol ----

  private void tell(Object request) {
    org.apache.pekko.actor.ActorRef sender = Adapter.toClassic(replies.ref());
    kit.snapshotStore().tell(request, sender);
  }

  /** Saves and returns the metadata the store saved it under (the store stamps the time). */
  private SnapshotMetadata save(String persistenceId, long sequenceNr, String snapshot) {
    tell(new SnapshotProtocol.SaveSnapshot(new SnapshotMetadata(persistenceId, sequenceNr, 0L), snapshot));
    SaveSnapshotSuccess ok = assertInstanceOf(SaveSnapshotSuccess.class, replies.receiveMessage(TIMEOUT));
    assertEquals(persistenceId, ok.metadata().persistenceId());
    assertEquals(sequenceNr, ok.metadata().sequenceNr());
    return ok.metadata();
  }

  /** Saves a snapshot whose timestamp is later than every one saved before it. */
  private SnapshotMetadata saveAfter(SnapshotMetadata earlier, long sequenceNr, String snapshot) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.currentTimeMillis() <= earlier.timestamp()) {
      assertTrue(System.nanoTime() < deadline, "the clock did not move past " + earlier.timestamp());
      Thread.onSpinWait();
    }
    SnapshotMetadata m = save(earlier.persistenceId(), sequenceNr, snapshot);
    assertTrue(m.timestamp() > earlier.timestamp());
    return m;
  }

  private Optional<SelectedSnapshot> load(String persistenceId, SnapshotSelectionCriteria criteria, long toSequenceNr) {
    tell(new SnapshotProtocol.LoadSnapshot(persistenceId, criteria, toSequenceNr));
    SnapshotProtocol.LoadSnapshotResult result =
        assertInstanceOf(SnapshotProtocol.LoadSnapshotResult.class, replies.receiveMessage(TIMEOUT));
    return OptionConverters.toJava(result.snapshot());
  }

  private Optional<SelectedSnapshot> load(String persistenceId, SnapshotSelectionCriteria criteria) {
    return load(persistenceId, criteria, Long.MAX_VALUE);
  }

  private Optional<SelectedSnapshot> loadLatest(String persistenceId) {
    return load(persistenceId, SnapshotSelectionCriteria.latest());
  }

  private static void assertSelected(SnapshotMetadata metadata, Object snapshot, Optional<SelectedSnapshot> loaded) {
    assertTrue(loaded.isPresent(), "expected snapshot " + metadata + ", found none");
    assertEquals(metadata.persistenceId(), loaded.get().metadata().persistenceId());
    assertEquals(metadata.sequenceNr(), loaded.get().metadata().sequenceNr());
    assertEquals(metadata.timestamp(), loaded.get().metadata().timestamp());
    assertEquals(snapshot, loaded.get().snapshot());
  }

  private void deleteOne(SnapshotMetadata metadata) {
    tell(new SnapshotProtocol.DeleteSnapshot(metadata));
    assertEquals(new DeleteSnapshotSuccess(metadata), replies.receiveMessage(TIMEOUT));
  }

  private void deleteMatching(String persistenceId, SnapshotSelectionCriteria criteria) {
    tell(new SnapshotProtocol.DeleteSnapshots(persistenceId, criteria));
    assertEquals(new DeleteSnapshotsSuccess(criteria), replies.receiveMessage(TIMEOUT));
  }

  /** The file of a snapshot, by the naming documented on {@link FileSnapshotStore}. */
  private Path fileOf(SnapshotMetadata m) {
    Path file = snapshots.resolve("snapshot-" + URLEncoder.encode(m.persistenceId(), StandardCharsets.UTF_8) + "-"
        + m.sequenceNr() + "-" + m.timestamp());
    assertTrue(Files.isRegularFile(file), "no snapshot file " + file);
    return file;
  }

  private static void flipByteInTheMiddle(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x40);
    }
  }

  @Test
  void savedSnapshotsAreLoadedNewestFirst() {
    SnapshotMetadata s5 = save("p-1", 5, "five");
    SnapshotMetadata s10 = save("p-1", 10, "ten");
    assertSelected(s10, "ten", loadLatest("p-1"));
    assertEquals(Optional.empty(), loadLatest("p-unknown"));
    deleteOne(s10);
    assertSelected(s5, "five", loadLatest("p-1"));
  }

  @Test
  void loadHonoursMaxAndMinSequenceNr() {
    SnapshotMetadata s5 = save("p-1", 5, "five");
    SnapshotMetadata s10 = save("p-1", 10, "ten");
    save("p-1", 15, "fifteen");
    assertSelected(s10, "ten", load("p-1", SnapshotSelectionCriteria.create(12, Long.MAX_VALUE)));
    assertSelected(s10, "ten", load("p-1", SnapshotSelectionCriteria.create(10, Long.MAX_VALUE)));
    assertSelected(s5, "five", load("p-1", SnapshotSelectionCriteria.latest(), 9));
    assertEquals(Optional.empty(), load("p-1", SnapshotSelectionCriteria.create(4, Long.MAX_VALUE)));
    assertSelected(s10, "ten", load("p-1", SnapshotSelectionCriteria.create(12, Long.MAX_VALUE, 6, 0)));
    assertEquals(Optional.empty(), load("p-1", SnapshotSelectionCriteria.create(14, Long.MAX_VALUE, 11, 0)));
  }

  @Test
  void loadHonoursMaxAndMinTimestamp() {
    SnapshotMetadata older = save("p-1", 5, "five");
    SnapshotMetadata newer = saveAfter(older, 10, "ten");
    assertSelected(older, "five", load("p-1", SnapshotSelectionCriteria.create(Long.MAX_VALUE, older.timestamp())));
    assertSelected(newer, "ten", load("p-1", SnapshotSelectionCriteria.create(Long.MAX_VALUE, newer.timestamp())));
    assertEquals(Optional.empty(), load("p-1", SnapshotSelectionCriteria.create(Long.MAX_VALUE, older.timestamp() - 1)));
    assertEquals(Optional.empty(),
        load("p-1", SnapshotSelectionCriteria.create(5, Long.MAX_VALUE, 0, older.timestamp() + 1)));
  }

  @Test
  void corruptNewestSnapshotIsSkippedForTheOlderOne() throws IOException {
    SnapshotMetadata s5 = save("p-1", 5, "five");
    SnapshotMetadata s10 = save("p-1", 10, "ten");
    flipByteInTheMiddle(fileOf(s10));
    assertSelected(s5, "five", loadLatest("p-1"));
  }

  /**
   * Writes {@code length} over the length of a snapshot file's manifest ({@code magic:4 version:1
   * serializer:4} precede it) and seals the file with a matching checksum: damage the CRC cannot see.
   */
  private static void forgeManifestLength(Path file, int length) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
    b.putInt(9, length);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    b.putInt(bytes.length - 4, (int) crc.getValue());
    Files.write(file, bytes);
  }

  @Test
  void aSnapshotWhoseLengthOverrunsItsFileIsSkippedNotAllocatedEvenUnderAValidChecksum() throws IOException {
    SnapshotMetadata s5 = save("p-1", 5, "five");
    SnapshotMetadata s10 = save("p-1", 10, "ten");
    SnapshotMetadata s15 = save("p-1", 15, "fifteen");
    forgeManifestLength(fileOf(s15), Integer.MAX_VALUE); // would be a 2 GiB allocation
    forgeManifestLength(fileOf(s10), -1);
    assertSelected(s5, "five", loadLatest("p-1"));
  }

  @Test
  void loadFailsWhenEveryMatchingSnapshotIsCorrupt() throws IOException {
    // Answering "no snapshot" would make the actor replay from event 1, silently missing the events
    // that were deleted because the snapshot covered them.
    SnapshotMetadata s5 = save("p-1", 5, "five");
    flipByteInTheMiddle(fileOf(s5));
    tell(new SnapshotProtocol.LoadSnapshot("p-1", SnapshotSelectionCriteria.latest(), Long.MAX_VALUE));
    SnapshotProtocol.LoadSnapshotFailed failed =
        assertInstanceOf(SnapshotProtocol.LoadSnapshotFailed.class, replies.receiveMessage(TIMEOUT));
    assertTrue(failed.cause().getMessage().contains(fileOf(s5).getFileName().toString()),
        "the failure should name the damaged file: " + failed.cause().getMessage());
  }

  @Test
  void deleteByMetadataRemovesOnlyThatSnapshot() {
    SnapshotMetadata s5 = save("p-1", 5, "five");
    SnapshotMetadata s10 = save("p-1", 10, "ten");
    // Another timestamp is another snapshot: nothing is deleted.
    deleteOne(new SnapshotMetadata("p-1", 10, s10.timestamp() + 1));
    assertSelected(s10, "ten", loadLatest("p-1"));
    Path file10 = fileOf(s10);
    deleteOne(s10);
    assertFalse(Files.exists(file10), "the file of the deleted snapshot is still there: " + file10);
    assertSelected(s5, "five", loadLatest("p-1"));
    // Timestamp 0 means "whatever its timestamp".
    deleteOne(new SnapshotMetadata("p-1", 5, 0L));
    assertEquals(Optional.empty(), loadLatest("p-1"));
  }

  @Test
  void deleteByCriteriaRemovesEveryMatchingSnapshot() {
    save("p-1", 5, "five");
    save("p-1", 10, "ten");
    SnapshotMetadata s15 = save("p-1", 15, "fifteen");
    SnapshotMetadata other = save("p-2", 7, "other");
    deleteMatching("p-1", SnapshotSelectionCriteria.create(10, Long.MAX_VALUE));
    assertSelected(s15, "fifteen", loadLatest("p-1"));
    assertEquals(Optional.empty(), load("p-1", SnapshotSelectionCriteria.create(14, Long.MAX_VALUE)));
    assertSelected(other, "other", loadLatest("p-2"));
    deleteMatching("p-1", SnapshotSelectionCriteria.latest());
    assertEquals(Optional.empty(), loadLatest("p-1"));
  }

  @Test
  void leftoverTempFileOfAnInterruptedSaveIsIgnored() throws IOException {
    SnapshotMetadata s5 = save("p-1", 5, "five");
    SnapshotMetadata s10 = save("p-1", 10, "ten");
    Path complete = fileOf(s10);
    // A save of 20 that was written completely but never renamed, and one cut short: neither counts.
    Files.copy(complete, snapshots.resolve("snapshot-p-1-20-" + s10.timestamp() + ".tmp"));
    byte[] bytes = Files.readAllBytes(complete);
    Files.write(snapshots.resolve("snapshot-p-1-30-" + s10.timestamp() + ".tmp"),
        java.util.Arrays.copyOf(bytes, bytes.length / 2));
    deleteOne(s10);
    assertSelected(s5, "five", loadLatest("p-1"));
    assertEquals(Optional.empty(), load("p-1", SnapshotSelectionCriteria.create(Long.MAX_VALUE, Long.MAX_VALUE, 6, 0)));
    SnapshotMetadata s20 = save("p-1", 20, "twenty");
    assertSelected(s20, "twenty", loadLatest("p-1"));
  }

  @Test
  void persistenceIdsThatLookAlikeDoNotSeeEachOthersSnapshots() throws IOException {
    List<String> ids = List.of("a", "a-1", "a-1-2", "a/1", "a1", "a*", "a%2F1", "a-1-2-3");
    for (int i = 0; i < ids.size(); i++) {
      // Sequence numbers chosen so that one id's file name could parse as another id's snapshot.
      save(ids.get(i), 2, "of " + ids.get(i));
    }
    try (Stream<Path> files = Files.list(snapshots)) {
      assertEquals(ids.size(), files.count());
    }
    for (String id : ids) {
      Optional<SelectedSnapshot> loaded = loadLatest(id);
      assertTrue(loaded.isPresent(), "no snapshot for " + id);
      assertEquals("of " + id, loaded.get().snapshot(), "snapshot loaded for " + id);
      assertEquals(id, loaded.get().metadata().persistenceId());
    }
    deleteMatching("a", SnapshotSelectionCriteria.latest());
    deleteMatching("a*", SnapshotSelectionCriteria.latest());
    assertEquals(Optional.empty(), loadLatest("a"));
    assertEquals(Optional.empty(), loadLatest("a*"));
    for (String id : ids.subList(1, ids.size())) {
      if (!id.equals("a*")) {
        Optional<SelectedSnapshot> loaded = loadLatest(id);
        assertTrue(loaded.isPresent(), "deleting the snapshots of a and a* deleted those of " + id);
        assertEquals("of " + id, loaded.get().snapshot());
      }
    }
  }

  // ---- through an EventSourcedBehavior ----

  @Test
  void recoveryFallsBackToTheOlderSnapshotWhenTheNewestIsCorrupt() throws IOException {
    TestProbe<Object> reports = kit.probe();
    RetentionCriteria every5 = RetentionCriteria.snapshotEvery(5, 2);
    ActorRef<Recorder.Command> first = kit.spawn("fallback-1", reports, every5);
    expectRecovered(reports);
    for (int i = 1; i <= 12; i++) {
      kit.persist(first, "e" + i);
    }
    List<Object> seen = reports.fishForMessage(TIMEOUT, "SnapshotCompleted(10)",
        m -> m instanceof Recorder.Signalled s && s.signal() instanceof SnapshotCompleted c
            && c.metadata().sequenceNr() == 10 ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    var saved = ((SnapshotCompleted) ((Recorder.Signalled) seen.get(seen.size() - 1)).signal()).metadata();
    SnapshotMetadata s10 = new SnapshotMetadata(saved.persistenceId(), saved.sequenceNr(), saved.timestamp());
    kit.stop(first);

    flipByteInTheMiddle(fileOf(s10));
    TestProbe<Object> reportsAgain = kit.probe();
    kit.spawn("fallback-1", reportsAgain, every5);
    // From the snapshot at 5, then events 6..12.
    assertEquals(new Recorder.Recovered("fallback-1", numbered("e", 1, 12), 7, 12), expectRecovered(reportsAgain));
  }
}
