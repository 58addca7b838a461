package io.synod.persistence;

import io.synod.persistence.JournalRecord.DeletedTo;
import io.synod.persistence.JournalRecord.Events;
import io.synod.persistence.JournalRecord.StoredEvent;
import io.synod.persistence.JournalRecord.Synced;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's storage: one Chronicle Queue per directory holding the records of every
 * persistence id, an in-memory index per persistence id rebuilt by scanning the queue at start
 * ({@link JournalRecovery}), and a single writer thread that group-commits.
 *
 * <p><b>Group commit.</b> Writes go to the {@link JournalWriter}'s one thread, which takes every
 * pending one (bounded by {@code max-batch-writes} and {@code max-batch-bytes}), appends them all,
 * forces every file the round wrote to disk (the cycle file it ended in, the one it rolled away
 * from, and, when a file is new, the queue's metadata file and the directory: {@link
 * JournalFiles}), and only then updates the index and completes every write's future. Each record
 * carries the queue index up to which the journal was durable when it was written, which is how
 * recovery tells acknowledged records from a torn tail; after a clean shutdown, or once the writer
 * has been idle for {@link JournalWriter#IDLE_MARK_NANOS}, a {@link Synced} marker does the same for the last
 * round.
 *
 * <p><b>Fail-stop.</b> A failed append or force means nothing written since the last completed
 * force can be trusted (Linux may have dropped the dirty pages and report the next force as a
 * success): the failure is latched under the same lock that queues writes, the writer thread ends,
 * and every write waiting then or submitted later fails with a {@link JournalFailedException}
 * naming the directory, the file and the cause. Nothing is acknowledged again in this process;
 * {@link #whenFailed} tells whoever needs to act. A restart recovers what is really on disk.
 *
 * <p><b>Compaction.</b> A cycle file older than the one being written is deleted once no live
 * event remains in it; a deletion mark still needed is first copied forward.
 */
final class JournalStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JournalStore.class);
  private static final String LOCK_FILE = "synod-journal.lock";
  private static final String METADATA_FILE = "metadata.cq4t";
  private static final Map<Path, JournalStore> OPEN = new HashMap<>();
  /**
   * Directories whose journal failed in this process. After a failed fsync the page cache may hold
   * what never reached the disk, and a recovery in this process would read it as durable: only a
   * new process may open them again.
   */
  private static final Set<Path> FAILED = ConcurrentHashMap.newKeySet();

  /** Chronicle Queue's block size, set rather than left to a system property's default. */
  static final int BLOCK_SIZE = 64 << 20;

  private final JournalSettings settings;
  private final Path dir;
  private final int blockSize;
  /**
   * The largest record (one atomic write) the journal writes: Chronicle Queue holds a message of at
   * most a quarter of its block, and fails the appender past it. A larger write is refused alone
   * ({@link RecordTooLargeException}), the journal goes on.
   */
  private final int maxRecordBytes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final TimeProvider time;
  private final RollCycle rollCycle;
  /** Replaced only while recovery repairs the tail, before the writer starts. */
  private SingleChronicleQueue queue;
  private final JournalFiles files;
  /** Starts once recovery is done; the one thread that writes. */
  private JournalWriter writer;
  /** The last write queued per persistence id, until it completes: what a recovery must wait for. */
  private final Map<String, CompletableFuture<Long>> lastWrites = new ConcurrentHashMap<>();
  private int references;

  /** What is durable where; read by replays on other threads, changed by recovery and the writer. */
  private final JournalIndex index;

  private JournalStore(JournalSettings settings, TimeProvider time, int blockSize) {
    this.settings = settings;
    this.dir = settings.dir().toAbsolutePath().normalize();
    this.blockSize = blockSize;
    this.maxRecordBytes = blockSize / 4 - 4096;
    this.time = time;
    this.rollCycle = settings.rollCycle();
    this.index = new JournalIndex(rollCycle);
    try {
      Files.createDirectories(dir);
      lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      lock = lockChannel.tryLock();
      if (lock == null) {
        lockChannel.close();
        throw new IllegalStateException("journal directory " + dir + " is in use by another process");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open journal directory " + dir, e);
    }
    files = new JournalFiles(dir, METADATA_FILE);
    try {
      queue = openQueue();
    } catch (RuntimeException e) {
      releaseLock();
      throw e;
    }
    try {
      recover();
    } catch (RuntimeException e) {
      closeQuietly();
      throw e;
    }
    if (!settings.fsync()) {
      log.warn("journal {}: fsync is off; acknowledged events can be lost if the machine fails", dir);
    }
  }

  private SingleChronicleQueue openQueue() {
    SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.single(dir.toFile())
        .blockSize(blockSize)
        .rollCycle(rollCycle)
        .timeoutMS(2_000); // a write cut off by a crash is abandoned after this, not 10 s
    if (time != null) {
      builder.timeProvider(time);
    }
    return builder.build();
  }

  /** The store for {@code settings.dir()}, shared by every journal in this JVM that uses it. */
  static synchronized JournalStore acquire(JournalSettings settings) {
    return acquire(settings, null);
  }

  static synchronized JournalStore acquire(JournalSettings settings, TimeProvider time) {
    return acquire(settings, time, BLOCK_SIZE);
  }

  /** With a smaller Chronicle block than production's (tests that copy whole files). */
  static synchronized JournalStore acquire(JournalSettings settings, TimeProvider time, int blockSize) {
    Path key = settings.dir().toAbsolutePath().normalize();
    JournalStore store = OPEN.get(key);
    if (store == null && FAILED.contains(key)) {
      throw new JournalFailedException("journal " + key + " failed earlier in this process, and what this process "
          + "reads of it may not be on disk; restart the process to recover it", null);
    }
    if (store == null) {
      store = new JournalStore(settings, time, blockSize);
      OPEN.put(key, store);
    } else if (!store.settings.withDir(key).equals(settings.withDir(key))) {
      throw new IllegalStateException("journal directory " + key + " is already open in this JVM with other settings ("
          + store.settings + "); two journal configs must not share a directory with different settings");
    }
    store.references++;
    return store;
  }

  /** Tests: forgets that the journal in {@code dir} failed, as a new process would (after a power loss, say). */
  static void forgetFailure(Path dir) {
    FAILED.remove(dir.toAbsolutePath().normalize());
  }

  /** Lets go of one reference; the last one closes the store. */
  void release() {
    synchronized (JournalStore.class) {
      if (--references > 0) {
        return;
      }
      OPEN.remove(dir);
    }
    close();
  }

  // ---- recovery ----

  /**
   * Rebuilds the index with {@link JournalRecovery}, cuts a torn or inconsistent tail off the queue
   * ({@link JournalTailRepair}), and makes everything kept durable before anything new is written,
   * since new records will say it is.
   */
  private void recover() {
    JournalRecovery.Result r = JournalRecovery.scan(queue, dir, index::apply);
    queue.refreshDirectoryListing();
    if (JournalTailRepair.needed(queue, r)) {
      JournalTailRepair.checkNothingDurableIsCut(queue, dir, r);
      Path repaired = JournalTailRepair.copyKept(queue, dir, blockSize, r);
      queue.close();
      JournalTailRepair.install(dir, repaired);
      queue = openQueue();
      queue.refreshDirectoryListing();
      if (r.tornFrom() >= 0) {
        log.warn("journal {}: dropped a torn tail of {} record(s) written after the last completed force, from index"
            + " {} ({})", dir, r.dropped(), Long.toHexString(r.tornFrom()), r.tornReason());
      } else {
        log.warn("journal {}: cut the queue after index {}, where its readable records end (what followed was never"
            + " forced)", dir, Long.toHexString(r.lastIndex()));
      }
    }
    long round = Math.max(r.lastRound(), 0);
    ExcerptAppender appender = queue.createAppender();
    try {
      files.forceAll(); // records that survived a kill but were never forced are durable from here on
    } catch (IOException e) {
      throw new UncheckedIOException("journal " + dir + ": cannot make the recovered journal durable", e);
    }
    long syncedThrough = r.tornFrom() >= 0 ? r.tornFrom() - 1 : r.lastIndex();
    appender.singleThreadedCheckReset(); // created here, used only by the writer thread from now on
    // lastCycleFile: a roll in the first round writes its end-of-file mark there.
    writer = new JournalWriter(settings, dir, maxRecordBytes, queue, appender, files, index,
        new JournalWriter.Start(round, syncedThrough, lastCycleFile(), index.highestByPid()));
    writer.whenFailed().thenRun(() -> FAILED.add(dir));
    writer.start();
    log.info("journal {}: recovered {} record(s) of {} persistence id(s), durable through index {}, last sync round {}",
        dir, r.records(), index.size(), Long.toHexString(syncedThrough), round);
  }

  /** The newest cycle file in the directory, or null (cycle file names sort as their cycles do). */
  private File lastCycleFile() {
    try (Stream<Path> all = Files.list(dir)) {
      return all.filter(f -> f.getFileName().toString().endsWith(".cq4")).max(Path::compareTo).map(Path::toFile)
          .orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException("journal " + dir + ": cannot list its files", e);
    }
  }

  // ---- writing ----

  CompletableFuture<Long> writeEvents(String persistenceId, List<StoredEvent> events) {
    long bytes = 64;
    for (StoredEvent e : events) {
      bytes += 64 + e.payload().length;
    }
    CompletableFuture<Long> done = writer.submit(() -> new Events(0, 0, persistenceId, events), bytes);
    lastWrites.put(persistenceId, done);
    done.whenComplete((position, error) -> lastWrites.remove(persistenceId, done));
    return done;
  }

  /**
   * Deletes events up to {@code toSequenceNr} (clamped to the highest written, so later events are
   * not deleted in advance); the highest sequence number is remembered even if every event goes.
   */
  CompletableFuture<Long> deleteTo(String persistenceId, long toSequenceNr) {
    JournalWriter w = writer;
    return w.submit(() -> {
      long highest = w.highestWritten(persistenceId); // includes writes queued before this one
      return new DeletedTo(0, 0, persistenceId, Math.min(toSequenceNr, highest), highest);
    }, 64);
  }

  /** Completes, with the failure, once the journal has failed (fail-stop); never if it does not. */
  CompletableFuture<JournalFailedException> whenFailed() {
    return writer.whenFailed();
  }

  // ---- reading ----

  /** The sequence number up to which {@code persistenceId}'s events are deleted (0: none). */
  long deletedTo(String persistenceId) {
    return index.deletedTo(persistenceId);
  }

  long highestSequenceNr(String persistenceId) {
    return index.highestSequenceNr(persistenceId);
  }

  /**
   * The highest sequence number of {@code persistenceId} once every write of it queued so far has
   * ended: a recovering actor must not start below a write its predecessor left in flight, or it
   * would write the same sequence numbers again.
   */
  CompletableFuture<Long> highestSequenceNrAfterWrites(String persistenceId) {
    CompletableFuture<Long> last = lastWrites.get(persistenceId);
    if (last == null || last.isDone()) {
      return CompletableFuture.completedFuture(highestSequenceNr(persistenceId));
    }
    return last.handle((position, error) -> highestSequenceNr(persistenceId));
  }

  /**
   * Replays events of {@code persistenceId} with sequence numbers in {@code [from, to]}, at most
   * {@code max} of them, in order.
   *
   * @throws IllegalStateException if events from {@code from} on were deleted: the replay would
   *     have a hole where they were (a recovery from an older snapshot than the deletion allowed)
   */
  void replay(String persistenceId, long from, long to, long max, Consumer<StoredEvent> onEvent) {
    if (max <= 0 || from > to) {
      return;
    }
    JournalIndex.Slice slice = index.slice(persistenceId, from, to, max, dir);
    if (slice == null) {
      return;
    }
    long[] seqs = slice.sequenceNrs();
    long[] positions = slice.positions();
    try (ExcerptTailer tailer = queue.createTailer()) {
      int i = 0;
      while (i < seqs.length) {
        long position = positions[i];
        if (!tailer.moveToIndex(position)) {
          throw new IllegalStateException("journal " + dir + ": event " + persistenceId + "#" + seqs[i]
              + " is indexed at " + Long.toHexString(position) + " but the queue has no such entry");
        }
        Events record;
        try (DocumentContext dc = tailer.readingDocument()) {
          record = (Events) JournalRecord.decode(dc.wire().bytes().toByteArray());
        } catch (JournalRecord.Corrupt c) {
          throw new JournalCorruptedException("journal " + dir + ": record at index " + Long.toHexString(position)
              + " in " + tailer.currentFile() + " became damaged after recovery: " + c.getMessage());
        }
        for (StoredEvent e : record.events()) {
          if (i < seqs.length && positions[i] == position && e.sequenceNr() == seqs[i]) {
            onEvent.accept(e);
            i++;
          }
        }
      }
    }
  }

  /** The cycle files currently holding live data or marks, oldest first (for tests and tools). */
  List<File> cycleFiles() {
    return index.cycleFiles();
  }

  Path dir() {
    return dir;
  }

  long roundsWritten() {
    return writer.roundsWritten();
  }

  /** Whether the writer thread has ended (after a failure, or a close). */
  boolean writerEnded() {
    return writer.ended();
  }

  /** Tests: waits at most {@code millis} for the writer thread to end (after a failure); says whether it has. */
  boolean awaitWriterEnd(long millis) throws InterruptedException {
    return writer.awaitEnd(millis);
  }

  /**
   * Stops writing and closes the files: waits for the writes already queued, records the last
   * round as complete ({@link Synced}), then lets go of the queue and the directory's lock.
   */
  @Override
  public void close() {
    if (writer != null && !writer.stop()) {
      // Unmapping the files under a thread still in a force would crash the JVM: leave them to the
      // process's exit.
      log.error("journal {}: its writer did not end within 30 s (the disk stalls?); its files stay open", dir);
      return;
    }
    closeQuietly();
  }

  /**
   * Ends this store as a kill -9 would, for crash tests: the writer stops where it is, nothing more
   * is written (no {@link JournalRecord.Synced} marker), and the files and lock are let go. Waiting
   * writes fail.
   */
  void crash() {
    synchronized (JournalStore.class) {
      OPEN.remove(dir);
    }
    writer.crash();
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      files.close();
    } catch (IOException e) {
      log.warn("journal {}: closing a file failed", dir, e);
    }
    writer = null; // its appender goes with the queue
    queue.close();
    releaseLock();
  }

  private void releaseLock() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      log.warn("journal {}: releasing the lock failed", dir, e);
    }
  }
}
