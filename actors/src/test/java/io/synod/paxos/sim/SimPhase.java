package io.synod.paxos.sim;

/**
 * Which phase a run is in: first faults, then, once healed, a calm network and a deadline by which
 * every client operation must complete.
 */
final class SimPhase {

  private boolean healed;
  private long healedAt;

  boolean healed() {
    return healed;
  }

  long healedAt() {
    return healedAt;
  }

  void heal(long now) {
    healed = true;
    healedAt = now;
  }
}
