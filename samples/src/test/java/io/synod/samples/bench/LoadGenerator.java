package io.synod.samples.bench;

import io.synod.actors.GroupClient;
import io.synod.bootstrap.RunningNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Load on one node, measured where a client sees it: {@code clients} clients, client {@code i}
 * proposing to group {@code bench-(i mod groups)}; this node runs the clients of the groups it is
 * given (the driver gives each node the groups it leads, so that no command takes an extra hop,
 * and the others run the rest). Each client is its own {@link GroupClient} (its own exactly-once
 * session).
 *
 * <ul>
 *   <li>Closed loop ({@code rate} 0): each client proposes its next command when the last is
 *       answered; latency is from {@code propose} to the answer.
 *   <li>Open loop: commands go out on a fixed schedule, {@code rate} a second across all nodes
 *       (this node's share by its clients), whatever is still unanswered; latency is from the time
 *       the schedule gave the command, so a stall counts for every command it delays (no
 *       coordinated omission).
 * </ul>
 *
 * Only commands answered inside the measured window (after the warm-up) count, in ops and latency.
 */
final class LoadGenerator {

  /** @param mine the groups (by number) whose clients this node runs */
  record Spec(int groups, int clients, int valueBytes, double warmupSeconds, double seconds, double rate,
      Set<Integer> mine) {
    Spec {
      if (groups < 1 || clients < 0 || valueBytes < 1 || warmupSeconds < 0 || seconds <= 0 || rate < 0) {
        throw new IllegalArgumentException("bad load: " + this);
      }
      mine = Set.copyOf(mine);
    }
  }

  /** This node's part: its clients, the commands answered and failed in the window, their latencies (ns). */
  record Outcome(int clients, long ops, long errors, double seconds, Histogram latency) {}

  private final RunningNode node;
  /** Clients by group, kept across runs: each is a session with an actor of its own. */
  private final BenchClients pool;

  LoadGenerator(RunningNode node) {
    this.node = node;
    this.pool = new BenchClients(node);
  }

  static String group(int i) {
    return "bench-" + i;
  }

  Outcome run(Spec spec) throws Exception {
    List<GroupClient<byte[], byte[]>> mine = new ArrayList<>();
    for (int i = 0; i < spec.clients(); i++) {
      if (spec.mine().contains(i % spec.groups())) {
        mine.add(pool.get(group(i % spec.groups()), i / spec.groups()));
      }
    }
    byte[] value = new byte[spec.valueBytes()];
    new SplittableRandom(spec.valueBytes()).nextBytes(value);
    ConcurrentHistogram latency = new ConcurrentHistogram(3);
    AtomicLong ops = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    if (mine.isEmpty()) {
      return new Outcome(0, 0, 0, spec.seconds(), latency);
    }
    long from = System.nanoTime() + (long) (spec.warmupSeconds() * 1e9);
    long until = from + (long) (spec.seconds() * 1e9);
    AtomicInteger outstanding = new AtomicInteger();
    CountDownLatch drained = new CountDownLatch(1);
    Runnable done = () -> {
      if (outstanding.decrementAndGet() == 0 && System.nanoTime() >= until) {
        drained.countDown();
      }
    };
    if (spec.rate() == 0) {
      for (GroupClient<byte[], byte[]> c : mine) {
        outstanding.incrementAndGet();
        closedLoop(c, value, from, until, latency, ops, errors, done);
      }
    } else {
      double share = spec.rate() * mine.size() / spec.clients();
      long interval = Math.max(1, (long) (1e9 / share));
      long start = System.nanoTime();
      for (long k = 0; ; k++) {
        long intended = start + k * interval;
        if (intended >= until) {
          break;
        }
        long wait = intended - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        outstanding.incrementAndGet();
        mine.get((int) (k % mine.size())).propose(value).whenComplete((r, t) -> {
          record(intended, System.nanoTime(), t, from, until, latency, ops, errors);
          done.run();
        });
      }
    }
    if (outstanding.get() > 0 || System.nanoTime() < until) {
      // The last commands get the client's request timeout to be answered (or fail).
      long left = until - System.nanoTime() + node.config().settings().client().requestTimeout().toNanos()
          + TimeUnit.SECONDS.toNanos(2);
      drained.await(Math.max(0, left), TimeUnit.NANOSECONDS);
    }
    return new Outcome(mine.size(), ops.get(), errors.get(), spec.seconds(), latency);
  }

  private static void closedLoop(GroupClient<byte[], byte[]> c, byte[] value, long from, long until,
      ConcurrentHistogram latency, AtomicLong ops, AtomicLong errors, Runnable done) {
    long sent = System.nanoTime();
    c.propose(value).whenComplete((r, t) -> {
      long now = System.nanoTime();
      record(sent, now, t, from, until, latency, ops, errors);
      if (now < until) {
        closedLoop(c, value, from, until, latency, ops, errors, done);
      } else {
        done.run();
      }
    });
  }

  private static void record(long start, long end, Throwable failure, long from, long until,
      ConcurrentHistogram latency, AtomicLong ops, AtomicLong errors) {
    if (end < from || end > until) {
      return; // warm-up, or after the window
    }
    if (failure != null) {
      errors.incrementAndGet();
    } else {
      ops.incrementAndGet();
      latency.recordValue(Math.max(0, end - start));
    }
  }
}
