package io.synod.actors.internal;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Turns a monotonic clock into the core's ticks. A timer asks for the ticks that are due; when the
 * JVM was paused (a long GC, SIGSTOP) or the timer ran late, the missed ticks are all due at once,
 * so a leader's lease runs out on time rather than being stretched by the pause. At most {@code
 * cap} ticks are handed out at once: enough for every lease and election timer to expire, without
 * replaying hours of heartbeats after a long stop.
 */
final class TickClock {

  private final long tickNanos;
  private final int cap;
  private final LongSupplier nanoTime;
  private final long origin;
  private long delivered;

  TickClock(Duration tick, int cap, LongSupplier nanoTime) {
    if (tick.isZero() || tick.isNegative() || cap < 1) {
      throw new IllegalArgumentException("tick must be positive and cap >= 1, got " + tick + " and " + cap);
    }
    this.tickNanos = tick.toNanos();
    this.cap = cap;
    this.nanoTime = nanoTime;
    this.origin = nanoTime.getAsLong();
  }

  /** The ticks that came due since the last call (at most {@code cap}); 0 if none. */
  int due() {
    long elapsed = (nanoTime.getAsLong() - origin) / tickNanos;
    long missed = elapsed - delivered;
    if (missed <= 0) {
      return 0;
    }
    delivered = elapsed;
    return (int) Math.min(missed, cap);
  }

  /**
   * How long from now until {@code ticks} more ticks than were handed over so far have come due (0
   * if they have already).
   */
  long nanosUntil(long ticks) {
    return Math.max(0, origin + (delivered + ticks) * tickNanos - nanoTime.getAsLong());
  }

  /** The cap a group's roles need: every lease and election deadline passes within it. */
  static int capFor(io.synod.paxos.GroupConfig config) {
    io.synod.paxos.Tuning t = config.tuning();
    return 2 * Math.max(t.leaseTicks(), t.electionTimeoutTicks() + t.electionJitterTicks());
  }
}
