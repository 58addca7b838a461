package io.synod.paxos.sim;

import io.synod.paxos.GroupConfig;
import io.synod.paxos.PeerLiveness;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated node (a process): whether it is up and in which incarnation, its tick rate, wall
 * clock, disk speed and pause state, its replica of every group, and the clients waiting for an
 * answer from it (forgotten when it crashes).
 */
final class SimNode {

  /** A client waiting for a read this node was asked to serve, and the floor the checker holds it to. */
  record ReadWaiter(int client, long floor) {}

  final int id;
  boolean up = true;
  /** Counts restarts: what was scheduled for an earlier incarnation finds the node gone. */
  int incarnation;
  long tickInterval;
  /** How far this node's wall clock is off, in milliseconds, either way (drawn at every start). */
  long wallClockOffsetMillis;
  boolean slowDisk;
  boolean paused;
  long missedTicks;
  /** When it last resumed from a pause: an answer due meanwhile comes late, as from a stopped process. */
  long resumedAt;
  /** What a paused node will do once it resumes, in order: handle queued messages, finish writes. */
  final List<Runnable> held = new ArrayList<>();
  final Map<String, SimReplica> replicas = new LinkedHashMap<>();
  /** Client waiting for each command (by {@link #waiterKey}) this node was asked to carry. */
  final Map<String, Integer> waiters = new HashMap<>();
  final Map<Long, ReadWaiter> readWaiters = new HashMap<>();
  /** The node's failure detector for its peers, new at every start (a new incarnation). */
  PeerLiveness liveness;

  SimNode(int id) {
    this.id = id;
  }

  /** True while the node is up in incarnation {@code incarnation}. */
  boolean runs(int incarnation) {
    return up && this.incarnation == incarnation;
  }

  /** Runs {@code action} now, or once the node resumes if it is paused. */
  void whenRunning(Runnable action) {
    if (paused) {
      held.add(action);
    } else {
      action.run();
    }
  }

  /** As {@link #whenRunning}, unless the node crashed since incarnation {@code incarnation}. */
  void whenRunning(int incarnation, Runnable action) {
    if (runs(incarnation)) {
      whenRunning(action);
    }
  }

  /** The configuration of the node's first group: what its tick settings come from. */
  GroupConfig config() {
    return replicas.values().iterator().next().config;
  }

  /** Where the simulation's wall clocks start: a time like today's, in milliseconds since the epoch. */
  static final long WALL_CLOCK_START_MILLIS = 1_700_000_000_000L;

  /**
   * This node's wall clock at virtual time {@code now}, in milliseconds since the epoch: virtual
   * time runs at {@link FaultMix#TICK} units per nominal 10 ms tick, and this node's clock is off by
   * {@link #wallClockOffsetMillis}.
   */
  long wallClockMillis(long now) {
    return WALL_CLOCK_START_MILLIS + now * 10 / FaultMix.TICK + wallClockOffsetMillis;
  }

  static String waiterKey(String group, long clientId, long sequence) {
    return group + "/" + clientId + "/" + sequence;
  }
}
