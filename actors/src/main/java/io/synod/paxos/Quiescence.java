package io.synod.paxos;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether a leader's group is busy, going quiet, or quiet. A leader with nothing in flight and
 * nothing waiting for {@code quietAfterTicks} (no command, no lease read) sends its heartbeats as
 * {@link Message.Accept#QUIESCE}, asking no lease, until every voter has answered one; then it
 * sends nothing at all until there is work again. Its lease runs out meanwhile: the first read
 * after that wakes the group and goes through the log. Its one reason to change: when an idle
 * group stops talking.
 */
final class Quiescence {

  enum State {
    ACTIVE,
    /** Heartbeats say the group is idle; waiting for every voter to have heard it. */
    QUIESCING,
    /** Nothing is sent until there is work. */
    QUIET
  }

  private final long quietAfterTicks;
  private final Set<Integer> heard = new HashSet<>();
  private State state = State.ACTIVE;
  private long lastBusy;

  Quiescence(long quietAfterTicks, long now) {
    this.quietAfterTicks = quietAfterTicks;
    this.lastBusy = now;
  }

  State state() {
    return state;
  }

  /**
   * There was work at {@code now} (a proposal, a read under the lease, a handover): the group is
   * active again. Returns true if it was not (quiet or going quiet): the leader heartbeats at once.
   */
  boolean busy(long now) {
    lastBusy = now;
    boolean wasIdle = state != State.ACTIVE;
    state = State.ACTIVE;
    heard.clear();
    return wasIdle;
  }

  /**
   * A heartbeat is due at {@code now} and the leader is {@code idle} (nothing in flight, nothing
   * waiting, no handover, one membership): an active group that has been idle long enough starts
   * going quiet. Returns whether this heartbeat says so.
   */
  boolean heartbeatSaysQuiet(long now, boolean idle) {
    if (!idle) {
      lastBusy = now;
      return false;
    }
    if (state == State.ACTIVE && now - lastBusy >= quietAfterTicks) {
      state = State.QUIESCING;
      heard.clear();
    }
    return state == State.QUIESCING;
  }

  /** Whether {@code voter} still has to hear that the group is idle. */
  boolean waitsFor(int voter) {
    return state == State.QUIESCING && !heard.contains(voter);
  }

  /** {@code voter} answered a quiet heartbeat; once all of {@code voters} have, the group is quiet. */
  void heard(int voter, Collection<Integer> voters) {
    if (state == State.QUIESCING && heard.add(voter) && heard.containsAll(voters)) {
      state = State.QUIET;
    }
  }

  boolean quiet() {
    return state == State.QUIET;
  }
}
