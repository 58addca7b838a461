package io.synod.paxos;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Whether a leader still hears a majority of its voters (check-quorum): a leader that does not for
 * an election timeout steps down, rather than go on believing it leads while its heartbeats reach
 * followers over a link that brings nothing back. Its one reason to change: what counts as still
 * in touch with a voter.
 *
 * <p>A voter is in touch while its node's failure detector ({@link PeerLiveness}) has not called
 * that node silent, or while its acceptor answered this leader (an {@code Accepted}) within the last
 * {@code timeoutTicks}. The node heartbeats, one per node pair for all groups, are what a leader
 * hears from a voter's node also while it leads quietly, and also on a node so loaded that the
 * answers of a thousand groups come back later than an election timeout: there the detector, which
 * grows its threshold for a peer after each false alarm, tells a slow node from a lost one, where
 * the answers alone would have every leader step down and set off a thousand elections (the
 * benchmark's 1,000-group cluster never settled so). A cut-off leader hears no node heartbeat and
 * steps down once the detector calls a majority silent. A voter whose node is called silent is
 * still in touch for a timeout after its last answer, after a quiet leader becomes active again,
 * and after this leader first counts it (a voter a membership change brings in).
 *
 * <p>{@link #lost} is the one place the check is decided; a deliberately broken variant in the
 * tests overrides it.
 */
class QuorumCheck {

  private final int self;
  private final long timeoutTicks;
  /** When each voter's acceptor last answered this leader. */
  private final Map<Integer, Long> lastAnswer = new HashMap<>();
  /** Nodes the failure detector calls silent and has not heard again since: a live view the proposer keeps. */
  private final Set<Integer> silent;
  /** When this leader started, or last became active after being quiet: no voter is overdue before then. */
  private long activeSince;
  /** When this leader first counted each voter: one a change brings in is not overdue before then. */
  private final Map<Integer, Long> countedSince = new HashMap<>();
  /** Whether a check has counted this leadership's own voters already. */
  private boolean counting;

  /**
   * How long a leader goes without hearing a majority before it steps down: an election timeout,
   * or its own lease if that is longer. While the lease may still hold, no other node can be elected
   * (the acceptors that granted it refuse every other candidate longer than the leader counts it),
   * so stepping down earlier would only leave the group without a leader sooner.
   */
  static long timeoutTicks(Tuning tuning) {
    return Math.max(tuning.electionTimeoutTicks(), tuning.leaderLeaseTicks());
  }

  QuorumCheck(int self, long timeoutTicks, Set<Integer> silent, long now) {
    this.self = self;
    this.timeoutTicks = timeoutTicks;
    this.silent = silent;
    this.activeSince = now;
  }

  /** Voter {@code from}'s acceptor answered this leader at {@code now}. */
  void answered(int from, long now) {
    lastAnswer.put(from, now);
  }

  /** Whether voter {@code v}'s acceptor answered this leader at tick {@code since} or later. */
  boolean answeredSince(int v, long since) {
    return lastAnswer.getOrDefault(v, Long.MIN_VALUE) >= since;
  }

  /** The leader became active again after being quiet (or going quiet): every voter gets a fresh timeout. */
  void resumed(long now) {
    activeSince = now;
  }

  /**
   * The first tick after {@code now} at which a voter of {@code live} that is in touch by its
   * answers alone (its node called silent) stops being so, or {@link Long#MAX_VALUE}: without an
   * input the check can change only then, so a proposer that sleeps until its next due tick checks
   * no later than one ticking every tick.
   */
  long nextExpiry(long now, Collection<Membership> live) {
    long next = Long.MAX_VALUE;
    for (Membership m : live) {
      for (int v : m.voters()) {
        long expiry = heardAt(v) + timeoutTicks;
        if (v != self && expiry > now && silent.contains(v)) {
          next = Math.min(next, expiry);
        }
      }
    }
    return next;
  }

  /** Whether the voters in touch at {@code now} (this node always) fall short of a majority of any of {@code live}. */
  boolean lost(long now, Collection<Membership> live) {
    for (Membership m : live) { // counted without allocating: a shell asks after every input (see Leading.dueAt)
      int inTouch = 0;
      for (int v : m.voters()) {
        if (!countedSince.containsKey(v)) {
          // The voters of the first check are this leadership's own; one a change brings in later gets
          // a timeout to answer from now.
          countedSince.put(v, counting ? now : activeSince);
        }
        if (v == self || !silent.contains(v) || now - heardAt(v) < timeoutTicks) {
          inTouch++;
        }
      }
      if (inTouch < m.quorum()) {
        counting = true;
        return true;
      }
    }
    counting = true;
    return false;
  }

  /** When voter {@code v} last answered, or this leader became active or first counted it if that is later. */
  private long heardAt(int v) {
    long since = Math.max(activeSince, countedSince.getOrDefault(v, Long.MIN_VALUE));
    return Math.max(since, lastAnswer.getOrDefault(v, Long.MIN_VALUE));
  }
}
