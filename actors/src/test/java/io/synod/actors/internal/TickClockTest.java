package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TickClockTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final TickClock clock = new TickClock(Duration.ofMillis(10), 50, nanos::get);

  private void advance(long millis) {
    nanos.addAndGet(Duration.ofMillis(millis).toNanos());
  }

  @Test
  void handsOutEachTickOnceAsTimePasses() {
    assertEquals(0, clock.due());
    advance(9);
    assertEquals(0, clock.due(), "not a whole tick yet");
    advance(1);
    assertEquals(1, clock.due());
    assertEquals(0, clock.due(), "a tick is handed out once");
    advance(35);
    assertEquals(3, clock.due(), "the fraction carries over: 45 ms is four ticks in all");
    advance(5);
    assertEquals(1, clock.due());
  }

  @Test
  void aPauseIsCaughtUpInOneBurstUpToTheCap() {
    advance(200);
    assertEquals(20, clock.due(), "a late timer catches up every missed tick");
    advance(60_000);
    assertEquals(50, clock.due(), "a long pause is capped: every timer has expired well within the cap");
    advance(10);
    assertEquals(1, clock.due(), "after a capped burst, ticks resume at the clock's pace");
  }

  @Test
  void theCapCoversLeasesAndElections() {
    io.synod.paxos.GroupConfig c = io.synod.paxos.GroupConfig.builder("g", 0, java.util.List.of(0))
        .tuning(io.synod.paxos.Tuning.DEFAULTS
            .withLeaseTicks(30).withElectionTimeoutTicks(20).withElectionJitterTicks(15))
        .build();
    assertEquals(70, TickClock.capFor(c));
  }
}
