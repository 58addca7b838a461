package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The protocol's limits and timeouts: every bound and cross-check refused, naming what is at fault. */
class TuningTest {

  /** Each component's copy method, by the component's name (an int component's given a long that fits). */
  private static final Map<String, BiFunction<Tuning, Long, Tuning>> WITH = new LinkedHashMap<>();

  private static BiFunction<Tuning, Long, Tuning> ints(BiFunction<Tuning, Integer, Tuning> with) {
    return (t, v) -> with.apply(t, Math.toIntExact(v));
  }

  static {
    WITH.put("window", ints(Tuning::withWindow));
    WITH.put("maxBatchCommands", ints(Tuning::withMaxBatchCommands));
    WITH.put("maxBatchBytes", ints(Tuning::withMaxBatchBytes));
    WITH.put("maxPendingCommands", ints(Tuning::withMaxPendingCommands));
    WITH.put("retransmitTicks", ints(Tuning::withRetransmitTicks));
    WITH.put("heartbeatTicks", ints(Tuning::withHeartbeatTicks));
    WITH.put("electionTimeoutTicks", ints(Tuning::withElectionTimeoutTicks));
    WITH.put("electionJitterTicks", ints(Tuning::withElectionJitterTicks));
    WITH.put("prepareTimeoutTicks", ints(Tuning::withPrepareTimeoutTicks));
    WITH.put("leaseTicks", ints(Tuning::withLeaseTicks));
    WITH.put("maxSkewPerMille", ints(Tuning::withMaxSkewPerMille));
    WITH.put("catchUpBatch", ints(Tuning::withCatchUpBatch));
    WITH.put("catchUpRetryTicks", ints(Tuning::withCatchUpRetryTicks));
    WITH.put("sessionWindow", ints(Tuning::withSessionWindow));
    WITH.put("maxForwardHops", ints(Tuning::withMaxForwardHops));
    WITH.put("sessionExpiryMillis", Tuning::withSessionExpiryMillis);
    WITH.put("maxSessions", ints(Tuning::withMaxSessions));
  }

  private static InvalidTuningException refused(Executable build) {
    return assertThrows(InvalidTuningException.class, build);
  }

  private static long component(Tuning t, String name) {
    try {
      return ((Number) Tuning.class.getMethod(name).invoke(t)).longValue();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("no component " + name, e);
    }
  }

  @Test
  void theDefaultsAreValidAndSuitATickOfTenMilliseconds() {
    Tuning d = Tuning.DEFAULTS;
    assertEquals(new Tuning(32, 256, 128 << 10, 10_000, 5, 3, 20, 10, 10, 30, 100, 64, 5, 64, 2, 3_600_000L, 10_000), d);
    assertEquals(23, d.leaderLeaseTicks());
  }

  @Test
  void everyComponentHasACopyThatChangesItAlone() {
    List<String> components = Arrays.stream(Tuning.class.getRecordComponents()).map(RecordComponent::getName).toList();
    assertEquals(components, List.copyOf(WITH.keySet()), "a copy method for every component, in order");
    for (String name : components) {
      long changed = component(Tuning.DEFAULTS, name) + 1;
      Tuning t = WITH.get(name).apply(Tuning.DEFAULTS, changed);
      for (String other : components) {
        long expected = other.equals(name) ? changed : component(Tuning.DEFAULTS, other);
        assertEquals(expected, component(t, other), other + " after with(" + name + ")");
      }
    }
  }

  @Test
  void everyCountAndTimeoutBelowOneIsRefusedNamingItsComponent() {
    for (String name : WITH.keySet()) {
      if (name.equals("maxSkewPerMille")) {
        continue; // zero skew is a valid bound: refused below zero, below
      }
      for (long bad : List.of(0L, -7L)) {
        InvalidTuningException e = refused(() -> WITH.get(name).apply(Tuning.DEFAULTS, bad));
        assertEquals(List.of(name), e.components());
        assertEquals("must be >= 1, got " + bad, e.reason());
        assertEquals(name + " must be >= 1, got " + bad, e.getMessage());
      }
    }
  }

