package io.synod.packagecycle.ping;

import io.synod.packagecycle.pong.Pong;

/**
 * Half of a deliberate package cycle, in test code only: {@code PackageCyclesTest} proves its rule
 * can fail by running it over this package and {@link Pong}'s.
 */
public final class Ping {

  public Pong answer() {
    return new Pong();
  }
}
