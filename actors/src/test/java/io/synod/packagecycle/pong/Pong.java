package io.synod.packagecycle.pong;

import io.synod.packagecycle.ping.Ping;

/** The other half of the deliberate package cycle of {@link Ping}. */
public final class Pong {

  public Ping answer() {
    return new Ping();
  }
}
