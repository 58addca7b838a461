package io.synod.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.synod.persistence.JournalRecord.StoredEvent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal under the disk faults that threaten its promises: power loss (unsynced bytes thrown
 * away, a torn remainder, rounds across cycle-file rolls and compactions), a bit flip in an
 * acknowledged record, a failed fsync under concurrent writers, a full file system, and a stalled
 * disk. Prints {@code DISK-FAULT-SUMMARY} once all have run. {@code -Dsynod.powerloss.cycles=N}
 * and {@code -Dsynod.powerloss.seed=S} set the power-loss run (200 cycles by default; the seed is
 * printed with the command that replays it).
 */
class DiskFaultTest {

  static final int DEFAULT_POWER_LOSSES = 200;
  /** A small Chronicle block: the power-loss disk copies whole files at every force. */
  private static final int SMALL_BLOCK = 256 << 10;

  private static final AtomicLong powerLosses = new AtomicLong();
  private static final AtomicLong fsyncFailures = new AtomicLong();
  private static final AtomicLong enospc = new AtomicLong();
  private static final AtomicLong stalls = new AtomicLong();
  private static final AtomicLong acknowledged = new AtomicLong();
  private static final AtomicLong lost = new AtomicLong();
  private static final AtomicLong refusedStarts = new AtomicLong();

  @TempDir Path dir;

  @AfterAll
  static void summary() {
    System.out.println("DISK-FAULT-SUMMARY power_losses=" + powerLosses + " fsync_failures=" + fsyncFailures
        + " enospc=" + enospc + " stalls=" + stalls + " acknowledged=" + acknowledged + " lost=" + lost
        + " refused_starts=" + refusedStarts);
  }

  private JournalSettings settings(Path d) {
    return new JournalSettings(d, true, 4096, 16 << 20, Duration.ZERO, RollCycles.FAST_HOURLY);
  }

  // ---- power loss ----

  /** What the test knows of one persistence id: acknowledged through, deleted through. */
  private static final class Pid {
    final String name;
    volatile long acked;
    volatile long deletedAcked;
    long next;

    Pid(String name) {
      this.name = name;
    }
  }

  /** An acknowledged write, and the number of completed rounds when it was acknowledged. */
  private record Ack(String pid, long from, long to, long roundAtAck) {}

  @Test
  void everyAcknowledgedEventSurvivesPowerLossAndDamageToOneRefusesTheStart() throws Exception {
    int cycles = intProperty("synod.powerloss.cycles", DEFAULT_POWER_LOSSES);
    long seed = longProperty("synod.powerloss.seed", System.nanoTime() & 0xffffffL);
    System.out.println("power-loss seed " + seed + "; replay: mvn -B -pl persistence test -Dtest=DiskFaultTest"
        + " -Dsynod.powerloss.seed=" + seed + " -Dsynod.powerloss.cycles=" + cycles);
    powerLosses(settings(dir), cycles, seed);
    System.out.println("power losses during a force: " + duringForce + " of " + cycles);
    assertTrue(duringForce > cycles / 2, "most power losses must cut a force short: " + duringForce);
  }

  /** The checker is itself tested: a journal that acknowledges without forcing (fsync off) loses writes it acknowledged. */
  @Test
  void thePowerLossCheckerCatchesAJournalThatAcknowledgesWithoutForcing() {
    brokenVariant = true;
    AssertionError caught = assertThrows(AssertionError.class,
        () -> powerLosses(settings(dir).withFsync(false), 30, 42));
    assertTrue(caught.getMessage().contains("acknowledged"), caught.getMessage());
  }

  /** Whether this test runs a deliberately broken journal: then it counts nothing in the summary. */
  private boolean brokenVariant;

  private void powerLosses(JournalSettings settings, int cycles, long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    PowerLossDisk[] disk = {new PowerLossDisk(dir).install()};
    SetTimeProvider time = new SetTimeProvider(1_700_000_000_000L);
    List<Pid> pids = new ArrayList<>();
    for (int p = 0; p < 12; p++) {
      pids.add(new Pid("pl-" + p));
    }
    try {
      for (int cycle = 1; cycle <= cycles; cycle++) {
        JournalStore store = openChecking(settings, cycle, seed, time, pids);
        List<Ack> acks = java.util.Collections.synchronizedList(new ArrayList<>());
        writeUntilPowerFails(store, settings.fsync() ? disk[0] : null, random, time, pids, acks);
        store.crash();
        String kept = disk[0].powerLoss(random);
        if (disk[0].wasCut()) {
          duringForce++;
        }
        disk[0].uninstall();
        disk[0] = new PowerLossDisk(dir).install();
        count(powerLosses, 1);
        if (cycle % 10 == 0) {
          flipAnAcknowledgedRecordAndExpectARefusal(settings, cycle, seed, time, random, acks, kept);
        }
      }
      JournalStore last = openChecking(settings, cycles + 1, seed, time, pids);
      last.release();
    } finally {
      disk[0].uninstall();
    }
  }

