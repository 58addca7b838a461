package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.actors.SynodSettings;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

  private static final long MS = 1_000_000;

  private static SynodSettings.RestartSettings settings(long minMs, long maxMs, double randomFactor) {
    return new SynodSettings.RestartSettings(Duration.ofMillis(minMs), Duration.ofMillis(maxMs), randomFactor);
  }

  /** A generator whose every double is {@code value}. */
  private static RandomGenerator always(double value) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public double nextDouble() {
        return value;
      }
    };
  }

  @Test
  void eachFailureInARowDoublesTheDelayUpToTheMaximum() {
    RestartBackoff b = new RestartBackoff(settings(100, 1000, 0), always(0.5), 0);
    long now = 0;
    long[] expected = {100, 200, 400, 800, 1000, 1000};
    for (long e : expected) {
      now += 10 * MS; // fails soon after each start
      assertEquals(e * MS, b.failed(now, "boom"));
      now += b.nanosUntilDue(now);
      b.restarted(now);
    }
    assertEquals(expected.length, b.restarts());
    assertEquals(expected.length, b.failuresInARow());
  }

  @Test
  void theRandomFactorStretchesADelayByAtMostItsShare() {
    RestartBackoff low = new RestartBackoff(settings(1000, 1000, 0.2), always(0.0), 0);
    RestartBackoff high = new RestartBackoff(settings(1000, 1000, 0.2), always(0.999_999), 0);
    assertEquals(1000 * MS, low.failed(1, "x"));
    long stretched = high.failed(1, "x");
    assertTrue(stretched > 1199 * MS && stretched <= 1200 * MS, "stretched to " + stretched);
    SplittableRandom seeded = new SplittableRandom(7);
    for (int i = 0; i < 1000; i++) {
      long d = new RestartBackoff(settings(500, 500, 0.2), seeded, 0).failed(1, "x");
      assertTrue(d >= 500 * MS && d <= 600 * MS, "delay " + d);
    }
  }

  @Test
  void rolesThatRanForTheMaximumStartTheSeriesAgain() {
    RestartBackoff b = new RestartBackoff(settings(100, 1000, 0), always(0), 0);
    assertEquals(100 * MS, b.failed(5 * MS, "a"));
    b.restarted(105 * MS);
    assertEquals(200 * MS, b.failed(300 * MS, "b"), "failed again after 195 ms: the series goes on");
    b.restarted(500 * MS);
    assertEquals(100 * MS, b.failed(1500 * MS, "c"), "ran 1000 ms (max-backoff) first: a new series");
    assertEquals(1, b.failuresInARow());
  }

  @Test
  void itSaysWhenTheRolesStartAgainAndWhatStoppedThemLast() {
    RestartBackoff b = new RestartBackoff(settings(100, 1000, 0), always(0), 0);
    assertEquals(-1, b.restartInMillis(0), "running");
    assertNull(b.lastFailure());
    b.failed(10 * MS, "its acceptor failed");
    assertEquals(100, b.restartInMillis(10 * MS));
    assertEquals(40, b.restartInMillis(70 * MS));
    assertEquals(0, b.restartInMillis(500 * MS), "due (waiting only for the old roles to stop)");
    b.restarted(500 * MS);
    assertEquals(-1, b.restartInMillis(600 * MS));
    assertEquals("its acceptor failed", b.lastFailure(), "kept while running again");
  }
}
