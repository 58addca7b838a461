package io.synod.persistence;

import io.synod.persistence.JournalRecord.DeletedTo;
import io.synod.persistence.JournalRecord.Events;
import io.synod.persistence.JournalRecord.StoredEvent;
import io.synod.persistence.JournalRecord.Voided;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's storage: one Chronicle Queue per directory holding the records of every
 * persistence id, an in-memory index per persistence id rebuilt by scanning the queue at start,
 * and a single writer thread that group-commits.
 *
 * <p><b>Group commit.</b> Writers hand records to {@link #submit}; the writer thread takes every
 * pending one (bounded by {@code max-batch-writes} and {@code max-batch-bytes}), appends them all,
 * forces the current cycle file to disk once (and the directory when a new cycle file appeared),
 * and only then updates the index and completes every write's future. That round's number is
 * stored in each of its records.
 *
 * <p><b>Recovery.</b> A valid record of round {@code r} proves every earlier round was synced, so
 * only records of the last round can have been cut short by a crash. A record that fails its
 * checksum before the first record of the last valid round means acknowledged data is damaged:
 * the journal refuses to start, naming file and index. One at or after it is a torn tail: it and
 * everything after it are dropped with a WARN, and a {@link Voided} record makes later recoveries
 * drop them too.
 *
 * <p><b>Compaction.</b> A cycle file older than the one being written is deleted once no live
 * event remains in it; a deletion mark still needed is first copied forward.
 */
final class JournalStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JournalStore.class);
  private static final String LOCK_FILE = "synod-journal.lock";
  private static final Map<Path, JournalStore> OPEN = new HashMap<>();

  /** Where the events of one persistence id are. Sequence numbers ascend, so lookups bisect. */
  private static final class PidIndex {
    long[] seqs = new long[4];
    long[] positions = new long[4];
    int size;
    long highest;
    long deletedTo;
    /** Queue index of the latest deletion mark, or -1. */
    long markPosition = -1;

    void add(long seq, long position) {
      if (size == seqs.length) {
        seqs = Arrays.copyOf(seqs, size * 2);
        positions = Arrays.copyOf(positions, size * 2);
      }
      seqs[size] = seq;
      positions[size] = position;
      size++;
      highest = Math.max(highest, seq);
    }

    /** Forgets events up to {@code to}; returns their positions. */
    long[] removeTo(long to) {
      int n = 0;
      while (n < size && seqs[n] <= to) {
        n++;
      }
      long[] removed = Arrays.copyOf(positions, n);
      System.arraycopy(seqs, n, seqs, 0, size - n);
      System.arraycopy(positions, n, positions, 0, size - n);
      size -= n;
      return removed;
    }

    int firstAtOrAbove(long seq) {
      int i = Arrays.binarySearch(seqs, 0, size, seq);
      return i >= 0 ? i : -i - 1;
    }
  }

  /** Chronicle Queue's block size, set rather than left to a system property's default. */
  static final int BLOCK_SIZE = 64 << 20;

  /**
   * The largest record (one atomic write) the journal writes: Chronicle Queue holds a message of at
   * most a quarter of its block, and fails the appender past it. A larger write is refused alone
   * ({@link RecordTooLargeException}), the journal goes on.
   */
  static final int MAX_RECORD_BYTES = BLOCK_SIZE / 4 - 4096;

  /** A write refused because its record would be larger than {@link #MAX_RECORD_BYTES}. */
  static final class RecordTooLargeException extends IllegalArgumentException {
    RecordTooLargeException(String message) {
      super(message);
    }
  }

  private static final class Pending {
    final LongFunction<JournalRecord> make;
    final long approxBytes;
    final CompletableFuture<Long> done = new CompletableFuture<>();
    JournalRecord record;
    long position;

    Pending(LongFunction<JournalRecord> make, long approxBytes) {
      this.make = make;
      this.approxBytes = approxBytes;
    }
  }

  private final JournalSettings settings;
  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final SingleChronicleQueue queue;
  private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean running = true;
  private volatile Throwable failure;
  private int references;

  // Guarded by `this`: the index, read by replays on other threads, changed by the writer.
  private final Map<String, PidIndex> index = new HashMap<>();
  private final TreeMap<Integer, Long> liveByCycle = new TreeMap<>();
  private final Map<Integer, File> fileByCycle = new HashMap<>();
  /** Cycles holding a {@link Voided} record: never compacted, the void must outlive the damage. */
  private final Set<Integer> voidCycles = new HashSet<>();

  /** Sync rounds written since this store opened (for benchmarks: events per sync). */
  private volatile long roundsWritten;

  // Writer thread only (and recovery, before the writer starts).
  private long round;
  /** Highest sequence number written per persistence id, synced or still in this round. */
  private final Map<String, Long> highestWritten = new HashMap<>();
  private ExcerptAppender appender;
  private File syncedFile;
  private FileChannel syncChannel;
  private boolean compactionDue;

  private JournalStore(JournalSettings settings, TimeProvider time) {
    this.settings = settings;
    this.dir = settings.dir().toAbsolutePath().normalize();
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
    SingleChronicleQueue q = null;
    try {
      SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.single(dir.toFile())
          .blockSize(BLOCK_SIZE)
          .rollCycle(settings.rollCycle())
          .timeoutMS(2_000); // a write cut off by a crash is abandoned after this, not 10 s
      if (time != null) {
        builder.timeProvider(time);
      }
      q = builder.build();
    } catch (RuntimeException e) {
      releaseLock();
      throw e;
    }
    queue = q;
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

  /** The store for {@code settings.dir()}, shared by every journal in this JVM that uses it. */
  static synchronized JournalStore acquire(JournalSettings settings) {
    return acquire(settings, null);
  }

  static synchronized JournalStore acquire(JournalSettings settings, TimeProvider time) {
    Path key = settings.dir().toAbsolutePath().normalize();
    JournalStore store = OPEN.get(key);
    if (store == null) {
      store = new JournalStore(settings, time);
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
   * Rebuilds the index by scanning the queue once. Rounds only grow along the queue, so the
   * records of a round are confirmed synced as soon as a record of a later round follows; only the
   * last round so far is held back (bounded by {@code max-batch-writes}), and only sequence numbers
   * are kept of it, never payloads.
   */
  private void recover() {
    List<Object[]> lastRound = new ArrayList<>(); // {position, file, slim record}
    long lastRoundNumber = -1;
    long corruptAt = -1;
    String corruption = null;
    File corruptFile = null;
    long dropped = 0;
    long lastPosition = -1;
    long records = 0;
    try (ExcerptTailer tailer = queue.createTailer()) {
      while (true) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          long position = dc.index();
          lastPosition = position;
          byte[] bytes = dc.wire().bytes().toByteArray();
          File file = tailer.currentFile();
          JournalRecord r;
          try {
            r = JournalRecord.decode(bytes);
          } catch (JournalRecord.Corrupt c) {
            if (corruptAt < 0) {
              corruptAt = position;
              corruption = c.getMessage();
              corruptFile = file;
            }
            dropped++;
            continue;
          }
          if (corruptAt >= 0 && r instanceof Voided v && v.fromIndex() <= corruptAt && corruptAt < v.toIndex()) {
            // An earlier recovery already dropped this torn tail: it is no damage, and neither is
            // anything it covered.
            corruptAt = -1;
            corruption = null;
            dropped = 0;
          }
          if (corruptAt >= 0) {
            if (r.round() > lastRoundNumber) {
              // A later round was written after the damaged record, so its round had been synced.
              throw new JournalCorruptedException("journal " + dir + ": the record at index "
                  + Long.toHexString(corruptAt) + " (file " + corruptFile + ") is damaged (" + corruption
                  + "); it was written before the last completed sync, so acknowledged events are at risk. "
                  + "Refusing to start: restore the directory from a replica or backup.");
            }
            dropped++; // same round as the damage: part of the torn tail
            continue;
          }
          if (r instanceof Voided) {
            voidCycles.add(queue.rollCycle().toCycle(position));
          }
          if (r.round() != lastRoundNumber) {
            applyAll(lastRound);
            lastRound.clear();
            lastRoundNumber = r.round();
          }
          lastRound.add(new Object[] {position, file, slim(r)});
          records++;
        }
      }
    }
    applyAll(lastRound);
    round = Math.max(lastRoundNumber, 0);
    if (corruptAt >= 0) {
      log.warn("journal {}: dropped a torn tail of {} record(s) written after the last completed sync, from index {} ({})",
          dir, dropped, Long.toHexString(corruptAt), corruption);
      Voided v = new Voided(++round, corruptAt, lastPosition + 1);
      try (ExcerptAppender a = queue.createAppender()) {
        a.writeBytes(Bytes.wrapForRead(JournalRecord.encode(v)));
        voidCycles.add(queue.rollCycle().toCycle(a.lastIndexAppended()));
        forceFile(a.currentFile());
      }
    }
    for (Map.Entry<String, PidIndex> e : index.entrySet()) {
      highestWritten.put(e.getKey(), e.getValue().highest);
    }
    log.info("journal {}: recovered {} record(s) of {} persistence id(s), last sync round {}", dir, records,
        index.size(), round);
  }

  private void applyAll(List<Object[]> confirmed) {
    for (Object[] c : confirmed) {
      apply((JournalRecord) c[2], (Long) c[0], (File) c[1]);
    }
  }

  /** The record without payloads: all the index needs. */
  private static JournalRecord slim(JournalRecord r) {
    if (r instanceof Events e) {
      List<StoredEvent> slim = new ArrayList<>(e.events().size());
      for (StoredEvent ev : e.events()) {
        slim.add(new StoredEvent(ev.sequenceNr(), "", "", 0, 0, "", NO_BYTES));
      }
      return new Events(e.round(), e.persistenceId(), slim);
    }
    return r;
  }

  private static final byte[] NO_BYTES = new byte[0];

  /** Adds a durable record to the index. Caller holds the lock or is still recovering. */
  private void apply(JournalRecord r, long position, File file) {
    int cycle = queue.rollCycle().toCycle(position);
    fileByCycle.putIfAbsent(cycle, file);
    liveByCycle.putIfAbsent(cycle, 0L);
    if (r instanceof Events e) {
      PidIndex p = index.computeIfAbsent(e.persistenceId(), k -> new PidIndex());
      int live = 0;
      for (StoredEvent ev : e.events()) {
        if (ev.sequenceNr() > p.deletedTo) {
          p.add(ev.sequenceNr(), position);
          live++;
        }
      }
      liveByCycle.merge(cycle, (long) live, Long::sum);
    } else if (r instanceof DeletedTo d) {
      PidIndex p = index.computeIfAbsent(d.persistenceId(), k -> new PidIndex());
      p.highest = Math.max(p.highest, d.highestSequenceNr());
      p.markPosition = position;
      if (d.toSequenceNr() > p.deletedTo) {
        p.deletedTo = d.toSequenceNr();
        for (long gone : p.removeTo(d.toSequenceNr())) {
          liveByCycle.merge(queue.rollCycle().toCycle(gone), -1L, Long::sum);
        }
        compactionDue = true;
      }
    }
  }

  // ---- writing ----

  /**
   * Queues a record for the writer; the future completes with its queue index once it is durable
   * (or exceptionally, if the journal failed).
   */
  private CompletableFuture<Long> submit(LongFunction<JournalRecord> make, long approxBytes) {
    Throwable f = failure;
    if (f != null || !running) {
      return CompletableFuture.failedFuture(new IllegalStateException("journal " + dir + " is "
          + (f != null ? "failed: " + f : "closed"), f));
    }
    Pending p = new Pending(make, approxBytes);
    pending.add(p);
    return p.done;
  }

  CompletableFuture<Long> writeEvents(String persistenceId, List<StoredEvent> events) {
    long bytes = 64;
    for (StoredEvent e : events) {
      bytes += 64 + e.payload().length;
    }
    return submit(r -> new Events(r, persistenceId, events), bytes);
  }

  /**
   * Deletes events up to {@code toSequenceNr} (clamped to the highest written, so later events are
   * not deleted in advance); the highest sequence number is remembered even if every event goes.
   */
  CompletableFuture<Long> deleteTo(String persistenceId, long toSequenceNr) {
    return submit(r -> {
      long highest = highestWritten.getOrDefault(persistenceId, 0L); // includes writes queued before this one
      return new DeletedTo(r, persistenceId, Math.min(toSequenceNr, highest), highest);
    }, 64);
  }

  private void writeLoop() {
    appender = queue.createAppender();
    List<Pending> batch = new ArrayList<>();
    while (running || !pending.isEmpty()) {
      try {
        Pending first = pending.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
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
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Throwable t) {
        fail(t, batch);
      }
    }
    appender.close();
  }

  private void writeRound(List<Pending> batch) throws IOException {
    long r = ++round;
    List<Pending> refused = new ArrayList<>();
    for (Pending p : batch) {
      p.record = p.make.apply(r);
      byte[] encoded = JournalRecord.encode(p.record);
      if (encoded.length > MAX_RECORD_BYTES) {
        // Chronicle Queue cannot hold it (and would fail the whole journal trying): refuse this one.
        refused.add(p);
        continue;
      }
      if (p.record instanceof Events e) {
        highestWritten.merge(e.persistenceId(), e.events().get(e.events().size() - 1).sequenceNr(), Math::max);
      }
      appender.writeBytes(Bytes.wrapForRead(encoded));
      p.position = appender.lastIndexAppended();
    }
    for (Pending p : refused) {
      batch.remove(p);
      String what = p.record instanceof Events e ? e.events().size() + " event(s) of " + e.persistenceId() : "a record";
      p.done.completeExceptionally(new RecordTooLargeException("journal " + dir + ": refusing to write " + what
          + " as one record of more than " + MAX_RECORD_BYTES + " bytes, the most Chronicle Queue holds in one"));
    }
    if (batch.isEmpty()) {
      return;
    }
    File file = appender.currentFile();
    if (settings.fsync()) {
      forceFile(file);
    }
    roundsWritten++;
    synchronized (this) {
      for (Pending p : batch) {
        apply(p.record, p.position, file);
      }
    }
    // Events are acknowledged at once; deletions only after the compaction they allow, so a caller
    // that waits for a deletion also sees the disk space come back.
    for (Pending p : batch) {
      if (!(p.record instanceof DeletedTo)) {
        p.done.complete(p.position);
      }
    }
    if (compactionDue) {
      compactionDue = false;
      compact();
    }
    for (Pending p : batch) {
      p.done.complete(p.position);
    }
  }

  /** Forces {@code file} to disk, and the directory too when the file is new to us. */
  private void forceFile(File file) {
    try {
      if (!file.equals(syncedFile)) {
        if (syncChannel != null) {
          syncChannel.close();
        }
        syncChannel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE);
        syncedFile = file;
        DiskSync.of(dir).force(file.toPath(), syncChannel);
        forceDirectory();
      }
      DiskSync.of(dir).force(file.toPath(), syncChannel);
    } catch (IOException e) {
      throw new UncheckedIOException("journal " + dir + ": cannot force " + file + " to disk", e);
    }
  }

  private void forceDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      DiskSync.of(dir).force(dir, d);
    }
  }

  private void fail(Throwable t, List<Pending> batch) {
    // After a failed append or sync nothing about the file can be trusted: stop, loudly.
    failure = t;
    log.error("journal {} failed; every write from now on is refused", dir, t);
    for (Pending p : batch) {
      p.done.completeExceptionally(t);
    }
    Pending p;
    while ((p = pending.poll()) != null) {
      p.done.completeExceptionally(t);
    }
  }

  // ---- compaction ----

  private void compact() throws IOException {
    int current = appender.cycle();
    List<Integer> empty = new ArrayList<>();
    synchronized (this) {
      liveByCycle.forEach((cycle, live) -> {
        if (cycle < current && live == 0 && !voidCycles.contains(cycle)) {
          empty.add(cycle);
        }
      });
    }
    if (empty.isEmpty()) {
      return;
    }
    // Deletion marks and voided ranges kept in those files must outlive them: copy them forward.
    List<JournalRecord> carry = new ArrayList<>();
    synchronized (this) {
      for (Map.Entry<String, PidIndex> e : index.entrySet()) {
        PidIndex p = e.getValue();
        if (p.markPosition >= 0 && empty.contains(queue.rollCycle().toCycle(p.markPosition))) {
          carry.add(new DeletedTo(0, e.getKey(), p.deletedTo, p.highest));
        }
      }
    }
    if (!carry.isEmpty()) {
      long r = ++round;
      List<Long> positions = new ArrayList<>();
      for (JournalRecord c : carry) {
        DeletedTo d = (DeletedTo) c;
        appender.writeBytes(Bytes.wrapForRead(JournalRecord.encode(new DeletedTo(r, d.persistenceId(),
            d.toSequenceNr(), d.highestSequenceNr()))));
        positions.add(appender.lastIndexAppended());
      }
      forceFile(appender.currentFile());
      synchronized (this) {
        for (int i = 0; i < carry.size(); i++) {
          index.get(((DeletedTo) carry.get(i)).persistenceId()).markPosition = positions.get(i);
        }
      }
    }
    for (int cycle : empty) {
      File file;
      synchronized (this) {
        liveByCycle.remove(cycle);
        file = fileByCycle.remove(cycle);
      }
      if (file != null && Files.deleteIfExists(file.toPath())) {
        log.info("journal {}: deleted {}, no live event remained in it", dir, file.getName());
      }
    }
    forceDirectory();
    queue.refreshDirectoryListing();
  }

  // ---- reading ----

  synchronized long highestSequenceNr(String persistenceId) {
    PidIndex p = index.get(persistenceId);
    return p == null ? 0 : p.highest;
  }

  /**
   * Replays events of {@code persistenceId} with sequence numbers in {@code [from, to]}, at most
   * {@code max} of them, in order.
   */
  void replay(String persistenceId, long from, long to, long max, Consumer<StoredEvent> onEvent) {
    long[] seqs;
    long[] positions;
    synchronized (this) {
      PidIndex p = index.get(persistenceId);
      if (p == null || max <= 0) {
        return;
      }
      int start = p.firstAtOrAbove(Math.max(from, p.deletedTo + 1));
      int end = start;
      while (end < p.size && p.seqs[end] <= to && end - start < max) {
        end++;
      }
      seqs = Arrays.copyOfRange(p.seqs, start, end);
      positions = Arrays.copyOfRange(p.positions, start, end);
    }
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
  synchronized List<File> cycleFiles() {
    List<File> files = new ArrayList<>();
    for (int cycle : liveByCycle.keySet()) {
      File f = fileByCycle.get(cycle);
      if (f != null) {
        files.add(f);
      }
    }
    return files;
  }

  Path dir() {
    return dir;
  }

  long roundsWritten() {
    return roundsWritten;
  }

  @Override
  public void close() {
    running = false;
    if (writer != null) {
      try {
        writer.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      if (syncChannel != null) {
        syncChannel.close();
      }
    } catch (IOException e) {
      log.warn("journal {}: closing the sync channel failed", dir, e);
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