  private void count(AtomicLong counter, long n) {
    if (!brokenVariant) {
      counter.addAndGet(n);
    }
  }

  private int duringForce;

  /** Opens the journal, which must not refuse, and checks every acknowledged event is there. */
  private JournalStore openChecking(JournalSettings settings, int cycle, long seed, SetTimeProvider time,
      List<Pid> pids) {
    JournalStore store;
    try {
      store = JournalStore.acquire(settings, time, SMALL_BLOCK);
    } catch (RuntimeException e) {
      throw new AssertionError("cycle " + cycle + " (seed " + seed + "): the journal refused to start after a power"
          + " loss that damaged nothing acknowledged: " + e, e);
    }
    for (Pid p : pids) {
      long deleted = store.deletedTo(p.name);
      if (deleted < p.deletedAcked) {
        store.release();
        fail("cycle " + cycle + " (seed " + seed + "): " + p.name + " was deleted through " + p.deletedAcked
            + " (acknowledged) but the journal says " + deleted);
      }
      List<String> events = JournalStoreTest.replay(store, p.name, deleted + 1, Long.MAX_VALUE, Long.MAX_VALUE);
      long highest = store.highestSequenceNr(p.name);
      long writeEnd = deleted;
      for (int i = 0; i < events.size(); i++) {
        long seq = deleted + 1 + i;
        String prefix = p.name + "#" + seq + "@";
        if (!events.get(i).startsWith(prefix)) {
          store.release();
          fail("cycle " + cycle + " (seed " + seed + "): " + p.name + " event " + seq + " is '" + head(events.get(i))
              + "' (replay must be in order, exactly once, without gaps)");
        }
        String range = events.get(i).substring(prefix.length(), events.get(i).indexOf('|'));
        writeEnd = Long.parseLong(range.substring(range.indexOf('-') + 1));
      }
      long recovered = deleted + events.size();
      if (recovered < p.acked) {
        count(lost, p.acked - recovered);
        store.release();
        fail("cycle " + cycle + " (seed " + seed + "): " + p.name + " recovers through " + recovered + " but "
            + p.acked + " were acknowledged");
      }
      assertEquals(writeEnd, recovered, "cycle " + cycle + " (seed " + seed + "): " + p.name
          + " recovers part of an atomic write");
      assertEquals(recovered, highest, "cycle " + cycle + ": " + p.name + " highest sequence number");
      p.acked = recovered; // what recovery kept is durable now (it forced it)
      p.deletedAcked = deleted;
      p.next = recovered + 1;
    }
    return store;
  }

