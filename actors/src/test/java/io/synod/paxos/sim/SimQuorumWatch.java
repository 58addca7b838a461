package io.synod.paxos.sim;

import io.synod.paxos.Tuning;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The check-quorum invariant: a node that leads a group must have heard from a majority of the
 * group's voters (itself counted; the voters of the group's latest chosen membership) within {@link #BOUND_TICKS} of its own ticks, for as long as it
 * has led and run. Anything arriving from a peer counts as hearing it: the leader's own rule is
 * stricter (an active leader counts only its voters' acceptors' answers, a quiet one its node's
 * failure detector). A leader cut off by a partition, one-way links included, must so stop leading
 * within the bound, even while its heartbeats still reach its followers.
 */
final class SimQuorumWatch {

  /**
   * The bound: the longest a quiet leader's node may take to call a peer silent (the failure
   * detector's threshold of an election timeout, doubled after false alarms up to eight times),
   * plus an election timeout for the step-down and the ticks around it. An active leader steps down
   * one election timeout after its voters' last answers.
   */
  static final long BOUND_TICKS = 10L * Tuning.DEFAULTS.electionTimeoutTicks();

  private final SimContext ctx;
  private final SimMembership membership;
  /** When each node last heard from each peer: {@code lastHeard.get(node).get(peer)}. */
  private final Map<Integer, Map<Integer, Long>> lastHeard = new HashMap<>();
  /** When each node was first seen leading each group in its current leadership: key "node/group". */
  private final Map<String, Long> leadingSince = new HashMap<>();

  SimQuorumWatch(SimContext ctx, SimMembership membership) {
    this.ctx = ctx;
    this.membership = membership;
  }

  /** Node {@code to} received something from {@code from}. */
  void heard(int to, int from) {
    lastHeard.computeIfAbsent(to, k -> new HashMap<>()).put(from, ctx.clock().now());
  }

  /** After a tick of {@code n}, which runs: every group it leads must still hear a majority of its voters. */
  void check(SimNode n) {
    long now = ctx.clock().now();
    long bound = BOUND_TICKS * n.tickInterval;
    for (SimReplica r : n.replicas.values()) {
      String key = n.id + "/" + r.group;
      if (!r.proposer.isLeader()) {
        leadingSince.remove(key);
        continue;
      }
      // Not overdue before it led, nor for what it could not hear while paused.
      long since = Math.max(leadingSince.computeIfAbsent(key, k -> now), n.resumedAt);
      // A change the leader proposed may name voters it never heard: the leader steps down for those
      // too (it needs a majority of each membership in play), but only the chosen one is asked here.
      List<Integer> voters = membership.latest(r.group).voters();
      int inTouch = 0;
      for (int v : voters) {
        long heard = Math.max(since, lastHeard.getOrDefault(n.id, Map.of()).getOrDefault(v, Long.MIN_VALUE));
        inTouch += v == n.id || now - heard <= bound ? 1 : 0;
      }
      if (inTouch <= voters.size() / 2) {
        ctx.checker().raise("check-quorum: node " + n.id + " still leads " + r.group + " at ballot "
            + r.proposer.ballot() + " though it heard from only " + inTouch + " of its voters " + voters
            + " within " + BOUND_TICKS + " ticks (" + lastHeard.getOrDefault(n.id, Map.of()) + " at " + now + ")");
      }
    }
  }

  /** Node {@code n} crashed: its leaderships end with it. */
  void crashed(SimNode n) {
    leadingSince.keySet().removeIf(k -> k.startsWith(n.id + "/"));
  }
}
