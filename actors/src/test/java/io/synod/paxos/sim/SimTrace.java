package io.synod.paxos.sim;

import java.util.function.Consumer;

/**
 * The trace of one run, stamped with virtual time, printed when a seed is replayed with {@code
 * -Dsynod.sim.trace=true}; off (and free) otherwise.
 */
final class SimTrace {

  private final SimClock clock;
  private final Consumer<String> sink;

  SimTrace(SimClock clock, Consumer<String> sink) {
    this.clock = clock;
    this.sink = sink;
  }

  /** True when lines are printed: callers building a costly line ask first. */
  boolean on() {
    return sink != null;
  }

  void log(String line) {
    if (sink != null) {
      sink.accept("t=" + clock.now() + " " + line);
    }
  }
}
