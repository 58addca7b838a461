package io.synod.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.persistence.JournalRecord.StoredEvent;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's storage contract, driven directly (the Pekko plugin is tested on top of it). */
class JournalStoreTest {

  @TempDir Path dir;
  private final List<JournalStore> open = new ArrayList<>();

  @AfterEach
  void closeAll() {
    open.forEach(JournalStore::release);
  }

  private JournalStore open() {
    return open(null);
  }

  private JournalStore open(SetTimeProvider time) {
    JournalSettings s = new JournalSettings(dir, true, 4096, 16 << 20, java.time.Duration.ZERO, RollCycles.FAST_HOURLY);
    JournalStore store = JournalStore.acquire(s, time);
    open.add(store);
    return store;
  }

  private void close(JournalStore store) {
    open.remove(store);
    store.release();
  }

  static StoredEvent event(long seq, String payload) {
    return new StoredEvent(seq, "m", "writer-1", 1000 + seq, 4, "", payload.getBytes(StandardCharsets.UTF_8));
  }

  static void write(JournalStore store, String pid, long from, long to) {
    List<StoredEvent> events = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      events.add(event(s, pid + "#" + s));
    }
    store.writeEvents(pid, events).orTimeout(10, TimeUnit.SECONDS).join();
  }

  static List<String> replay(JournalStore store, String pid, long from, long to, long max) {
    List<String> out = new ArrayList<>();
    store.replay(pid, from, to, max, e -> out.add(new String(e.payload(), StandardCharsets.UTF_8)));
    return out;
  }

  static List<String> all(JournalStore store, String pid) {
    return replay(store, pid, 1, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  private static List<String> expected(String pid, long from, long to) {
    List<String> out = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      out.add(pid + "#" + s);
    }
    return out;
  }

  @Test
  void eventsReplayInOrderByRangeAndMax() {
    JournalStore store = open();
    write(store, "a", 1, 3);
    write(store, "a", 4, 10);
    write(store, "b", 1, 2);
    assertEquals(expected("a", 1, 10), all(store, "a"));
    assertEquals(expected("a", 3, 7), replay(store, "a", 3, 7, 100));
    assertEquals(expected("a", 4, 6), replay(store, "a", 4, 100, 3));
    assertEquals(List.of(), replay(store, "a", 11, 20, 100));
    assertEquals(List.of(), replay(store, "a", 1, 10, 0));
    assertEquals(expected("b", 1, 2), all(store, "b"));
    assertEquals(List.of(), all(store, "nobody"));
    assertEquals(10, store.highestSequenceNr("a"));
    assertEquals(0, store.highestSequenceNr("nobody"));
  }

  @Test
  void anAtomicWriteOfManyEventsReplaysWhole() {
    JournalStore store = open();
    write(store, "a", 1, 50);
    assertEquals(expected("a", 1, 50), all(store, "a"));
    assertEquals(expected("a", 20, 29), replay(store, "a", 20, 29, 100), "a range inside one atomic write");
  }

  @Test
  void aWriteTooLargeForOneRecordIsRefusedAloneAndTheJournalGoesOn() {
    JournalStore store = open();
    write(store, "a", 1, 2);
    // Two events of 9 MB: one atomic write of more than a quarter of Chronicle Queue's block.
    byte[] big = new byte[9 << 20];
    CompletableFuture<Long> tooLarge = store.writeEvents("a", List.of(
        new StoredEvent(3, "m", "writer-1", 1003, 4, "", big), new StoredEvent(4, "m", "writer-1", 1004, 4, "", big)));
    CompletionException e = assertThrows(CompletionException.class, () -> tooLarge.orTimeout(30, TimeUnit.SECONDS).join());
    assertInstanceOf(JournalWriter.RecordTooLargeException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("2 event(s) of a"), e.getCause().getMessage());
    write(store, "a", 3, 4);
    write(store, "b", 1, 1);
    assertEquals(expected("a", 1, 4), all(store, "a"), "the refused events were never written");
    assertEquals(4, store.highestSequenceNr("a"));
    // One event of 9 MB fits.
    store.writeEvents("c", List.of(new StoredEvent(1, "m", "writer-1", 1001, 4, "", big)))
        .orTimeout(30, TimeUnit.SECONDS).join();
    close(store);
    assertEquals(expected("a", 1, 4), all(open(), "a"), "and recovery agrees");
  }

  @Test
  void recoveryRebuildsEverythingFromTheQueue() {
    JournalStore store = open();
    write(store, "a", 1, 5);
    write(store, "b", 1, 3);
    store.deleteTo("a", 2).join();
    close(store);
    JournalStore again = open();
    assertEquals(expected("a", 3, 5), replay(again, "a", 3, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(expected("b", 1, 3), all(again, "b"));
    assertEquals(5, again.highestSequenceNr("a"));
    write(again, "a", 6, 6);
    assertEquals(expected("a", 3, 6), replay(again, "a", 3, Long.MAX_VALUE, Long.MAX_VALUE));
  }

  @Test
  void highestSequenceNrSurvivesDeletingEverythingAndARestart() {
    JournalStore store = open();
    write(store, "a", 1, 7);
    store.deleteTo("a", Long.MAX_VALUE).join();
    assertEquals(List.of(), replay(store, "a", 8, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(7, store.highestSequenceNr("a"));
    close(store);
    JournalStore again = open();
    assertEquals(List.of(), replay(again, "a", 8, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(7, again.highestSequenceNr("a"));
  }

  @Test
  void aReplayThatWouldStartAmongDeletedEventsIsRefused() {
    JournalStore store = open();
    write(store, "a", 1, 10);
    store.deleteTo("a", 6).join();
    assertEquals(expected("a", 7, 10), replay(store, "a", 7, Long.MAX_VALUE, Long.MAX_VALUE));
    // As a recovery from a snapshot at 4 would, when the snapshot at 6 that allowed the deletion is lost.
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> replay(store, "a", 5, Long.MAX_VALUE, Long.MAX_VALUE));
    assertTrue(e.getMessage().contains("from sequence number 5") && e.getMessage().contains("up to 6 were deleted"),
        e.getMessage());
    assertThrows(IllegalStateException.class, () -> all(store, "a"), "nor from the first event, as with no snapshot");
    assertEquals(List.of(), replay(store, "a", 5, 20, 0), "a replay of nothing (max 0) is no hole");
  }

  @Test
  void deletingBeyondTheHighestDoesNotDeleteLaterEvents() {
    JournalStore store = open();
    write(store, "a", 1, 3);
    store.deleteTo("a", 10).join();
    write(store, "a", 4, 5);
    assertEquals(expected("a", 4, 5), replay(store, "a", 4, Long.MAX_VALUE, Long.MAX_VALUE));
  }

  @Test
  void aDeletionCoversWritesQueuedBeforeIt() {
    JournalStore store = open();
    write(store, "a", 1, 3);
    store.writeEvents("a", List.of(event(4, "a#4"), event(5, "a#5"))); // not awaited: still pending
    store.deleteTo("a", Long.MAX_VALUE).orTimeout(10, TimeUnit.SECONDS).join();
    assertEquals(List.of(), replay(store, "a", 6, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(5, store.highestSequenceNr("a"));
  }

  @Test
  void aDirectoryAlreadyOpenWithOtherSettingsIsRefused() {
    open();
    JournalSettings other = new JournalSettings(dir, false, 4096, 16 << 20, java.time.Duration.ZERO,
        RollCycles.FAST_HOURLY);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> JournalStore.acquire(other));
    assertTrue(e.getMessage().contains("other settings"), e.getMessage());
  }

  @Test
  void manyPersistenceIdsWritingConcurrentlyKeepTheirOwnOrder() throws Exception {
    JournalStore store = open();
    int pids = 16;
    int events = 200;
    List<Thread> writers = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    for (int p = 0; p < pids; p++) {
      String pid = "pid-" + p;
      Thread t = new Thread(() -> {
        try {
          CompletableFuture<?> last = null;
          for (int s = 1; s <= events; s++) {
            last = store.writeEvents(pid, List.of(event(s, pid + "#" + s))); // pipelined, not awaited
          }
          last.orTimeout(30, TimeUnit.SECONDS).join();
        } catch (Throwable e) {
          synchronized (errors) {
            errors.add(e);
          }
        }
      });
      writers.add(t);
      t.start();
    }
    for (Thread t : writers) {
      t.join(60_000);
    }
    assertEquals(List.of(), errors);
    for (int p = 0; p < pids; p++) {
      assertEquals(expected("pid-" + p, 1, events), all(store, "pid-" + p));
    }
  }

  @Test
  void aCycleFileWithNoLiveEventIsDeletedAndItsDeletionMarkCarriedForward() throws IOException {
    SetTimeProvider time = new SetTimeProvider(1_700_000_000_000L);
    JournalStore store = open(time);
    write(store, "a", 1, 100);
    File first = store.cycleFiles().get(0);
    time.advanceMillis(TimeUnit.HOURS.toMillis(1));
    write(store, "b", 1, 10);
    store.deleteTo("a", 100).join(); // the mark lands in the second file
    assertFalse(first.exists(), "the first cycle file has no live event left and must be gone");
    assertNotMapped(first);
    assertEquals(1, store.cycleFiles().size());

    time.advanceMillis(TimeUnit.HOURS.toMillis(1));
    write(store, "c", 1, 1);
    File second = store.cycleFiles().get(0);
    store.deleteTo("b", 10).join(); // now the second file holds only a's mark: it moves forward
    assertFalse(second.exists(), "the second cycle file held only a deletion mark and must be gone");
    assertNotMapped(second);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.filter(p -> p.toString().endsWith(".cq4")).count(), "one cycle file remains");
    }
    close(store);

    JournalStore again = open(time);
    assertEquals(List.of(), replay(again, "a", 101, Long.MAX_VALUE, Long.MAX_VALUE));
    assertThrows(IllegalStateException.class, () -> all(again, "a"), "the carried mark still says a's events are gone");
    assertEquals(100, again.highestSequenceNr("a"), "the carried mark keeps a's highest sequence number");
    assertEquals(List.of(), replay(again, "b", 11, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(10, again.highestSequenceNr("b"));
    assertEquals(expected("c", 1, 1), all(again, "c"));
  }

  @Test
  void aFlippedByteInAnAcknowledgedRecordRefusesTheStartNamingFileAndIndex() throws IOException {
    JournalStore store = open();
    write(store, "a", 1, 1);
    store.writeEvents("a", List.of(event(2, "MARKER-TWO"))).join();
    write(store, "a", 3, 3);
    close(store);
    File file = flipByteOf("MARKER-TWO");
    JournalCorruptedException e = assertThrows(JournalCorruptedException.class, this::open);
    assertTrue(e.getMessage().contains(file.getName()), e.getMessage());
    assertTrue(e.getMessage().contains("index"), e.getMessage());
  }

  @Test
  void aTornTailIsDroppedAndStaysDroppedAcrossRestarts() throws IOException {
    JournalStore store = open();
    write(store, "a", 1, 2);
    // The force of the last round fails: its record is in the file, never acknowledged, as if the
    // machine had died before the force completed.
    DiskFaults.failNextForce(dir, "EIO");
    try {
      CompletableFuture<Long> last = store.writeEvents("a", List.of(event(3, "MARKER-LAST")));
      assertThrows(CompletionException.class, () -> last.orTimeout(10, TimeUnit.SECONDS).join());
    } finally {
      DiskFaults.clear(dir);
    }
    close(store);
    flipByteOf("MARKER-LAST"); // torn

    JournalStore again = open();
    assertEquals(expected("a", 1, 2), all(again, "a"));
    assertEquals(2, again.highestSequenceNr("a"));
    write(again, "a", 3, 4);
    close(again);

    JournalStore third = open();
    assertEquals(expected("a", 1, 4), all(third, "a"), "the dropped tail must not count as damage later");
  }

  @Test
  void aFlippedByteInTheLastRoundBeforeACleanShutdownRefusesTheStart() throws IOException {
    JournalStore store = open();
    write(store, "a", 1, 2);
    store.writeEvents("a", List.of(event(3, "MARKER-LAST"))).join();
    close(store); // the clean shutdown records that the last round was acknowledged
    File file = flipByteOf("MARKER-LAST");
    JournalCorruptedException e = assertThrows(JournalCorruptedException.class, this::open);
    assertTrue(e.getMessage().contains(file.getName()), e.getMessage());
  }

  @Test
  void aTornFirstRecordOfTheRoundInFlightIsDroppedWithTheRestOfItsRound() throws Exception {
    JournalStore store = open();
    write(store, "a", 1, 1);
    // One round of two records whose force fails: as if the machine died with the first torn and
    // the second intact.
    DiskFaults.Stall stall = DiskFaults.stall(dir);
    CompletableFuture<Long> first;
    CompletableFuture<Long> second;
    try {
      CompletableFuture<Long> blocker = store.writeEvents("b", List.of(event(1, "b#1"))); // holds the writer in a force
      assertTrue(stall.awaitStalled(java.time.Duration.ofSeconds(10)), "the writer never reached a force");
      first = store.writeEvents("a", List.of(event(2, "MARKER-TORN")));
      second = store.writeEvents("c", List.of(event(1, "c#1")));
      DiskFaults.failNextForce(dir, "EIO"); // replaces the stall for the next round's force
      stall.release();
      blocker.orTimeout(10, TimeUnit.SECONDS).join();
      assertThrows(CompletionException.class, () -> first.orTimeout(10, TimeUnit.SECONDS).join());
      assertThrows(CompletionException.class, () -> second.orTimeout(10, TimeUnit.SECONDS).join());
    } finally {
      DiskFaults.clear(dir);
    }
    close(store);
    flipByteOf("MARKER-TORN");
    JournalStore again = open(); // must not refuse: nothing after the tear was acknowledged
    assertEquals(expected("a", 1, 1), all(again, "a"));
    assertEquals(List.of("b#1"), all(again, "b"));
    assertEquals(List.of(), all(again, "c"), "records after a tear are dropped with it");
  }

  @Test
  void aDamagedChronicleHeaderInAnAcknowledgedRecordRefusesTheStartInsteadOfCuttingTheQueue() throws IOException {
    for (int mode = 0; mode < 3; mode++) {
      Path d = dir.resolve("header-" + mode);
      JournalSettings s = new JournalSettings(d, true, 4096, 16 << 20, java.time.Duration.ZERO, RollCycles.FAST_HOURLY);
      JournalStore store = JournalStore.acquire(s);
      String victim = mode == 2 ? "MARKER-FIRST" : "MARKER-MIDDLE";
      store.writeEvents("a", List.of(event(1, "MARKER-FIRST"))).join();
      write(store, "a", 2, 2);
      store.writeEvents("a", List.of(event(3, "MARKER-MIDDLE"))).join();
      write(store, "a", 4, 6);
      store.release(); // a clean shutdown: every record is acknowledged and proven
      // Chronicle cannot step over a zeroed or mis-sized header: its scan ends there.
      damageHeaderOf(d, victim, mode == 1 ? 0x10 : -1);
      JournalCorruptedException e = assertThrows(JournalCorruptedException.class, () -> JournalStore.acquire(s),
          "mode " + mode);
      assertTrue(e.getMessage().contains(".cq4") && e.getMessage().contains("acknowledged"), e.getMessage());
      try (Stream<Path> files = Files.list(d)) {
        assertTrue(files.anyMatch(f -> f.toString().endsWith(".cq4")), "nothing was deleted");
      }
    }
  }

  @Test
  void aJournalOfVersionOneRecordsStillTellsDamageFromATornLastRound() throws IOException {
    // Written as the previous format did: no durable point, only round numbers.
    try (net.openhft.chronicle.queue.impl.single.SingleChronicleQueue q =
            net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder.single(dir.toFile())
                .blockSize(JournalStore.BLOCK_SIZE).rollCycle(RollCycles.FAST_HOURLY).build();
        net.openhft.chronicle.queue.ExcerptAppender a = q.createAppender()) {
      a.writeBytes(net.openhft.chronicle.bytes.Bytes.wrapForRead(versionOne(1, "a", event(1, "a#1"))));
      a.writeBytes(net.openhft.chronicle.bytes.Bytes.wrapForRead(versionOne(2, "a", event(2, "V1-MIDDLE"))));
      a.writeBytes(net.openhft.chronicle.bytes.Bytes.wrapForRead(versionOne(3, "a", event(3, "V1-LAST"))));
    }
    flipByteOf("V1-MIDDLE"); // a later round follows: acknowledged, damaged
    JournalCorruptedException e = assertThrows(JournalCorruptedException.class, this::open);
    assertTrue(e.getMessage().contains("index"), e.getMessage());
    flipByteOf("V1-mIDDLE"); // the same byte back (flipByteOf flips the case of the fourth letter)
    flipByteOf("V1-LAST"); // the last round: it may have been torn
    JournalStore store = open();
    assertEquals(List.of("a#1", "V1-MIDDLE"), all(store, "a"));
  }

  /** One events record in the version-1 layout: no syncedThrough after the round. */
  private static byte[] versionOne(long round, String pid, StoredEvent event) {
    byte[] v2 = JournalRecord.encode(new JournalRecord.Events(round, 0, pid, List.of(event)));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(v2, 0, 14); // magic, version, type, round
    out.write(v2, 22, v2.length - 22 - 4); // past syncedThrough, up to the crc
    byte[] body = out.toByteArray();
    body[4] = 1;
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(body);
    return java.nio.ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
  }

  /**
   * Damages the Chronicle header (the 4 bytes before the record's magic) of the record holding
   * {@code marker}: zeroes it ({@code xor} -1) or flips a bit of its length.
   */
  private static void damageHeaderOf(Path d, String marker, int xor) throws IOException {
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.list(d)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".cq4")).toList()) {
        byte[] content = Files.readAllBytes(p);
        for (int i = 0; i + needle.length <= content.length; i++) {
          if (java.util.Arrays.equals(content, i, i + needle.length, needle, 0, needle.length)) {
            int magic = i;
            while (!(content[magic] == 'S' && content[magic + 1] == 'Y' && content[magic + 2] == 'N'
                && content[magic + 3] == 'D')) {
              magic--;
            }
            try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
              raf.seek(magic - 4);
              if (xor == -1) {
                raf.writeInt(0);
              } else {
                raf.write(content[magic - 4] ^ xor);
              }
            }
            return;
          }
        }
      }
    }
    throw new AssertionError("marker " + marker + " not found in " + d);
  }

  /**
   * A deleted file that is still memory-mapped keeps its disk blocks until it is unmapped; on Linux
   * the process's map list shows whether the space really came back.
   */
  private static void assertNotMapped(File deleted) throws IOException {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return; // not Linux: nothing to look at
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String mapped;
    do {
      mapped = Files.readAllLines(maps).stream().filter(l -> l.contains(deleted.getName())).findFirst().orElse(null);
    } while (mapped != null && System.nanoTime() < deadline);
    assertEquals(null, mapped, deleted + " is deleted but still mapped after 10 s");
  }

  /** Flips one byte inside the first occurrence of {@code marker} in the queue's cycle files. */
  private File flipByteOf(String marker) throws IOException {
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".cq4")).toList()) {
        byte[] content = Files.readAllBytes(p);
        for (int i = 0; i + needle.length <= content.length; i++) {
          int j = 0;
          while (j < needle.length && content[i + j] == needle[j]) {
            j++;
          }
          if (j == needle.length) {
            try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
              raf.seek(i + 3);
              raf.write(content[i + 3] ^ 0x20);
            }
            return p.toFile();
          }
        }
      }
    }
    throw new AssertionError("marker " + marker + " not found in any cycle file of " + dir);
  }
}
