package io.synod.paxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.GroupConfig;
import io.synod.paxos.Reconfiguration;
import io.synod.paxos.Reconfiguration.Effect;
import io.synod.paxos.Reconfiguration.Op;
import io.synod.paxos.Reconfiguration.Reply;
import io.synod.paxos.Reconfiguration.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The deterministic simulation of the correct protocol. By default it runs {@value #DEFAULT_SEEDS}
 * seeds from {@code 1}; {@code -Dsynod.sim.seeds=N} runs more (a soak), {@code
 * -Dsynod.sim.firstSeed=S} moves the window, and {@code -Dsynod.sim.seed=S} replays one seed (add
 * {@code -Dsynod.sim.trace=true} to print its faults).
 *
 * <p>It also proves that the simulation catches a broken shell and broken membership-change
 * workflows, as {@code BrokenVariantsTest} does for broken roles, within the same budget of {@value
 * #BROKEN_SEED_BUDGET} seeds.
 */
class SimulationTest {

  static final int DEFAULT_SEEDS = 1_000;
  static final int BROKEN_SEED_BUDGET = 400;

  /**
   * A shell that fires its tick timer but does not count the ticks a pause swallowed: a leader
   * resuming from a long pause still believes in a lease that ran out while it was stopped.
   */
  static final SimProtocol PAUSE_WITHOUT_TICK_CATCH_UP = new SimProtocol() {
    @Override
    public String name() {
      return "pause-without-tick-catch-up";
    }

    @Override
    public boolean catchesUpTicksAfterPause() {
      return false;
    }
  };

  /**
   * A membership-change workflow that forgets who leads whenever it is asked to remove a node: it
   * submits the removal of the leader at once instead of handing leadership over first.
   */
  static final SimProtocol REMOVES_LEADER_WITHOUT_HANDOVER = new SimProtocol() {
    @Override
    public String name() {
      return "removes-leader-without-handover";
    }

    @Override
    public MembershipWorkflow reconfiguration(GroupConfig config, long clientId, long retryInterval) {
      return new MembershipWorkflow(new Reconfiguration<>(config, clientId, retryInterval)) {
        private int leader = -1;

        @Override
        public List<Effect<Long>> onLeader(int leader) {
          this.leader = leader;
          return super.onLeader(leader);
        }

        @Override
        public List<Effect<Long>> onAsked(Request<Long> r, List<Integer> knownNodes) {
          if (r.op() != Op.REMOVE || underWay()) {
            return super.onAsked(r, knownNodes);
          }
          // Told no leader while it decides; told again after, once the removal is submitted (or
          // refused), neither call has anything to do.
          super.onLeader(-1);
          List<Effect<Long>> effects = super.onAsked(r, knownNodes);
          super.onLeader(leader);
          return effects;
        }
      };
    }
  };

  /** A membership-change workflow that answers a change twice when its deadline passes. */
  static final SimProtocol ANSWERS_TIMEOUTS_TWICE = new SimProtocol() {
    @Override
    public String name() {
      return "answers-timeouts-twice";
    }

    @Override
    public MembershipWorkflow reconfiguration(GroupConfig config, long clientId, long retryInterval) {
      return new MembershipWorkflow(new Reconfiguration<>(config, clientId, retryInterval)) {
        @Override
        public List<Effect<Long>> onSweep(long now) {
          List<Effect<Long>> effects = new ArrayList<>(super.onSweep(now));
          effects.stream().filter(e -> e instanceof Reply<Long>).toList().forEach(effects::add);
          return effects;
        }
      };
    }
  };

  @Test
  void everyInvariantHoldsUnderRandomFaults() {
    Long single = longProperty("synod.sim.seed");
    if (single != null) {
      boolean trace = Boolean.getBoolean("synod.sim.trace");
      Simulation sim = new Simulation(single, SimProtocol.CORRECT, trace ? System.out::println : null);
      System.out.println("SIM-SEED " + single + " " + sim.mix());
      Simulation.Result r = sim.run();
      System.out.println("SIM-RESULT " + r);
      assertEquals(null, r.violation(), () -> failureMessage(r));
      return;
    }
    long first = defaultIfNull(longProperty("synod.sim.firstSeed"), 1L);
    int seeds = (int) (long) defaultIfNull(longProperty("synod.sim.seeds"), (long) DEFAULT_SEEDS);
    SimulationRunner.Totals t = SimulationRunner.run(first, seeds, SimProtocol.CORRECT, 5);
    System.out.println(t.summaryLine());
    System.out.println(t.detailLine());
    for (Simulation.Result r : t.failures()) {
      System.out.println(failureMessage(r));
    }
    assertTrue(t.failures().isEmpty(), () -> failureMessage(t.failures().get(0)));
    assertEquals(seeds, t.seeds());
    assertTrue(t.events() >= 1_000_000 || seeds < DEFAULT_SEEDS,
        () -> "the default run must simulate at least 1,000,000 events, simulated " + t.events());
    // The failover check tests quiet groups only if they went quiet first: most runs must get there.
    assertTrue(t.counters().quietFailovers() * 2 > seeds,
        () -> "only " + t.counters().quietFailovers() + " of " + seeds + " runs crashed a leader of quiet groups");
    // The seeds with a short session expiry or few sessions must expire sessions, and refuse commands
    // of expired ones, while every acknowledged command stays applied once (checked above).
    assertTrue(t.counters().expiredSessions() > 0 && t.counters().sessionRefusals() > 0 || seeds < 50,
        () -> "no session expired, or no command was refused for it: " + t.detailLine());
  }

  @Test
  void shellThatSkipsTheTicksAPauseSwallowedIsCaught() {
    assertCaught(PAUSE_WITHOUT_TICK_CATCH_UP);
  }

  @Test
  void workflowThatRemovesTheLeaderWithoutHandingOverIsCaught() {
    assertCaught(REMOVES_LEADER_WITHOUT_HANDOVER);
  }

  @Test
  void workflowThatAnswersAChangeTwiceIsCaught() {
    assertCaught(ANSWERS_TIMEOUTS_TWICE);
  }

  private static void assertCaught(SimProtocol variant) {
    SimulationRunner.Totals t = SimulationRunner.run(1, BROKEN_SEED_BUDGET, variant, 1);
    System.out.println("BROKEN-VARIANT " + variant.name() + " seedsRun=" + t.seeds()
        + " caughtAtSeed=" + t.firstFailingSeed() + " events=" + t.events()
        + (t.failures().isEmpty() ? "" : " violation: " + t.firstViolation().lines().findFirst().orElse("")));
    assertFalse(t.failures().isEmpty(), () -> "variant " + variant.name() + " survived "
        + BROKEN_SEED_BUDGET + " seeds: the simulation does not catch it");
  }

  static String failureMessage(Simulation.Result r) {
    return "SIM-FAIL seed=" + r.seed() + " protocol=" + r.protocol() + " violation: " + r.violation()
        + "\n  replay: mvn -B -pl actors test -Dtest=SimulationTest -Dsynod.sim.seed=" + r.seed()
        + " -Dsynod.sim.trace=true";
  }

  private static Long longProperty(String name) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank() || v.startsWith("${")) {
      return null;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'", e);
    }
  }

  private static <T> T defaultIfNull(T v, T fallback) {
    return v == null ? fallback : v;
  }
}
