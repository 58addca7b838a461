package io.synod.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability under kill -9: a child JVM ({@link CrashWriter}) writes events for many persistence
 * ids and prints each acknowledgement; the test kills it with {@code destroyForcibly} at a random
 * moment, reopens the journal and checks that every acknowledged event replays, in order, exactly
 * once, and that recovery never refuses to start. {@value #DEFAULT_CYCLES} cycles by default;
 * {@code -Dsynod.crash.cycles=N} runs more. One seed ({@code -Dsynod.crash.seed}) decides the
 * kill moments and the writes.
 */
class JournalCrashTest {

  static final int DEFAULT_CYCLES = 20;
  private static final int PIDS = 40;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedEventSurvivesKillMinusNine() throws Exception {
    int cycles = intProperty("synod.crash.cycles", DEFAULT_CYCLES);
    long seed = intProperty("synod.crash.seed", 7);
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Long> acked = new ConcurrentHashMap<>();
    long totalAcks = 0;
    List<Long> startMillis = new ArrayList<>();
    long replayed = 0;
    for (int cycle = 1; cycle <= cycles; cycle++) {
      Process child = start(random.nextLong());
      try {
        CountDownLatch ready = new CountDownLatch(1);
        long[] acksThisCycle = {0};
        List<String> problems = new ArrayList<>();
        Thread reader = new Thread(() -> readAcks(child, ready, acked, acksThisCycle, problems), "crash-child-reader");
        reader.start();
        long startedAt = System.nanoTime();
        if (!ready.await(60, TimeUnit.SECONDS)) {
          child.destroyForcibly();
          reader.join(10_000);
          fail("child did not start writing within 60 s (cycle " + cycle + ", alive " + child.isAlive() + "); it said: "
              + problems);
        }
        startMillis.add((System.nanoTime() - startedAt) / 1_000_000);
        if (cycle == 1) {
          IllegalStateException e = assertThrows(IllegalStateException.class, () -> JournalStore.acquire(settings()));
          assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
        }
        long waitMillis = 100 + random.nextInt(1_400);
        assertTrue(!child.waitFor(waitMillis, TimeUnit.MILLISECONDS), "child ended before it was killed");
        child.destroyForcibly(); // SIGKILL
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "killed child did not go away");
        reader.join(30_000);
        assertEquals(List.of(), problems, "child reported problems in cycle " + cycle);
        totalAcks += acksThisCycle[0];
      } finally {
        child.destroyForcibly();
      }
      JournalStore store = JournalStore.acquire(settings()); // must never refuse after a plain kill
      try {
        for (int p = 0; p < PIDS; p++) {
          String pid = CrashWriter.pid(p);
          List<String> events = JournalStoreTest.all(store, pid);
          long mustHave = acked.getOrDefault(pid, 0L);
          assertTrue(events.size() >= mustHave, "cycle " + cycle + ": " + pid + " replays " + events.size()
              + " events but " + mustHave + " were acknowledged");
          long writeEnd = 0;
          for (int i = 0; i < events.size(); i++) {
            String e = events.get(i);
            String prefix = pid + "#" + (i + 1) + "@";
            if (!e.startsWith(prefix)) {
              fail("cycle " + cycle + ": " + pid + " event " + (i + 1) + " is '" + e
                  + "' (replay must be in order, exactly once, without gaps)");
            }
            writeEnd = Long.parseLong(e.substring(e.indexOf('-', prefix.length()) + 1));
          }
          assertEquals(writeEnd, events.size(), "cycle " + cycle + ": " + pid
              + " replays part of an atomic write: it ends inside a write that ends at " + writeEnd);
          assertEquals(events.size(), store.highestSequenceNr(pid), pid + ": highest sequence number");
          acked.put(pid, (long) events.size()); // written but unacknowledged events are now durable too
          replayed += events.size();
        }
      } finally {
        store.release();
      }
    }
    System.out.println("CRASH-STARTS millis until the child wrote: " + startMillis);
    System.out.println("CRASH-SUMMARY cycles=" + cycles + " acknowledged=" + totalAcks + " eventsReplayedLastCycle="
        + acked.values().stream().mapToLong(Long::longValue).sum() + " eventsCheckedInAllCycles=" + replayed);
    assertTrue(totalAcks > 0, "the child never acknowledged a write: the test tested nothing");
  }

  private JournalSettings settings() {
    return new JournalSettings(dir, true, 4096, 16 << 20, Duration.ZERO, RollCycles.FAST_HOURLY);
  }

  private Process start(long seed) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String flags = System.getProperty("synod.jvm.flags", "");
    for (String f : flags.split("\\s+")) {
      if (!f.isBlank() && !f.startsWith("${")) {
        cmd.add(f);
      }
    }
    cmd.add("-Xmx256m");
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CrashWriter.class.getName());
    cmd.add(dir.toString());
    cmd.add(String.valueOf(PIDS));
    cmd.add(String.valueOf(seed));
    cmd.add("60000"); // stops by itself after a minute if never killed
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  private static void readAcks(Process child, CountDownLatch ready, Map<String, Long> acked, long[] count,
      List<String> problems) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals("READY")) {
          ready.countDown();
        } else if (line.startsWith("ACK ")) {
          String[] f = line.split(" ");
          long from = Long.parseLong(f[2]);
          long to = Long.parseLong(f[3]);
          long before = acked.getOrDefault(f[1], 0L);
          if (from != before + 1) {
            problems.add("acknowledgements of " + f[1] + " out of order: " + line + " after " + before);
          }
          acked.put(f[1], to);
          count[0]++;
        } else if (!line.isBlank()) {
          problems.add(line); // the child prints nothing else unless something is wrong
        }
      }
    } catch (IOException e) {
      // the pipe breaks when the child is killed: that is the point
    }
  }

  private static int intProperty(String name, int fallback) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank() || v.startsWith("${")) {
      return fallback;
    }
    return Integer.parseInt(v.trim());
  }
}
