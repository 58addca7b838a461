package io.synod.paxos.sim;

import java.util.PriorityQueue;

/**
 * The simulation's virtual time and its event queue: every future step of a run (a delivery, a
 * tick, a finished write, a fault) is an action scheduled at a virtual time; actions due at the
 * same time run in the order they were scheduled, so a run replays exactly.
 */
final class SimClock {

  private record Scheduled(long time, long order, Runnable action) {}

  private final PriorityQueue<Scheduled> queue =
      new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.order, b.order));
  private long now;
  private long order;

  long now() {
    return now;
  }

  /** Runs {@code action} {@code delay} units from now. */
  void schedule(long delay, Runnable action) {
    at(now + delay, action);
  }

  /** Runs {@code action} at virtual time {@code time}. */
  void at(long time, Runnable action) {
    queue.add(new Scheduled(time, order++, action));
  }

  boolean idle() {
    return queue.isEmpty();
  }

  /** Moves time to the next scheduled action and hands it over, to run once the caller has looked around. */
  Runnable advance() {
    Scheduled s = queue.poll();
    now = s.time;
    return s.action;
  }
}
