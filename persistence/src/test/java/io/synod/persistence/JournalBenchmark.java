package io.synod.persistence;

import io.synod.persistence.JournalRecord.StoredEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.RollCycles;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Measures, side by side in one run on one disk: the disk's raw fsync rate ({@code
 * FileChannel.force} after a small write) and the journal's acknowledged events per second and
 * acknowledgement latency with 1, 16 and 256 concurrent writers (each writes one event and waits
 * for its acknowledgement, as a persisting actor does). Not a test: see README for how to run it.
 *
 * <p>Arguments (all optional): {@code dir seconds-per-measurement}. The directory should be on the
 * disk the journal will use in production; it defaults to a fresh directory under {@code target/}.
 */
public final class JournalBenchmark {

  public static void main(String[] args) throws Exception {
    Path base = args.length > 0 ? Path.of(args[0]) : Path.of("target", "journal-benchmark");
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
    Files.createDirectories(base);
    Path root = Files.createTempDirectory(base.toAbsolutePath(), "run-");
    System.out.printf(Locale.ROOT, "BENCH dir=%s secondsPerMeasurement=%.1f cores=%d%n", root, seconds,
        Runtime.getRuntime().availableProcessors());

    Result raw = rawFsync(root.resolve("raw-fsync.bin"), seconds);
    print("raw-fsync", 1, raw, -1);
    for (int writers : new int[] {1, 16, 256}) {
      Path dir = root.resolve("journal-" + writers);
      JournalStore store = JournalStore.acquire(
          new JournalSettings(dir, true, 4096, 16 << 20, Duration.ZERO, RollCycles.FAST_HOURLY));
      try {
        Result r = journal(store, writers, seconds);
        print("journal", writers, r, raw.perSecond);
      } finally {
        store.release();
      }
    }
    System.out.println("BENCH done: compare events/s with 256 writers against raw fsyncs/s (group commit), and p50 "
        + "with 1 writer against one raw fsync (the journal's own overhead).");
  }

  record Result(double perSecond, Histogram latency, double eventsPerSync) {}

  private static Result rawFsync(Path file, double seconds) throws IOException {
    Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    ByteBuffer block = ByteBuffer.allocate(64);
    long count = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long warmupEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      while (System.nanoTime() < warmupEnd) {
        block.clear();
        ch.write(block, 0);
        ch.force(true);
      }
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      long position = 0;
      while (System.nanoTime() < end) {
        long t0 = System.nanoTime();
        block.clear();
        ch.write(block, position);
        position = (position + 64) % (1 << 20);
        ch.force(true);
        h.recordValue(System.nanoTime() - t0);
        count++;
      }
      return new Result(count / ((System.nanoTime() - start) / 1e9), h, 1);
    }
  }

  private static Result journal(JournalStore store, int writers, double seconds) throws InterruptedException {
    Recorder recorder = new Recorder(3);
    long[] counts = new long[writers];
    long warmupEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
    long end = warmupEnd + (long) (seconds * 1e9);
    byte[] payload = new byte[100];
    List<Thread> threads = new ArrayList<>();
    long[] roundsAtStart = {0};
    for (int w = 0; w < writers; w++) {
      int id = w;
      Thread t = new Thread(() -> {
        String pid = "bench-" + id;
        long seq = 0;
        while (true) {
          long t0 = System.nanoTime();
          if (t0 >= end) {
            return;
          }
          store.writeEvents(pid, List.of(new StoredEvent(++seq, "", "bench", t0, 4, "", payload))).join();
          long t1 = System.nanoTime();
          if (t0 >= warmupEnd) {
            recorder.recordValue(t1 - t0);
            counts[id]++;
          }
        }
      }, "bench-writer-" + w);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    long now = System.nanoTime();
    if (warmupEnd > now) {
      TimeUnit.NANOSECONDS.sleep(warmupEnd - now); // a benchmark's warm-up, not a test's synchronisation
    }
    roundsAtStart[0] = store.roundsWritten();
    for (Thread t : threads) {
      t.join();
    }
    long rounds = store.roundsWritten() - roundsAtStart[0];
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    return new Result(total / seconds, recorder.getIntervalHistogram(), rounds == 0 ? 0 : (double) total / rounds);
  }

  private static void print(String what, int writers, Result r, double rawPerSecond) {
    Histogram h = r.latency();
    System.out.printf(Locale.ROOT,
        "BENCH %-9s writers=%-3d perSecond=%9.0f p50=%8.1fus p99=%8.1fus p999=%8.1fus%s%n",
        what, writers, r.perSecond(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
        h.getValueAtPercentile(99.9) / 1e3,
        rawPerSecond < 0 ? "" : String.format(Locale.ROOT, " eventsPerSync=%.1f vsRawFsync=%.1fx", r.eventsPerSync(),
            r.perSecond() / rawPerSecond));
  }
}