  @Test
  void theSkewBoundIsPerMilleBelowAThousand() {
    for (int bad : List.of(-1, 1000)) {
      InvalidTuningException e = refused(() -> Tuning.DEFAULTS.withMaxSkewPerMille(bad));
      assertEquals(List.of("maxSkewPerMille"), e.components());
      assertEquals("maxSkewPerMille must be in [0, 1000), got " + bad, e.getMessage());
    }
    assertEquals(0, Tuning.DEFAULTS.withMaxSkewPerMille(0).maxSkewPerMille());
    assertEquals(999, Tuning.DEFAULTS.withLeaseTicks(1 << 30).withMaxSkewPerMille(999).maxSkewPerMille());
  }

  @Test
  void aLeaseTooShortToOutliveAHeartbeatIsRefusedNamingLeaseSkewAndHeartbeat() {
    // (4 - 1) * 900 / 1100 = 2 ticks of leader lease, not more than a heartbeat of 3.
    InvalidTuningException e = refused(() -> Tuning.DEFAULTS.withLeaseTicks(4));
    assertEquals(List.of("leaseTicks", "maxSkewPerMille", "heartbeatTicks"), e.components());
    assertEquals("leaseTicks, maxSkewPerMille and heartbeatTicks must leave the leader a lease longer than a"
        + " heartbeat, so that it is renewed before it runs out: a lease of 4 ticks with a skew of 100 per mille"
        + " leaves the leader 2 ticks, not more than a heartbeat of 3", e.getMessage());
    // Without skew a lease of 5 ticks leaves the leader 4: enough against a heartbeat of 3, not of 4.
    Tuning exact = Tuning.DEFAULTS.withMaxSkewPerMille(0).withLeaseTicks(5);
    assertEquals(4, exact.leaderLeaseTicks());
    assertEquals(List.of("leaseTicks", "maxSkewPerMille", "heartbeatTicks"),
        refused(() -> exact.withHeartbeatTicks(4)).components());
    assertEquals(List.of("leaseTicks", "maxSkewPerMille", "heartbeatTicks"),
        refused(() -> Tuning.DEFAULTS.withMaxSkewPerMille(800)).components(), "29 * 200 / 1800 = 3 ticks");
  }

  @Test
  void aRefusalCanBeToldInTheCallersNames() {
    InvalidTuningException one = refused(() -> Tuning.DEFAULTS.withWindow(0));
    assertEquals("the window key must be >= 1, got 0", one.describe(c -> "the " + c + " key"));
    InvalidTuningException three = refused(() -> Tuning.DEFAULTS.withLeaseTicks(2));
    assertTrue(three.describe(String::toUpperCase).startsWith("LEASETICKS, MAXSKEWPERMILLE and HEARTBEATTICKS must"),
        three.describe(String::toUpperCase));
  }

  @Test
  void leaderLeaseIsShorterThanTheAcceptorsPromiseByTheSkewFactor() {
    assertEquals(29, Tuning.DEFAULTS.withMaxSkewPerMille(0).leaderLeaseTicks(), "no skew: leaseTicks - 1");
    assertEquals(60, Tuning.DEFAULTS.withLeaseTicks(101).withMaxSkewPerMille(250).leaderLeaseTicks(), "100 * 750 / 1250");
    assertEquals(5, Tuning.DEFAULTS.withLeaseTicks(11).withMaxSkewPerMille(333).leaderLeaseTicks(),
        "10 * 667 / 1333 = 5.004");
    assertEquals(715_827_882L, Tuning.DEFAULTS.withLeaseTicks(Integer.MAX_VALUE).withMaxSkewPerMille(500).leaderLeaseTicks(),
        "(2^31 - 2) * 500 / 1500 computed without int overflow");
  }
}