  private static String head(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  /**
   * Writes from three threads (each owning a third of the ids, 1 to 3 events a write, payloads of
   * up to 1.2 KB, now and then a deletion and an hour's roll) until a random number of writes were
   * acknowledged, then stops the writers at once: the power fails with writes in flight.
   */
  /** {@code disk}: where to cut the power during a force; null: a journal that never forces. */
  private void writeUntilPowerFails(JournalStore store, PowerLossDisk disk, SplittableRandom random,
      SetTimeProvider time, List<Pid> pids, List<Ack> acks) throws InterruptedException {
    int ackTarget = 1 + random.nextInt(random.nextInt(8) == 0 ? 600 : 120);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ackCount = new AtomicLong();
    List<Thread> writers = new ArrayList<>();
    int threads = 3;
    for (int t = 0; t < threads; t++) {
      List<Pid> mine = new ArrayList<>();
      for (int i = t; i < pids.size(); i += threads) {
        mine.add(pids.get(i));
      }
      SplittableRandom r = random.split();
      Thread w = new Thread(() -> writeLoop(store, mine, r, stop, acks, ackCount), "power-loss-writer-" + t);
      writers.add(w);
      w.start();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    boolean rolled = false;
    while (ackCount.get() < ackTarget && System.nanoTime() < deadline) {
      if (!rolled && ackCount.get() >= ackTarget / 2 && random.nextInt(3) == 0) {
        time.advanceMillis(TimeUnit.HOURS.toMillis(1)); // the next round rolls to a new cycle file
        rolled = true;
      }
      Thread.onSpinWait();
    }
    if (random.nextInt(5) != 0 && disk != null) {
      // Mostly the power fails during a force, with a round appended and not yet durable; else
      // wherever the writer is (often idle, all forced).
      disk.cutDuringForce(random.nextInt(4));
      disk.awaitCut(5_000);
    }
    stop.set(true);
    for (Thread w : writers) {
      w.join(30_000);
    }
  }

  private void writeLoop(JournalStore store, List<Pid> mine, SplittableRandom random, AtomicBoolean stop,
      List<Ack> acks, AtomicLong ackCount) {
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(32);
    while (!stop.get()) {
      Pid p = mine.get(random.nextInt(mine.size()));
      if (random.nextInt(40) == 0 && p.acked > p.deletedAcked) {
        long to = p.deletedAcked + 1 + random.nextLong(p.acked - p.deletedAcked);
        store.deleteTo(p.name, to).whenComplete((position, error) -> {
          if (error == null) {
            p.deletedAcked = Math.max(p.deletedAcked, to);
          }
        });
        continue;
      }
      int count = 1 + random.nextInt(3);
      long from = p.next;
      long to = from + count - 1;
      p.next = to + 1;
      List<StoredEvent> events = new ArrayList<>(count);
      for (long seq = from; seq <= to; seq++) {
        String body = p.name + "#" + seq + "@" + from + "-" + to + "|" + "x".repeat(random.nextInt(1_200));
        events.add(new StoredEvent(seq, "", "power-loss", seq, 4, "", body.getBytes(StandardCharsets.UTF_8)));
      }
      try {
        inFlight.acquire();
      } catch (InterruptedException e) {
        return;
      }
      // Completed on the writer thread in write order, so acknowledgements of one id come in order.
      store.writeEvents(p.name, events).whenComplete((position, error) -> {
        inFlight.release();
        if (error == null) {
          p.acked = to;
          acks.add(new Ack(p.name, from, to, store.roundsWritten()));
          ackCount.incrementAndGet();
          count(acknowledged, to - from + 1);
        }
      });
    }
  }

  /**
   * Flips one byte of an acknowledged event that a later acknowledged round proves durable: the
   * start must be refused, naming the file; with the byte restored, it must succeed.
   */
  private void flipAnAcknowledgedRecordAndExpectARefusal(JournalSettings settings, int cycle, long seed,
      SetTimeProvider time,
      SplittableRandom random, List<Ack> acks, String kept) throws IOException {
    long lastRound = acks.stream().mapToLong(Ack::roundAtAck).max().orElse(-1);
    List<Ack> proven = acks.stream().filter(a -> a.roundAtAck() < lastRound).toList();
    // An event deleted since may be gone from the files: try the most recent first.
    for (int i = proven.size() - 1; i >= 0; i--) {
      Ack a = proven.get(i);
      byte[] marker = (a.pid() + "#" + a.to() + "@" + a.from() + "-" + a.to() + "|").getBytes(StandardCharsets.UTF_8);
      Flip flip = flip(marker);
      if (flip == null) {
        continue;
      }
      try {
        JournalCorruptedException e = assertThrows(JournalCorruptedException.class,
            () -> JournalStore.acquire(settings, time, SMALL_BLOCK).release(),
            "cycle " + cycle + " (seed " + seed + "): a flipped byte in acknowledged " + a + " must refuse the start;"
                + " power loss kept: " + kept);
        assertTrue(e.getMessage().contains(flip.file().getFileName().toString()), e.getMessage());
        count(refusedStarts, 1);
      } finally {
        flip.undo();
      }
      return;
    }
  }

  private record Flip(Path file, long offset, byte original) {
    void undo() throws IOException {
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.seek(offset);
        raf.write(original);
      }
    }
  }

  /** Flips a byte just after the first occurrence of {@code marker} in a cycle file; null if none holds it. */
  private Flip flip(byte[] marker) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".cq4")).sorted().toList()) {
        byte[] content = Files.readAllBytes(p);
        int at = indexOf(content, marker);
        if (at >= 0) {
          long offset = at + marker.length - 2;
          byte original = content[(int) offset];
          try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(original ^ 0x10);
          }
          return new Flip(p, offset, original);
        }
      }
    }
    return null;
  }

  private static int indexOf(byte[] content, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= content.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (content[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  // ---- a failed fsync ----

  @Test
  void aFailedFsyncStopsTheJournalAndNothingQueuedWithItIsEverAcknowledged() throws Exception {
    JournalStore store = JournalStore.acquire(settings(dir));
    int threads = 8;
    AtomicLong completions = new AtomicLong();
    AtomicLong firstFailure = new AtomicLong(Long.MAX_VALUE);
    AtomicLong lastSuccess = new AtomicLong(-1);
    Map<String, Long> acked = new ConcurrentHashMap<>();
    List<CompletableFuture<Long>> all = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong acks = new AtomicLong();
    java.util.concurrent.CountDownLatch fiveHundredAcks = new java.util.concurrent.CountDownLatch(500);
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String pid = "fsync-" + t;
      Thread w = new Thread(() -> {
        long seq = 1;
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(16);
        while (!stop.get()) {
          long s = seq++;
          inFlight.acquireUninterruptibly();
          CompletableFuture<Long> f = store.writeEvents(pid, List.of(JournalStoreTest.event(s, pid + "#" + s)));
          all.add(f);
          f.whenComplete((position, error) -> {
            inFlight.release();
            long order = completions.incrementAndGet();
            if (error == null) {
              lastSuccess.accumulateAndGet(order, Math::max);
              acked.merge(pid, s, Math::max);
              acks.incrementAndGet();
              fiveHundredAcks.countDown();
            } else {
              firstFailure.accumulateAndGet(order, Math::min);
              failures.add(error);
            }
          });
        }
      }, "fsync-writer-" + t);
      writers.add(w);
      w.start();
    }
    assertTrue(fiveHundredAcks.await(30, TimeUnit.SECONDS), "500 writes acknowledged before the fault, saw " + acks);
    DiskFaults.failNextForce(dir, "EIO");
    try {
      assertTrue(store.whenFailed().get(30, TimeUnit.SECONDS) instanceof JournalFailedException);
      fsyncFailures.incrementAndGet();
      stop.set(true);
      for (Thread w : writers) {
        w.join(30_000);
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((x, e) -> null).get(30, TimeUnit.SECONDS);
    } finally {
      DiskSync.OVERRIDES.remove(DiskFaults.key(dir)); // the real disk back; the failure stays remembered
    }
    assertTrue(lastSuccess.get() < firstFailure.get(), "a write was acknowledged (completion " + lastSuccess
        + ") after the first failure (completion " + firstFailure + ")");
    assertTrue(store.awaitWriterEnd(30_000), "the writer thread must end after a failure");
    assertTrue(!failures.isEmpty(), "the writes in flight must fail");
    for (Throwable f : failures) {
      JournalFailedException e = assertInstanceOf(JournalFailedException.class,
          f instanceof CompletionException && f.getCause() != null ? f.getCause() : f);
      assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains(".cq4")
          && e.getMessage().contains("EIO"), e.getMessage());
    }
    CompletionException later = assertThrows(CompletionException.class,
        () -> store.writeEvents("fsync-0", List.of(JournalStoreTest.event(1_000_000, "late"))).join());
    assertInstanceOf(JournalFailedException.class, later.getCause());
    store.release();
    JournalFailedException reopened = assertThrows(JournalFailedException.class,
        () -> JournalStore.acquire(settings(dir)), "a failed journal must not open again in this process");
    assertTrue(reopened.getMessage().contains("restart the process"), reopened.getMessage());
    DiskFaults.clear(dir); // a new process
    long total = acked.values().stream().mapToLong(Long::longValue).sum();
    acknowledged.addAndGet(total);

    JournalStore again = JournalStore.acquire(settings(dir)); // a restart recovers what is on disk
    try {
      for (Map.Entry<String, Long> e : acked.entrySet()) {
        long recovered = again.highestSequenceNr(e.getKey());
        if (recovered < e.getValue()) {
          lost.addAndGet(e.getValue() - recovered);
        }
        assertTrue(recovered >= e.getValue(), e.getKey() + ": " + e.getValue() + " acknowledged, " + recovered
            + " recovered");
        List<String> events = JournalStoreTest.all(again, e.getKey());
        for (int i = 0; i < events.size(); i++) {
          assertEquals(e.getKey() + "#" + (i + 1), events.get(i));
        }
      }
    } finally {
      again.release();
    }
  }

  // ---- a full file system ----

  @Test
  void aFullFileSystemStopsTheJournalNamingItsDirectoryAndARestartAfterFreeingSpaceRecovers() throws Exception {
    // A tmpfs of a few MiB that the test mounts: CI runs as root on Linux, as this test needs.
    org.junit.jupiter.api.Assumptions.assumeTrue(SmallFileSystem.canMount(), SmallFileSystem.why());
    try (SmallFileSystem fs = SmallFileSystem.mount(dir.resolve("small"), 8 << 20)) {
      Path journal = fs.root().resolve("journal");
      JournalStore store = JournalStore.acquire(settings(journal), null, SMALL_BLOCK);
      Map<String, Long> acked = new ConcurrentHashMap<>();
      Throwable failure = null;
      byte[] filler = "y".repeat(4_000).getBytes(StandardCharsets.UTF_8);
      // Writes one after the other until the disk is full: each waits for the last, so everything
      // acknowledged is known exactly.
      for (long seq = 1; seq < 100_000 && failure == null; seq++) {
        String pid = "full-" + (seq % 4);
        long s = (seq - 1) / 4 + 1;
        try {
          store.writeEvents(pid, List.of(new StoredEvent(s, "", "full", s, 4, "", concat(pid + "#" + s + "|", filler))))
              .get(30, TimeUnit.SECONDS);
          acked.put(pid, s);
        } catch (java.util.concurrent.ExecutionException e) {
          failure = e.getCause();
        }
        if (seq == 100) {
          fs.fillUp(); // what little is left goes to the next writes
        }
      }
      JournalFailedException e = assertInstanceOf(JournalFailedException.class, failure, "the journal must fail-stop");
      assertTrue(e.getMessage().contains(journal.toString()) && e.getMessage().contains("full"), e.getMessage());
      assertTrue(store.awaitWriterEnd(30_000), "the writer thread must end after a failure");
      enospc.incrementAndGet();
      store.crash();
      fs.freeSpace();
      assertInstanceOf(JournalFailedException.class, assertThrows(RuntimeException.class,
          () -> JournalStore.acquire(settings(journal), null, SMALL_BLOCK)), "not again in this process");
      JournalStore.forgetFailure(journal); // a new process
      JournalStore again = JournalStore.acquire(settings(journal), null, SMALL_BLOCK);
      try {
        for (Map.Entry<String, Long> a : acked.entrySet()) {
          long recovered = again.highestSequenceNr(a.getKey());
          if (recovered < a.getValue()) {
            lost.addAndGet(a.getValue() - recovered);
          }
          assertTrue(recovered >= a.getValue(), a.getKey() + ": " + a.getValue() + " acknowledged, " + recovered
              + " recovered");
          acknowledged.addAndGet(a.getValue());
        }
        JournalStoreTest.write(again, "full-0", again.highestSequenceNr("full-0") + 1,
            again.highestSequenceNr("full-0") + 1); // and it takes writes again
      } finally {
        again.release();
      }
    }
  }

  private static byte[] concat(String head, byte[] tail) {
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    byte[] out = java.util.Arrays.copyOf(h, h.length + tail.length);
    System.arraycopy(tail, 0, out, h.length, tail.length);
    return out;
  }

  // ---- a stalled disk ----

  @Test
  void aStalledForceHoldsEveryWriteUntilTheDiskRecoversThenAllAreAcknowledged() throws Exception {
    JournalStore store = JournalStore.acquire(settings(dir));
    try {
      JournalStoreTest.write(store, "stall", 1, 1);
      DiskFaults.Stall stall = DiskFaults.stall(dir);
      List<CompletableFuture<Long>> writes = new ArrayList<>();
      try {
        for (long s = 2; s <= 50; s++) {
          writes.add(store.writeEvents("stall", List.of(JournalStoreTest.event(s, "stall#" + s))));
        }
        assertTrue(stall.awaitStalled(Duration.ofSeconds(30)), "the writer never reached a force");
        assertTrue(writes.stream().noneMatch(CompletableFuture::isDone), "nothing is acknowledged while the disk stalls");
        // The highest sequence number a recovering actor would read waits for the stalled writes.
        CompletableFuture<Long> highest = store.highestSequenceNrAfterWrites("stall");
        assertTrue(!highest.isDone(), "a recovery must wait for the writes in flight");
        stalls.incrementAndGet();
        stall.release();
        assertEquals(50, highest.get(30, TimeUnit.SECONDS));
      } finally {
        stall.release();
      }
      for (CompletableFuture<Long> w : writes) {
        w.get(30, TimeUnit.SECONDS);
      }
      acknowledged.addAndGet(50);
      assertEquals(50, JournalStoreTest.all(store, "stall").size());
    } finally {
      store.release();
    }
  }

  static int intProperty(String name, int fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() || v.startsWith("${") ? fallback : Integer.parseInt(v.trim());
  }

  static long longProperty(String name, long fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() || v.startsWith("${") ? fallback : Long.parseLong(v.trim());
  }
}
