package io.synod.persistence;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Makes the queue end where recovery's scan ended, after a power loss left its tail in a state
 * Chronicle Queue would write past: a torn record, a header that says the file was written further
 * than its surviving bytes (the file's header page reached the disk and later data pages did not,
 * so Chronicle would append after a hole that every later scan stops at), or cycle files the scan
 * never reached. Everything after the end is beyond the last completed force, so it was never
 * acknowledged (a record there that says otherwise refuses the start, as damage).
 *
 * <p>The repair copies the records of the last kept cycle file, up to the end, into a new file with
 * Chronicle's own appender (so every kept record keeps its queue index), forces it, renames it over
 * the old one and deletes the cycle files after it, forcing the directory. A crash during it leaves
 * the old file in place, and the next recovery repairs again.
 */
final class JournalTailRepair {

  private static final String WORK_DIR = ".tail-repair";

  private JournalTailRepair() {}

  /** Whether the tail must be repaired before anything is appended. */
  static boolean needed(SingleChronicleQueue queue, JournalRecovery.Result r) {
    if (r.lastIndex() < 0) {
      return hasCycleFiles(queue.file().toPath()); // files without a readable record
    }
    if (r.tornFrom() >= 0) {
      return true;
    }
    int lastCycle = queue.rollCycle().toCycle(r.lastIndex());
    if (queue.lastCycle() > lastCycle) {
      return true;
    }
    SingleChronicleQueueStore store = queue.storeForCycle(lastCycle, queue.epoch(), false, null);
    try {
      if (store == null || store.writePosition() != r.lastHeaderPosition()) {
        return true;
      }
    } finally {
      if (store != null) {
        queue.closeStore(store);
      }
    }
    // Chronicle's index must lead to the last record too: an index page that survived without the
    // page it points to would fail a replay, or the appender.
    try (ExcerptTailer tailer = queue.createTailer()) {
      if (!tailer.moveToIndex(r.lastIndex())) {
        return true;
      }
      try (DocumentContext dc = tailer.readingDocument()) {
        return !dc.isPresent() || dc.index() != r.lastIndex();
      }
    } catch (RuntimeException e) {
      return true;
    }
  }

  /**
   * Refuses the start if anything to be cut says the journal was durable past where recovery's scan
   * ended: then the records in between were acknowledged, and what stopped the scan (a damaged
   * record header, say, which Chronicle cannot step over) is damage, not a torn write. Chronicle's
   * framing cannot be trusted past the break, so the bytes of the last kept cycle file and of every
   * later one are searched for records directly: a record is its Chronicle header (4 bytes,
   * little-endian, the length in the low 30 bits) followed by {@link JournalRecord#MAGIC}.
   */
  static void checkNothingDurableIsCut(SingleChronicleQueue queue, Path dir, JournalRecovery.Result r) {
    long end = r.tornFrom() >= 0 ? r.tornFrom() : r.lastIndex() + 1; // the first index not kept
    String keptFile = end > 0 && r.lastIndex() >= 0 ? cycleFileName(queue, end - 1) : null;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.cq4")) {
      for (Path f : files) {
        if (keptFile == null || f.getFileName().toString().compareTo(keptFile) >= 0) {
          checkFile(f, dir, end);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("journal " + dir + ": cannot read its files to check the tail", e);
    }
  }

  private static String cycleFileName(SingleChronicleQueue queue, long index) {
    SingleChronicleQueueStore store = queue.storeForCycle(queue.rollCycle().toCycle(index), queue.epoch(), false, null);
    try {
      return store == null ? null : store.file().getName();
    } finally {
      if (store != null) {
        queue.closeStore(store);
      }
    }
  }

  private static void checkFile(Path file, Path dir, long end) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    for (int p = 4; p + 4 <= bytes.length; p++) {
      if (bytes[p] != 'S' || bytes[p + 1] != 'Y' || bytes[p + 2] != 'N' || bytes[p + 3] != 'D') {
        continue;
      }
      int length = b.order(ByteOrder.LITTLE_ENDIAN).getInt(p - 4) & 0x3FFFFFFF;
      if (length < 8 || p + (long) length > bytes.length) {
        continue;
      }
      JournalRecord record;
      try {
        record = JournalRecord.decode(Arrays.copyOfRange(bytes, p, p + length));
      } catch (JournalRecord.Corrupt c) {
        continue;
      }
      if (record.syncedThrough() >= end) {
        throw new JournalCorruptedException("journal " + dir + ": its readable records end before index "
            + Long.toHexString(end) + ", but the record at byte " + (p - 4) + " of " + file + " says the journal was "
            + "durable through index " + Long.toHexString(record.syncedThrough()) + ": records that were acknowledged "
            + "are damaged in between. Refusing to start: restore the directory from a replica or backup.");
      }
    }
  }

