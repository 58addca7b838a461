package io.synod.paxos;

/**
 * What a {@link Proposer} is doing, with the state only that phase needs: following a leader (or
 * waiting for one), campaigning for its own ballot, or leading. The proposer holds exactly one;
 * a change of phase replaces the object, so a phase's state ends with it.
 */
sealed interface ProposerPhase permits Following, Campaigning, Leading {

  /**
   * The tick at which this phase next has more to do than count time (a deadline, a resend, a
   * heartbeat, the end of a lease); {@code now} is the current tick.
   */
  long dueAt(long now);
}
