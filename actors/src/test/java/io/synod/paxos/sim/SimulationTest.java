package io.synod.paxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The deterministic simulation of the correct protocol. By default it runs {@value #DEFAULT_SEEDS}
 * seeds from {@code 1}; {@code -Dsynod.sim.seeds=N} runs more (a soak), {@code
 * -Dsynod.sim.firstSeed=S} moves the window, and {@code -Dsynod.sim.seed=S} replays one seed (add
 * {@code -Dsynod.sim.trace=true} to print its faults).
 */
class SimulationTest {

  static final int DEFAULT_SEEDS = 1_000;

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
