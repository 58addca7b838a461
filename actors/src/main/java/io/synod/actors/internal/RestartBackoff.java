package io.synod.actors.internal;

import io.synod.actors.SynodSettings;
import java.util.random.RandomGenerator;

/**
 * When a group's roles on one node start again after a failure (README, "Group restarts"): an
 * exponential back-off from {@code min-backoff} to {@code max-backoff}, each delay stretched at
 * random by up to {@code random-factor}, that starts over once the roles have run for {@code
 * max-backoff} without failing. It also keeps what the group's status shows: how often the roles
 * were restarted, the last failure, and when the next start is due. The coordinator passes the
 * time in (nanoseconds of one clock) and the randomness is injected, so it can be tested alone.
 */
final class RestartBackoff {

  private final long minNanos;
  private final long maxNanos;
  private final double randomFactor;
  private final RandomGenerator random;

  /** Failures since the roles last ran for {@link #maxNanos}: the exponent of the next delay. */
  private int failuresInARow;
  private int restarts;
  private String lastFailure;
  private long startedAt;
  private boolean down;
  private long dueAt;

  /** The roles first started at {@code now}. */
  RestartBackoff(SynodSettings.RestartSettings settings, RandomGenerator random, long now) {
    this.minNanos = settings.minBackoff().toNanos();
    this.maxNanos = settings.maxBackoff().toNanos();
    this.randomFactor = settings.randomFactor();
    this.random = random;
    this.startedAt = now;
  }

  /**
   * The roles failed at {@code now}, as {@code failure} says: returns how long (nanoseconds) they
   * stay down before they start again.
   */
  long failed(long now, String failure) {
    if (now - startedAt >= maxNanos) {
      failuresInARow = 0; // they ran long enough: this failure is not part of an earlier series
    }
    long base = minNanos;
    for (int i = 0; i < failuresInARow && base < maxNanos; i++) {
      base = base > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : base * 2;
    }
    base = Math.min(base, maxNanos);
    long delay = base + (long) (base * randomFactor * random.nextDouble());
    failuresInARow++;
    lastFailure = failure;
    down = true;
    dueAt = now + delay;
    return delay;
  }

  /** The roles started again at {@code now}. */
  void restarted(long now) {
    restarts++;
    startedAt = now;
    down = false;
  }

  /** How often the roles were started again after a failure. */
  int restarts() {
    return restarts;
  }

  /** The last failure that stopped the roles, or null if none did. */
  String lastFailure() {
    return lastFailure;
  }

  /** Failures since the roles last ran for {@code max-backoff} without failing. */
  int failuresInARow() {
    return failuresInARow;
  }

  /** -1 while the roles run; while they are down, the milliseconds until they start again (0 once due). */
  long restartInMillis(long now) {
    return down ? Math.max(0, (dueAt - now) / 1_000_000) : -1;
  }

  /** While the roles are down, the nanoseconds until they start again (0 once due). */
  long nanosUntilDue(long now) {
    return Math.max(0, dueAt - now);
  }
}
