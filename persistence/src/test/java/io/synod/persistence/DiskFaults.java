package io.synod.persistence;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Disk faults for tests, of this module and of the others (through its test jar): a journal
 * directory's forces fail or stall until released. Installed per journal directory, taking
 * effect at the next force; {@link #clear} (or closing what was returned) puts the real disk back.
 */
public final class DiskFaults {

  private DiskFaults() {}

  /** Every force in {@code journalDir} waits until the returned stall is released (or closed). */
  public static Stall stall(Path journalDir) {
    Stall stall = new Stall(key(journalDir));
    stall.sync = (file, channel) -> {
      stall.stalled.incrementAndGet();
      stall.firstStalled.countDown();
      try {
        if (!stall.released.await(10, TimeUnit.MINUTES)) {
          throw new IOException("test stall of " + file + " was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while stalled", e);
      }
      channel.force(true);
    };
    DiskSync.OVERRIDES.put(stall.dir, stall.sync);
    return stall;
  }

  /**
   * The next force in {@code journalDir} throws an {@link IOException} with {@code message} (as
   * an fsync that reports EIO would), once; later forces succeed, as Linux's do after an EIO.
   */
  public static void failNextForce(Path journalDir, String message) {
    Path dir = key(journalDir);
    AtomicInteger calls = new AtomicInteger();
    DiskSync.OVERRIDES.put(dir, (file, channel) -> {
      if (calls.getAndIncrement() == 0) {
        throw new IOException(message + " (injected, forcing " + file + ")");
      }
      channel.force(true);
    });
  }

  /**
   * Puts the real disk back for {@code journalDir}, and forgets that its journal failed, as a new
   * process would: the next open recovers from what is on disk.
   */
  public static void clear(Path journalDir) {
    DiskSync.OVERRIDES.remove(key(journalDir));
    JournalStore.forgetFailure(journalDir);
  }

  static Path key(Path journalDir) {
    return journalDir.toAbsolutePath().normalize();
  }

  /** A stall in progress: {@link #release} lets every waiting and later force through. */
  public static final class Stall implements AutoCloseable {
    final Path dir;
    final CountDownLatch released = new CountDownLatch(1);
    final AtomicInteger stalled = new AtomicInteger();
    final CountDownLatch firstStalled = new CountDownLatch(1);
    DiskSync sync;

    Stall(Path dir) {
      this.dir = dir;
    }

    /** How many forces have begun waiting on this stall so far. */
    public int stalledForces() {
      return stalled.get();
    }

    /** Waits until a force is stalled; false if none was within {@code timeout}. */
    public boolean awaitStalled(java.time.Duration timeout) throws InterruptedException {
      return firstStalled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets every stalled and later force through (a fault installed since stays installed). */
    public void release() {
      DiskSync.OVERRIDES.remove(dir, sync);
      released.countDown();
    }

    @Override
    public void close() {
      release();
    }
  }
}