  /**
   * Writes the records of the last kept cycle, up to the end recovery found, into a new file in a
   * work directory, forced; returns it. The queue stays open (the caller closes it to install).
   */
  static Path copyKept(SingleChronicleQueue queue, Path dir, int blockSize, JournalRecovery.Result r) {
    long end = r.tornFrom() >= 0 ? r.tornFrom() : r.lastIndex() + 1;
    Path work = dir.resolve(WORK_DIR);
    try {
      deleteTree(work);
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new UncheckedIOException("journal " + dir + ": cannot prepare " + work + " to repair the tail", e);
    }
    if (end <= 0 || r.lastIndex() < 0) {
      return null; // nothing to keep: every cycle file goes
    }
    RollCycle rollCycle = queue.rollCycle();
    int cycle = rollCycle.toCycle(end - 1);
    long copied = -1;
    SetTimeProvider inCycle = new SetTimeProvider(
        java.time.Instant.ofEpochMilli(cycle * (long) rollCycle.lengthInMillis() + queue.epoch()));
    try (SingleChronicleQueue copy = SingleChronicleQueueBuilder.single(work.toFile()).blockSize(blockSize)
            .rollCycle(rollCycle).timeProvider(inCycle).build();
        ExcerptAppender appender = copy.createAppender();
        ExcerptTailer tailer = queue.createTailer()) {
      if (tailer.moveToCycle(cycle)) {
        while (true) {
          try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent() || dc.index() >= end || rollCycle.toCycle(dc.index()) != cycle) {
              break;
            }
            appender.writeBytes(Bytes.wrapForRead(dc.wire().bytes().toByteArray()));
            copied = appender.lastIndexAppended();
            if (copied != dc.index()) {
              throw new IllegalStateException("journal " + dir + ": repairing the tail copied index "
                  + Long.toHexString(dc.index()) + " to " + Long.toHexString(copied) + "; refusing to go on");
            }
          }
        }
      }
      File file = copied >= 0 ? appender.currentFile() : null;
      if (file == null) {
        return null;
      }
      try (FileChannel ch = FileChannel.open(file.toPath(), StandardOpenOption.WRITE)) {
        DiskSync.of(dir).force(file.toPath(), ch);
      }
      return file.toPath();
    } catch (IOException e) {
      throw new UncheckedIOException("journal " + dir + ": cannot write the repaired tail", e);
    }
  }

  /**
   * Puts {@code repaired} (from {@link #copyKept}, or null: no cycle keeps a record) in place of
   * its cycle file and deletes every later cycle file, durably. The queue must be closed.
   */
  static void install(Path dir, Path repaired) {
    try {
      String keepUpTo = repaired == null ? "" : repaired.getFileName().toString();
      if (repaired != null) {
        Files.move(repaired, dir.resolve(keepUpTo), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.cq4")) {
        for (Path f : files) {
          // Cycle file names sort as their cycles do (fixed-width dates).
          if (repaired == null || f.getFileName().toString().compareTo(keepUpTo) > 0) {
            Files.delete(f);
          }
        }
      }
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        DiskSync.of(dir).force(dir, d);
      }
      deleteTree(dir.resolve(WORK_DIR));
    } catch (IOException e) {
      throw new UncheckedIOException("journal " + dir + ": cannot install the repaired tail", e);
    }
  }

  private static boolean hasCycleFiles(Path dir) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.cq4")) {
      return files.iterator().hasNext();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
