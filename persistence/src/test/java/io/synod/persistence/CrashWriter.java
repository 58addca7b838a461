package io.synod.persistence;

import io.synod.persistence.JournalRecord.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import net.openhft.chronicle.queue.RollCycles;

/**
 * The child process of {@link JournalCrashTest}: writes events for many persistence ids as fast
 * as the journal takes them (several writes in flight per id) and prints {@code ACK pid from to}
 * for every acknowledged atomic write, in order. Prints {@code READY} once writing. Stops by itself
 * after {@code maxMillis}, if nobody kills it first.
 *
 * <p>Arguments: {@code dir pids seed maxMillis}.
 */
public final class CrashWriter {

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int pids = Integer.parseInt(args[1]);
    SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
    long deadline = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000;
    JournalStore store = JournalStore.acquire(
        new JournalSettings(dir, true, 4096, 16 << 20, Duration.ZERO, RollCycles.FAST_HOURLY));
    long[] next = new long[pids];
    for (int p = 0; p < pids; p++) {
      next[p] = store.highestSequenceNr(pid(p)) + 1;
    }
    Semaphore inFlight = new Semaphore(256);
    System.out.println("READY");
    System.out.flush();
    while (System.nanoTime() < deadline) {
      int p = random.nextInt(pids);
      int count = 1 + random.nextInt(3);
      List<StoredEvent> events = new ArrayList<>(count);
      long from = next[p];
      for (int i = 0; i < count; i++) {
        long seq = from + i;
        events.add(new StoredEvent(seq, "", "crash-writer", seq, 4, "", payload(pid(p), seq, from, from + count - 1)));
      }
      next[p] += count;
      inFlight.acquire();
      String line = "ACK " + pid(p) + " " + from + " " + (from + count - 1);
      // Completed on the journal's writer thread in write order, so acks of one id print in order.
      store.writeEvents(pid(p), events).whenComplete((position, error) -> {
        inFlight.release();
        if (error == null) {
          System.out.println(line);
        } else {
          System.out.println("FAILED " + line + " " + error);
          System.exit(2);
        }
      });
    }
    System.out.flush();
    System.exit(0);
  }

  static String pid(int p) {
    return "crash-" + p;
  }

  /** {@code pid#seq@from-to}: the event and the atomic write it belongs to. */
  static byte[] payload(String pid, long seq, long from, long to) {
    return (pid + "#" + seq + "@" + from + "-" + to).getBytes(StandardCharsets.UTF_8);
  }
}
