package io.synod.persistence;

import io.synod.persistence.JournalRecord.StoredEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

    Result raw = rawFsync(root.resolve("raw-fsync.bin"), seconds, 64);
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
    // The same load without syncing: what the journal's CPU path alone allows on this machine.
    JournalStore unsynced = JournalStore.acquire(
        new JournalSettings(root.resolve("journal-nosync"), false, 4096, 16 << 20, Duration.ZERO, RollCycles.FAST_HOURLY));
    try {
      print("no-fsync", 256, journal(unsynced, 256, seconds), raw.perSecond);
    } finally {
      unsynced.release();
    }
    // A raw fsync after writing as many bytes as one round of the 256-writer run appends.
    Result rawRound = rawFsync(root.resolve("raw-fsync-32k.bin"), seconds, 32 * 1024);
    print("raw-32KiB", 1, rawRound, -1);
    System.out.println("BENCH done: compare events/s with 256 writers against raw fsyncs/s (group commit), and p50 "
        + "with 1 writer against one raw fsync (the journal's own overhead).");
  }

  record Result(double perSecond, Histogram latency, double eventsPerSync) {}

  /** Writes {@code bytes} then forces the file, over and over, as a journal round would. */
  private static Result rawFsync(Path file, double seconds, int bytes) throws IOException {
    Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    ByteBuffer block = ByteBuffer.allocate(bytes);
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
        position = (position + bytes) % (64L << 20);
        ch.force(true);
        h.recordValue(System.nanoTime() - t0);
        count++;
      }
      return new Result(count / ((System.nanoTime() - start) / 1e9), h, 1);
    }
  }

  /**
   * {@code writers} logical writers, each with one write in flight, as persisting actors are: the
   * next write is issued from the previous one's completion, on a pool as large as the machine has
   * cores (a Pekko dispatcher's shape), so no thread is parked per writer.
   */
  private static Result journal(JournalStore store, int writers, double seconds) throws InterruptedException {
    Recorder recorder = new Recorder(3);
    AtomicLong count = new AtomicLong();
    long warmupEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
    long end = warmupEnd + (long) (seconds * 1e9);
    byte[] payload = new byte[100];
    ExecutorService dispatcher = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    CountDownLatch finished = new CountDownLatch(writers);
    long[] roundsAtWarmupEnd = {-1};
    try {
      for (int w = 0; w < writers; w++) {
        String pid = "bench-" + w;
        dispatcher.execute(new Runnable() {
          long seq;

          @Override
          public void run() {
            long t0 = System.nanoTime();
            if (t0 >= end) {
              finished.countDown();
              return;
            }
            store.writeEvents(pid, List.of(new StoredEvent(++seq, "", "bench", t0, 4, "", payload)))
                .whenCompleteAsync((position, error) -> {
                  if (error != null) {
                    error.printStackTrace();
                    finished.countDown();
                    return;
                  }
                  if (t0 >= warmupEnd) {
                    synchronized (roundsAtWarmupEnd) {
                      if (roundsAtWarmupEnd[0] < 0) {
                        roundsAtWarmupEnd[0] = store.roundsWritten();
                      }
                    }
                    recorder.recordValue(System.nanoTime() - t0);
                    count.incrementAndGet();
                  }
                  run();
                }, dispatcher);
          }
        });
      }
      if (!finished.await((long) (seconds + 60), TimeUnit.SECONDS)) {
        throw new IllegalStateException("writers did not finish within the measurement plus 60 s");
      }
    } finally {
      dispatcher.shutdownNow();
    }
    long rounds = store.roundsWritten() - Math.max(roundsAtWarmupEnd[0], 0);
    long total = count.get();
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
