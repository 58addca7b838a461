package io.synod.paxos.sim;

import io.synod.paxos.Applied;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Value;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulation's oracle. It sees every value any learner learns, every command applied, every
 * acknowledgement a client receives and every lease read served, and records the first broken
 * invariant:
 * <ul>
 *   <li>agreement: no two learners learn different values for one instance;
 *   <li>validity: a chosen value is a no-op or a batch of commands clients really proposed;
 *   <li>integrity: a command is applied (not merely repeated) at one instance only; membership
 *       changes excepted, which the learner applies again, changing nothing, when their session
 *       expired (see {@code Sessions});
 *   <li>durability: an acknowledged command was applied, and at the end every node has applied
 *       past it (agreement then makes it the same command everywhere);
 *   <li>convergence: replicas that applied the same prefix have the same state hash, and the same
 *       session table as far as expiry goes (the log's time, the sessions held and expired, the
 *       sequences refused);
 *   <li>read safety: a linearizable read (under the lease, or at a read index) reflects every write
 *       acknowledged before it was issued.
 * </ul>
 */
final class Checker {

  private record Key(String group, long clientId, long sequence) {}

  private final Map<String, TreeMap<Long, Value>> chosen = new HashMap<>();
  private final Map<String, Map<Long, Long>> hashAtPrefix = new HashMap<>();
  private final Map<String, Map<Long, SessionsSummary>> sessionsAtPrefix = new HashMap<>();
  /** Per group, the most sessions any replica saw the log expire. */
  private final Map<String, Long> expiredSessions = new HashMap<>();
  private final Map<Key, byte[]> proposed = new HashMap<>();
  private final Map<Key, Long> appliedAt = new HashMap<>();
  private final Map<Key, byte[]> firstResult = new HashMap<>();
  /** Per group, the highest instance that completed operations (acknowledged writes, answered reads) saw. */
  private final Map<String, Long> readFloor = new HashMap<>();
  private String violation;
  long chosenCount;
  long acknowledged;
  long leaseReads;

  String violation() {
    return violation;
  }

  private void fail(String what) {
    if (violation == null) {
      violation = what;
    }
  }

  void proposed(String group, ClientCommand c) {
    proposed.putIfAbsent(new Key(group, c.clientId(), c.sequence()), c.payload());
  }

  void learned(String group, int node, long instance, Value value) {
    Value first = chosen.computeIfAbsent(group, g -> new TreeMap<>()).putIfAbsent(instance, value);
    if (first == null) {
      chosenCount++;
      if (!value.isIntact()) {
        fail("validity: node " + node + " learned a corrupt value for " + group + "/" + instance);
        return;
      }
      for (ClientCommand c : value.commands()) {
        byte[] p = proposed.get(new Key(group, c.clientId(), c.sequence()));
        if (p == null || !Arrays.equals(p, c.payload())) {
          fail("validity: " + group + "/" + instance + " chose " + c + " that no client proposed");
        }
      }
    } else if (!first.equals(value)) {
      fail("agreement: node " + node + " learned " + value + " for " + group + "/" + instance + " but " + first
          + " was learned before");
    }
  }

  /** {@code a} was met applying the log; {@code membershipChange}: it is a change of an admin session. */
  void applied(String group, int node, Applied a, boolean membershipChange) {
    if (a.outcome() == Applied.Outcome.APPLIED && !membershipChange) {
      firstResult.putIfAbsent(new Key(group, a.clientId(), a.sequence()), a.result());
      Long at = appliedAt.putIfAbsent(new Key(group, a.clientId(), a.sequence()), a.instance());
      if (at != null && at != a.instance()) {
        fail("integrity: command " + a.clientId() + "#" + a.sequence() + " of " + group + " applied at instance " + at
            + " and again at " + a.instance() + " (node " + node + ")");
      }
    }
  }

  void reachedPrefix(String group, int node, long nextToApply, long stateHash) {
    Long h = hashAtPrefix.computeIfAbsent(group, g -> new HashMap<>()).putIfAbsent(nextToApply, stateHash);
    if (h != null && h != stateHash) {
      fail("convergence: node " + node + " has state hash " + Long.toHexString(stateHash) + " after " + nextToApply
          + " instances of " + group + ", another node had " + Long.toHexString(h));
    }
  }

  /** What replicas that applied the same prefix must agree on about their session tables. */
  record SessionsSummary(long logTime, int sessions, long expired, long expiredThrough) {}

  void sessionsAt(String group, int node, long nextToApply, SessionsSummary summary) {
    SessionsSummary first = sessionsAtPrefix.computeIfAbsent(group, g -> new HashMap<>())
        .putIfAbsent(nextToApply, summary);
    if (first != null && !first.equals(summary)) {
      fail("convergence: node " + node + " has sessions " + summary + " after " + nextToApply + " instances of "
          + group + ", another node had " + first);
    }
    expiredSessions.merge(group, summary.expired(), Math::max);
  }

  /** Sessions the logs expired, summed over the groups. */
  long expiredSessions() {
    return expiredSessions.values().stream().mapToLong(Long::longValue).sum();
  }

  void acknowledged(String group, long clientId, long sequence, byte[] result) {
    Key key = new Key(group, clientId, sequence);
    Long at = appliedAt.get(key);
    if (at == null) {
      fail("durability: client " + clientId + " got an acknowledgement for #" + sequence + " of " + group
          + " that no replica applied");
      return;
    }
    if (!Arrays.equals(firstResult.get(key), result)) {
      fail("integrity: client " + clientId + " got a different result for #" + sequence + " of " + group
          + " than the one its first application returned");
    }
    acknowledged++;
    readFloor.merge(group, at, Math::max);
  }

  /** A read was answered: later reads must not see less. */
  void readCompleted(String group, long appliedThrough) {
    readFloor.merge(group, appliedThrough, Math::max);
  }

  /**
   * The highest instance a completed operation has seen: every write acknowledged so far, and every
   * read answered so far. A read issued now must see at least that far.
   */
  long readFloor(String group) {
    return readFloor.getOrDefault(group, -1L);
  }

  void leaseRead(String group, int node, long floorAtInvocation, long appliedThrough, byte[] result) {
    leaseReads++;
    if (appliedThrough < floorAtInvocation) {
      fail("read safety: node " + node + " served a read of " + group + " at instance " + appliedThrough
          + " but an operation completed before the read was issued had seen instance " + floorAtInvocation);
    }
    reachedPrefix(group, node, appliedThrough + 1, SimStateMachine.decodeSecond(result));
  }

  void finalState(String group, int node, long nextToApply) {
    long needed = readFloor.getOrDefault(group, -1L);
    if (nextToApply <= needed) {
      fail("durability: after healing, node " + node + " applied " + group + " only below " + nextToApply
          + " but instance " + needed + " holds an acknowledged command");
    }
  }

  long highestChosen(String group) {
    TreeMap<Long, Value> m = chosen.get(group);
    return m == null || m.isEmpty() ? -1 : m.lastKey();
  }

  void raise(String what) {
    fail(what);
  }
}
