package io.synod.paxos;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * The lease of one leadership: which acceptors granted each request for it, and until which tick a
 * majority's grants cover this leader. A request goes out with a heartbeat, stamped with the tick
 * it was sent; once a majority of every live membership granted it, the lease runs {@code
 * leaderLeaseTicks} from that tick (see {@link Tuning} for why that is safe under bounded
 * clock skew). Its one reason to change: how grants become a lease.
 *
 * <p>{@link #covers} is the one place lease reads are decided; a deliberately broken variant in the
 * tests overrides it.
 */
class LeaderLease {

  private final long leaderLeaseTicks;
  /** The ticks of the requests still worth counting, each with the acceptors that granted it. */
  private final TreeMap<Long, Set<Integer>> grants = new TreeMap<>();
  private long until;
  /** The newest request a majority granted: this leader led when they answered it. */
  private long confirmed = Long.MIN_VALUE;

  LeaderLease(long leaderLeaseTicks) {
    this.leaderLeaseTicks = leaderLeaseTicks;
  }

  /** A request for the lease goes out at {@code tick}; requests too old to extend it are forgotten. */
  void ask(long tick) {
    grants.put(tick, new HashSet<>());
    grants.headMap(tick - leaderLeaseTicks).clear();
  }

  /**
   * Acceptor {@code from} granted the request of {@code tick}. With a majority of each of {@code
   * live} the lease runs until {@code tick + leaderLeaseTicks}; grants of that request and older
   * ones are no longer needed. A grant for a request this lease did not make (or forgot) counts
   * for nothing.
   */
  void onGrant(long tick, int from, Collection<Membership> live) {
    Set<Integer> granted = grants.get(tick);
    if (granted != null && granted.add(from) && Quorums.majorityOfEach(live, granted)) {
      until = Math.max(until, tick + leaderLeaseTicks);
      confirmed = Math.max(confirmed, tick);
      grants.headMap(tick, true).clear();
    }
  }

  /**
   * Ends the lease and forgets every request: on a handover, and when a membership change is
   * proposed (grants of the old voters alone must not outlive it).
   */
  void drop() {
    until = 0;
    grants.clear();
  }

  /** Whether a majority's lease covers tick {@code now}. */
  boolean covers(long now) {
    return now < until;
  }

  /**
   * The tick of the newest request a majority granted, or {@link Long#MIN_VALUE}: every acceptor of
   * that majority answered at this leader's ballot after the request was sent. Not ended by {@link
   * #drop}: it says when this leadership was confirmed, not that it still holds a lease.
   */
  long confirmed() {
    return confirmed;
  }

  /** The first tick the lease no longer covers (0 if there never was one). */
  long until() {
    return until;
  }
}
