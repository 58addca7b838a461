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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.openhft.chronicle.bytes.Bytes;
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
 * <p><b>Group commit.</b> Writers hand records to {@link #submit}; the writer thread takes every
 * pending one (bounded by {@code max-batch-writes} and {@code max-batch-bytes}), appends them all,
 * forces every file the round wrote to disk (the cycle file it ended in, the one it rolled away
 * from, and, when a file is new, the queue's metadata file and the directory: {@link
 * JournalFiles}), and only then updates the index and completes every write's future. Each record
 * carries the queue index up to which the journal was durable when it was written, which is how
 * recovery tells acknowledged records from a torn tail; after a clean shutdown, or once the writer
 * has been idle for {@link #IDLE_MARK_NANOS}, a {@link Synced} marker does the same for the last
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
   * After this long without writes, the writer records that its last round completed (one more
   * small record and force), so that a later recovery counts that round as acknowledged even if no
   * clean shutdown follows.
   */
  static final long IDLE_MARK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** Chronicle Queue's block size, set rather than left to a system property's default. */
  static final int BLOCK_SIZE = 64 << 20;

  /** A write refused because its record would be larger than the journal holds in one record. */
  static final class RecordTooLargeException extends IllegalArgumentException {
    RecordTooLargeException(String message) {
      super(message);
    }
  }

  private static final class Pending {
    /** Makes the record on the writer thread (a deletion reads what was written before it). */
    final Supplier<JournalRecord> make;
    final long approxBytes;
    final CompletableFuture<Long> done = new CompletableFuture<>();
    JournalRecord record;
    long position;

    Pending(Supplier<JournalRecord> make, long approxBytes) {
      this.make = make;
      this.approxBytes = approxBytes;
    }
  }

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
  private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
  private final Thread writer;
  /** Guards the check for failure (or close) and the queueing of a write, and the latching of a failure. */
  private final Object submitLock = new Object();
  private volatile boolean running = true;
  private volatile JournalFailedException failure;
  private final CompletableFuture<JournalFailedException> failed = new CompletableFuture<>();
  /** The last write queued per persistence id, until it completes: what a recovery must wait for. */
  private final Map<String, CompletableFuture<Long>> lastWrites = new ConcurrentHashMap<>();
  private int references;

  /** What is durable where; read by replays on other threads, changed by recovery and the writer. */
  private final JournalIndex index;

  /** Sync rounds written since this store opened (for benchmarks: events per sync). */
  private volatile long roundsWritten;

  // Writer thread only (and recovery, before the writer starts).
  private long round;
  /** The queue index up to which the journal is durable (a completed force covered it), or -1. */
  private long syncedThrough = -1;
  /** {@link #syncedThrough} when a {@link Synced} marker last recorded it. */
  private long markedThrough = -1;
  private long lastRoundNanos = System.nanoTime();
  /** The file the last record went to: a roll writes its end-of-file mark there. */
  private File lastFile;
  /** Highest sequence number written per persistence id, synced or still in this round. */
  private final Map<String, Long> highestWritten = new HashMap<>();
  private ExcerptAppender appender;

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
    writer = new Thread(this::writeLoop, "synod-journal-writer");
    writer.setDaemon(true);
    writer.start();
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
      JournalTailRepair.checkUnreached(queue, dir, r);
      java.nio.file.Path repaired = JournalTailRepair.copyKept(queue, dir, blockSize, r);
      queue.close();
      JournalTailRepair.install(dir, repaired, rollCycle);
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
    round = Math.max(r.lastRound(), 0);
    appender = queue.createAppender();
    lastFile = lastCycleFile(); // a roll in the first round writes its end-of-file mark there
    try {
      files.forceAll(); // records that survived a kill but were never forced are durable from here on
    } catch (IOException e) {
      throw new UncheckedIOException("journal " + dir + ": cannot make the recovered journal durable", e);
    }
    syncedThrough = r.tornFrom() >= 0 ? r.tornFrom() - 1 : r.lastIndex();
    markedThrough = syncedThrough;
    highestWritten.putAll(index.highestByPid());
    log.info("journal {}: recovered {} record(s) of {} persistence id(s), durable through index {}, last sync round {}",
        dir, r.records(), index.size(), Long.toHexString(syncedThrough), round);
  }

  /** The newest cycle file in the directory, or null (cycle file names sort as their cycles do). */
  private File lastCycleFile() {
    try (java.util.stream.Stream<Path> all = Files.list(dir)) {
      return all.filter(f -> f.getFileName().toString().endsWith(".cq4")).max(Path::compareTo).map(Path::toFile)
          .orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException("journal " + dir + ": cannot list its files", e);
    }
  }

  // ---- writing ----

  /**
   * Queues a record for the writer; the future completes with its queue index once it is durable,
   * or exceptionally: with a {@link JournalFailedException} if the journal failed (then or before).
   */
  private CompletableFuture<Long> submit(Supplier<JournalRecord> make, long approxBytes) {
    Pending p = new Pending(make, approxBytes);
    synchronized (submitLock) {
      if (failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
      if (!running) {
        return CompletableFuture.failedFuture(new IllegalStateException("journal " + dir + " is closed"));
      }
      pending.add(p);
    }
    return p.done;
  }

  CompletableFuture<Long> writeEvents(String persistenceId, List<StoredEvent> events) {
    long bytes = 64;
    for (StoredEvent e : events) {
      bytes += 64 + e.payload().length;
    }
    CompletableFuture<Long> done = submit(() -> new Events(0, 0, persistenceId, events), bytes);
    lastWrites.put(persistenceId, done);
    done.whenComplete((position, error) -> lastWrites.remove(persistenceId, done));
    return done;
  }

  /**
   * Deletes events up to {@code toSequenceNr} (clamped to the highest written, so later events are
   * not deleted in advance); the highest sequence number is remembered even if every event goes.
   */
  CompletableFuture<Long> deleteTo(String persistenceId, long toSequenceNr) {
    return submit(() -> {
      long highest = highestWritten.getOrDefault(persistenceId, 0L); // includes writes queued before this one
      return new DeletedTo(0, 0, persistenceId, Math.min(toSequenceNr, highest), highest);
    }, 64);
  }

  private void writeLoop() {
    appender.singleThreadedCheckReset(); // created by recovery on another thread, used only here from now on
    List<Pending> batch = new ArrayList<>();
    try {
      while (true) {
        Pending first = pending.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (!running && pending.isEmpty()) {
            break;
          }
          if (System.nanoTime() - lastRoundNanos >= IDLE_MARK_NANOS) {
            markSynced();
          }
          continue;
        }
        batch.clear();
        batch.add(first);
        long bytes = first.approxBytes;
        long deadline = System.nanoTime() + settings.maxWait().toNanos();
        while (batch.size() < settings.maxBatchWrites() && bytes < settings.maxBatchBytes()) {
          long wait = deadline - System.nanoTime();
          Pending next = wait > 0 ? pending.poll(wait, TimeUnit.NANOSECONDS) : pending.poll();
          if (next == null) {
            break;
          }
          batch.add(next);
          bytes += next.approxBytes;
        }
        writeRound(batch);
      }
      markSynced(); // a clean shutdown: the last round counts as acknowledged at the next start
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      fail(t, batch); // the writer ends here: nothing is appended or acknowledged after a failure
    }
  }

  private void writeRound(List<Pending> batch) throws IOException {
    long r = ++round;
    List<Pending> written = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      JournalRecord record = JournalRecord.stamped(p.make.get(), r, syncedThrough);
      String refusal = refusal(record);
      if (refusal != null) {
        p.done.completeExceptionally(refusal.startsWith("too large")
            ? new RecordTooLargeException("journal " + dir + ": refusing to write " + refusal.substring(10))
            : new IllegalStateException("journal " + dir + ": refusing to write " + refusal));
        continue;
      }
      p.record = record;
      if (record instanceof Events e) {
        highestWritten.merge(e.persistenceId(), e.events().get(e.events().size() - 1).sequenceNr(), Math::max);
      }
      p.position = append(record);
      written.add(p);
    }
    if (written.isEmpty()) {
      return;
    }
    if (settings.fsync()) {
      files.forceTouched();
    }
    syncedThrough = written.get(written.size() - 1).position;
    lastRoundNanos = System.nanoTime();
    roundsWritten++;
    for (Pending p : written) {
      index.apply(p.record, p.position, fileByCycleOrCurrent(p.position));
    }
    // Events are acknowledged at once; deletions only after the compaction they allow, so a caller
    // that waits for a deletion also sees the disk space come back.
    for (Pending p : written) {
      if (!(p.record instanceof DeletedTo)) {
        p.done.complete(p.position);
      }
    }
    if (index.takeCompactionDue()) {
      compact();
    }
    for (Pending p : written) {
      p.done.complete(p.position);
    }
  }

  /**
   * Why {@code record} must not be written (refused alone, the journal goes on), or null. The
   * "too large" prefix marks a {@link RecordTooLargeException}.
   */
  private String refusal(JournalRecord record) {
    if (record instanceof Events e) {
      long first = e.events().get(0).sequenceNr();
      long highest = highestWritten.getOrDefault(e.persistenceId(), 0L);
      if (first <= highest) {
        // Two writers of one persistence id (an actor restarted while its predecessor's write was
        // still queued, and recovered without waiting for it): refuse rather than store a duplicate.
        return "events of " + e.persistenceId() + " from sequence number " + first + ": it already has events up to "
            + highest;
      }
      if (JournalRecord.encode(record).length > maxRecordBytes) {
        return "too large " + e.events().size() + " event(s) of " + e.persistenceId() + " as one record of more than "
            + maxRecordBytes + " bytes, the most Chronicle Queue holds in one";
      }
    }
    return null;
  }

  /** Appends one record; returns its queue index. A failure here fails the journal. */
  private long append(JournalRecord record) throws IOException {
    try {
      appender.writeBytes(Bytes.wrapForRead(JournalRecord.encode(record)));
    } catch (Throwable t) {
      // A full file system shows as a fault of the memory-mapped file (SIGBUS), not as ENOSPC.
      String hint = t instanceof InternalError ? "; writing its memory-mapped file faulted, which usually means the"
          + " file system is full (usable space now: " + usableSpace() + " bytes)" : "";
      throw new IOException("cannot append to " + (lastFile != null ? lastFile : dir) + " (" + t + ")" + hint, t);
    }
    File file = appender.currentFile();
    if (lastFile != null && !lastFile.equals(file)) {
      files.touched(lastFile); // the roll wrote its end-of-file mark there
    }
    files.touched(file);
    lastFile = file;
    return appender.lastIndexAppended();
  }

  private String usableSpace() {
    try {
      return String.valueOf(Files.getFileStore(dir).getUsableSpace());
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  private File fileByCycleOrCurrent(long position) {
    File f = index.fileOf(position);
    return f != null ? f : lastFile;
  }

  /**
   * Records that the journal is durable through {@link #syncedThrough}, if nothing has recorded it
   * yet: at a clean shutdown and when the writer is idle, so that the last round counts as
   * acknowledged at the next recovery.
   */
  private void markSynced() throws IOException {
    if (syncedThrough <= markedThrough || !settings.fsync()) {
      return;
    }
    long through = append(new Synced(++round, syncedThrough));
    files.forceTouched();
    syncedThrough = through;
    markedThrough = through;
    lastRoundNanos = System.nanoTime();
  }

  private void fail(Throwable t, List<Pending> batch) {
    JournalFailedException f = new JournalFailedException("journal " + dir + " failed and acknowledges nothing more "
        + "in this process: " + t.getMessage() + ". Restart the process: recovery re-reads what is on disk", t);
    synchronized (submitLock) {
      failure = f;
    }
    log.error("journal {} failed; every write from now on is refused", dir, t);
    for (Pending p : batch) {
      p.done.completeExceptionally(f);
    }
    Pending p;
    while ((p = pending.poll()) != null) {
      p.done.completeExceptionally(f);
    }
    failed.complete(f);
  }

  /** Completes, with the failure, once the journal has failed (fail-stop); never if it does not. */
  CompletableFuture<JournalFailedException> whenFailed() {
    return failed;
  }

  // ---- compaction ----

  private void compact() throws IOException {
    List<Integer> empty = index.emptyCyclesBefore(appender.cycle());
    if (empty.isEmpty()) {
      return;
    }
    // Deletion marks kept in those files must outlive them: copy them forward, durably, first.
    List<DeletedTo> carry = index.marksIn(empty);
    if (!carry.isEmpty()) {
      long r = ++round;
      List<Long> positions = new ArrayList<>();
      for (DeletedTo d : carry) {
        positions.add(append(JournalRecord.stamped(d, r, syncedThrough)));
      }
      files.forceTouched();
      syncedThrough = positions.get(positions.size() - 1);
      for (int i = 0; i < carry.size(); i++) {
        index.markMoved(carry.get(i).persistenceId(), positions.get(i));
      }
    }
    for (int cycle : empty) {
      File file = index.forgetCycle(cycle);
      if (file != null) {
        files.deleted(file);
        if (Files.deleteIfExists(file.toPath())) {
          log.info("journal {}: deleted {}, no live event remained in it", dir, file.getName());
        }
      }
    }
    files.forceDirectory();
    queue.refreshDirectoryListing();
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
    return roundsWritten;
  }

  /** Whether the writer thread has ended (after a failure, or a close). */
  boolean writerEnded() {
    return !writer.isAlive();
  }

  /**
   * Stops writing and closes the files: waits for the writes already queued, records the last
   * round as complete ({@link Synced}), then lets go of the queue and the directory's lock.
   */
  @Override
  public void close() {
    synchronized (submitLock) {
      running = false;
    }
    if (writer != null) {
      try {
        writer.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeQuietly();
  }

  /**
   * Ends this store as a kill -9 would, for crash tests: the writer stops where it is, nothing more
   * is written (no {@link Synced} marker), and the files and lock are let go. Waiting writes fail.
   */
  void crash() {
    synchronized (JournalStore.class) {
      OPEN.remove(dir);
    }
    synchronized (submitLock) {
      running = false;
    }
    writer.interrupt();
    try {
      writer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Pending p;
    while ((p = pending.poll()) != null) {
      p.done.completeExceptionally(new IllegalStateException("journal " + dir + " crashed (test)"));
    }
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      files.close();
    } catch (IOException e) {
      log.warn("journal {}: closing a file failed", dir, e);
    }
    if (appender != null) {
      appender.close();
    }
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
