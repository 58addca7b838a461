package io.synod.paxos.sim;

import io.synod.paxos.ClientCommand;
import io.synod.paxos.Membership;
import io.synod.paxos.Reconfiguration.Changed;
import io.synod.paxos.Reconfiguration.Op;
import io.synod.paxos.Reconfiguration.Outcome;
import io.synod.paxos.Reconfiguration.Refused;
import io.synod.paxos.Reconfiguration.Request;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The oracle of the membership-change workflow ({@link io.synod.paxos.Reconfiguration}) as every
 * simulated node runs it. It sees each request the operator asks, what each node's workflow
 * submits and answers, the memberships the learners apply and the crashes, and raises the first
 * broken promise in the run's {@link Checker}:
 * <ul>
 *   <li>answered once: every request is answered exactly once, at most {@link #SLACK} after its
 *       deadline, or after its node resumed from a pause that outlasted the deadline; a node that
 *       crashed with a change under way never answers it (nor would a crashed process): it is lost;
 *   <li>one at a time: at most one change is under way at a node, per group;
 *   <li>applied: a change answered as done names a membership a learner of the group applied;
 *   <li>hand over first: the removal of the voter that led, as the asked node saw it, when the
 *       request was asked is submitted only while that node sees another node lead.
 * </ul>
 */
final class ReconfigurationChecker {

  /**
   * How late after its deadline a node may answer: the workflow answers at its sweep, once every
   * {@link SimMembership#RETRY_INTERVAL} checked at the node's ticks (at most a little over a
   * nominal tick apart under skew), plus a margin.
   */
  static final long SLACK = SimMembership.RETRY_INTERVAL + 5 * FaultMix.TICK;

  /** A request asked at node {@code at} and what became of it. */
  private static final class Asked {
    final long id;
    final String group;
    final int at;
    final Request<Long> request;
    /** The node to remove led, as node {@code at} saw it, and voted when the request was asked. */
    final boolean removesLeader;
    int answers;
    boolean lost;
    /** The removal of the leader was submitted while another node led. */
    boolean handedOver;

    Asked(long id, String group, int at, Request<Long> request, boolean removesLeader) {
      this.id = id;
      this.group = group;
      this.at = at;
      this.request = request;
      this.removesLeader = removesLeader;
    }

    @Override
    public String toString() {
      return "request #" + id + " (" + request.op() + " n" + request.node() + " of " + group + ", asked at n" + at
          + ", deadline " + request.deadline() + ")";
    }
  }

  private record Replica(String group, int node) {}

  private final Checker checker;
  private final Map<Long, Asked> asked = new HashMap<>();
  private final Map<Replica, Asked> underWay = new HashMap<>();
  /** Per group, every membership a learner of it applied. */
  private final Map<String, Set<Membership>> applied = new HashMap<>();
  long changed;
  long refused;
  long timedOut;
  long lost;
  long leaderRemovals;

  ReconfigurationChecker(Checker checker) {
    this.checker = checker;
  }

  /** A learner of {@code group} applied membership {@code m} (or started from it). */
  void membershipApplied(String group, Membership m) {
    applied.computeIfAbsent(group, g -> new HashSet<>()).add(m);
  }

  /**
   * Request {@code id} was asked at node {@code at}; {@code removesLeader}: it removes the voter that
   * node sees lead.
   */
  void asked(long id, String group, int at, Request<Long> request, boolean removesLeader) {
    if (asked.putIfAbsent(id, new Asked(id, group, at, request, removesLeader)) != null) {
      checker.raise("reconfiguration: request #" + id + " was asked twice");
    }
  }

  /**
   * The workflow of node {@code at} took request {@code id} (did not refuse it at once): no other may
   * be under way there.
   */
  void started(long id) {
    Asked a = asked.get(id);
    Asked other = underWay.putIfAbsent(new Replica(a.group, a.at), a);
    if (other != null) {
      checker.raise("reconfiguration: one change at a time: node " + a.at + " took " + a + " while " + other
          + " was under way there");
    }
  }

  /**
   * Node {@code at}, which sees {@code leader} lead (-1: none), submits {@code change}: if it removes
   * the node that led when the change under way there was asked, another node must lead now.
   */
  void submitted(String group, int at, ClientCommand change, int leader) {
    Asked a = underWay.get(new Replica(group, at));
    if (a == null || !a.removesLeader || a.request.op() != Op.REMOVE) {
      return;
    }
    int removed = a.request.node();
    if (Membership.Change.decode(change.payload()).target().includes(removed)) {
      return;
    }
    if (leader < 0 || leader == removed) {
      checker.raise("reconfiguration: hand over first: node " + at + " submitted the removal of n" + removed
          + ", which led when " + a + " was asked, while it sees "
          + (leader < 0 ? "no leader" : "n" + leader + " lead"));
    } else {
      a.handedOver = true;
    }
  }

  /**
   * Node {@code at}, last resumed from a pause at {@code resumedAt}, answers request {@code id} at
   * {@code now} with {@code outcome}.
   */
  void answered(long id, int at, Outcome outcome, long now, long resumedAt) {
    Asked a = asked.get(id);
    if (a == null) {
      checker.raise("reconfiguration: node " + at + " answered request #" + id + ", which nobody asked");
      return;
    }
    a.answers++;
    if (a.answers > 1 || a.lost) {
      checker.raise("reconfiguration: answered once: node " + at + " answered " + a + " again (" + outcome + ")"
          + (a.lost ? " after it was lost in a crash" : ""));
      return;
    }
    underWay.remove(new Replica(a.group, a.at), a);
    if (late(a, now, resumedAt)) {
      checker.raise("reconfiguration: answered once: node " + at + " answered " + a + " only at " + now
          + ", more than " + SLACK + " after its deadline");
    }
    if (outcome instanceof Changed c) {
      if (!applied.getOrDefault(a.group, Set.of()).contains(c.membership())) {
        checker.raise("reconfiguration: applied: node " + at + " answered " + a + " with membership " + c.membership()
            + ", which no learner of " + a.group + " applied");
      }
      changed++;
      if (a.handedOver) {
        leaderRemovals++;
      }
    } else if (outcome instanceof Refused) {
      refused++;
    } else {
      timedOut++;
    }
  }

  /** Node {@code node} crashed: the change under way there, in any group, will never be answered. */
  void crashed(int node) {
    underWay.values().removeIf(a -> {
      if (a.at == node) {
        a.lost = true;
        lost++;
        return true;
      }
      return false;
    });
  }

  /**
   * At {@code now}, node {@code at} runs (it last resumed at {@code resumedAt}): the change under way
   * there must not be overdue.
   */
  void checkInTime(String group, int at, long now, long resumedAt) {
    Asked a = underWay.get(new Replica(group, at));
    if (a != null && late(a, now, resumedAt)) {
      checker.raise("reconfiguration: answered once: " + a + " has no answer at " + now + ", more than " + SLACK
          + " after its deadline, though node " + at + " runs");
    }
  }

  private static boolean late(Asked a, long now, long resumedAt) {
    return now - Math.max(a.request.deadline(), resumedAt) > SLACK;
  }

  /** Whether any change is under way anywhere (its asker waits). */
  boolean anyUnderWay() {
    return !underWay.isEmpty();
  }

  /** The changes under way, for the liveness report. */
  String underWay() {
    StringBuilder b = new StringBuilder();
    underWay.values().stream().map(Asked::toString).sorted().forEach(s -> b.append(s).append(" waits; "));
    return b.toString();
  }
}
