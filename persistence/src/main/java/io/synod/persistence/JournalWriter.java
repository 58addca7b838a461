package io.synod.persistence;

import io.synod.persistence.JournalRecord.DeletedTo;
import io.synod.persistence.JournalRecord.Events;
import io.synod.persistence.JournalRecord.Synced;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's one writer thread: group commit and fail-stop (see {@link JournalStore} for the
 * rules it keeps). It takes every pending write, appends them as one round, forces every file the
 * round touched ({@link JournalFiles}), updates the {@link JournalIndex} and only then completes
 * the writes' futures; it compacts after deletions and records a {@link Synced} marker when idle
 * and at a clean stop. A failed append or force is latched, ends the thread and fails every waiting
 * and later write with a {@link JournalFailedException}.
 */
final class JournalWriter {

  private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);

  /**
   * After this long without writes, the writer records that its last round completed (one more
   * small record and force), so that a later recovery counts that round as acknowledged even if no
   * clean shutdown follows.
   */
  static final long IDLE_MARK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

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

  /** Where recovery left the journal: what the first round goes on from. */
  record Start(long round, long syncedThrough, File lastFile, Map<String, Long> highestWritten) {}

  private final JournalSettings settings;
  private final Path dir;
  private final int maxRecordBytes;
  private final SingleChronicleQueue queue;
  private final ExcerptAppender appender;
  private final JournalFiles files;
  private final JournalIndex index;
  private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
  private final Thread thread;
  /** Guards the check for failure (or close) and the queueing of a write, and the latching of a failure. */
  private final Object submitLock = new Object();
  private volatile boolean running = true;
  private volatile JournalFailedException failure;
  private final CompletableFuture<JournalFailedException> failed = new CompletableFuture<>();
  /** Sync rounds written (for benchmarks: events per sync). */
  private volatile long roundsWritten;

  // The writer thread's own.
  private long round;
  /** The queue index up to which the journal is durable (a completed force covered it), or -1. */
  private long syncedThrough;
  /** {@link #syncedThrough} when a {@link Synced} marker last recorded it. */
  private long markedThrough;
  private long lastRoundNanos = System.nanoTime();
  /** The file the last record went to: a roll writes its end-of-file mark there. */
  private File lastFile;
  /** Highest sequence number written per persistence id, synced or still in this round. */
  private final Map<String, Long> highestWritten;

  JournalWriter(JournalSettings settings, Path dir, int maxRecordBytes, SingleChronicleQueue queue,
      ExcerptAppender appender, JournalFiles files, JournalIndex index, Start start) {
    this.settings = settings;
    this.dir = dir;
    this.maxRecordBytes = maxRecordBytes;
    this.queue = queue;
    this.appender = appender;
    this.files = files;
    this.index = index;
    this.round = start.round();
    this.syncedThrough = start.syncedThrough();
    this.markedThrough = start.syncedThrough();
    this.lastFile = start.lastFile();
    this.highestWritten = new HashMap<>(start.highestWritten());
    this.thread = new Thread(this::writeLoop, "synod-journal-writer");
    thread.setDaemon(true);
  }

  /** Starts the thread (once whoever watches {@link #whenFailed} is listening). */
  void start() {
    thread.start();
  }

  /**
   * Queues a record for the writer; the future completes with its queue index once it is durable,
   * or exceptionally: with a {@link JournalFailedException} if the journal failed (then or before).
   */
  CompletableFuture<Long> submit(Supplier<JournalRecord> make, long approxBytes) {
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

  /** The highest sequence number written for {@code persistenceId}; on the writer thread only (a deletion's record). */
  long highestWritten(String persistenceId) {
    return highestWritten.getOrDefault(persistenceId, 0L);
  }

  private void writeLoop() {
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
    } finally {
      appender.close();
    }
  }

  private void writeRound(List<Pending> batch) throws IOException {
    long r = ++round;
    List<Pending> written = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      JournalRecord record = JournalRecord.stamped(p.make.get(), r, syncedThrough);
      byte[] encoded = JournalRecord.encode(record);
      RuntimeException refusal = refusal(record, encoded.length);
      if (refusal != null) {
        p.done.completeExceptionally(refusal);
        continue;
      }
      p.record = record;
      if (record instanceof Events e) {
        highestWritten.merge(e.persistenceId(), e.events().get(e.events().size() - 1).sequenceNr(), Math::max);
      }
      p.position = append(encoded);
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

  /** Why {@code record} must not be written (it is refused alone, the journal goes on), or null. */
  private RuntimeException refusal(JournalRecord record, int encodedLength) {
    if (record instanceof Events e) {
      long first = e.events().get(0).sequenceNr();
      long highest = highestWritten.getOrDefault(e.persistenceId(), 0L);
      if (first <= highest) {
        // Two writers of one persistence id (an actor restarted while its predecessor's write was
        // still queued, and recovered without waiting for it): refuse rather than store a duplicate.
        return new IllegalStateException("journal " + dir + ": refusing to write events of " + e.persistenceId()
            + " from sequence number " + first + ": it already has events up to " + highest);
      }
      if (encodedLength > maxRecordBytes) {
        return new RecordTooLargeException("journal " + dir + ": refusing to write " + e.events().size()
            + " event(s) of " + e.persistenceId() + " as one record of more than " + maxRecordBytes
            + " bytes, the most Chronicle Queue holds in one");
      }
    }
    return null;
  }

  /** Appends one record; returns its queue index. A failure here fails the journal. */
  private long append(JournalRecord record) throws IOException {
    return append(JournalRecord.encode(record));
  }

  private long append(byte[] encoded) throws IOException {
    try {
      appender.writeBytes(Bytes.wrapForRead(encoded));
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
    // Whoever watches the journal (its store, which then never reopens the directory in this
    // process, and the plugin, which publishes it) knows before any writer learns of the failure.
    failed.complete(f);
    for (Pending p : batch) {
      p.done.completeExceptionally(f);
    }
    Pending p;
    while ((p = pending.poll()) != null) {
      p.done.completeExceptionally(f);
    }
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

  long roundsWritten() {
    return roundsWritten;
  }

  /** Waits at most {@code millis} for the thread to end; says whether it has. */
  boolean awaitEnd(long millis) throws InterruptedException {
    thread.join(millis);
    return ended();
  }

  /** Whether the thread has ended (after a failure, or a stop). */
  boolean ended() {
    return !thread.isAlive();
  }

  /**
   * Takes no more writes, writes those queued and a {@link Synced} marker, and ends; waits 30 s at
   * most, and says whether the thread ended (it may not, on a disk that stalls).
   */
  boolean stop() {
    synchronized (submitLock) {
      running = false;
    }
    join();
    return ended();
  }

  /** Ends at once, as a kill -9 would: nothing more is written; waiting writes fail (for crash tests). */
  void crash() {
    synchronized (submitLock) {
      running = false;
    }
    thread.interrupt();
    join();
    Pending p;
    while ((p = pending.poll()) != null) {
      p.done.completeExceptionally(new IllegalStateException("journal " + dir + " crashed (test)"));
    }
  }

  private void join() {
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
