package io.synod.paxos;

import io.synod.paxos.CommandQueue.CommandId;
import io.synod.paxos.Message.Proposal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The instances a leader has proposed and not yet announced as chosen, and the next free one: for
 * each, its value, the acceptors that accepted it and when it is due to be resent. The commands
 * batched into an instance stay carried by the {@link CommandQueue} until the instance leaves the
 * pipeline. Its one reason to change: how a leader keeps track of its instances in flight.
 */
final class Pipeline {

  /**
   * An unanswered instance is resent after {@code retransmitTicks}, then after twice as long each
   * time, up to {@code 2^RESEND_BACKOFF_MAX} times as long. Under load the acceptors' answers take
   * longer than {@code retransmitTicks} (the benchmark's 512 clients saw 50 to 100 ms); resending
   * every in-flight instance at a fixed interval then doubled the load on a cluster that was
   * already behind, and Artery's send queues overflowed.
   */
  static final int RESEND_BACKOFF_MAX = 3;

  /** One instance in flight. */
  static final class InFlight {
    final Value value;
    /** The commands the leader batched into the value (none for values recovered in phase 1). */
    final List<CommandId> commands;
    final Set<Integer> acceptedBy = new HashSet<>();
    /** A majority of the voters of its instance's membership accepted it. */
    boolean accepted;
    long sentAt;
    /** How often it was resent: each resend waits twice as long as the last (see {@link #RESEND_BACKOFF_MAX}). */
    int resends;

    InFlight(Value value, List<CommandId> commands, long sentAt) {
      this.value = value;
      this.commands = commands;
      this.sentAt = sentAt;
    }

    long resendDueAt(int retransmitTicks) {
      return sentAt + ((long) retransmitTicks << Math.min(resends, RESEND_BACKOFF_MAX));
    }
  }

  private final int retransmitTicks;
  private final CommandQueue queue;
  private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
  private long next;

  /** An empty pipeline whose first instance is {@code first}. */
  Pipeline(long first, int retransmitTicks, CommandQueue queue) {
    this.next = first;
    this.retransmitTicks = retransmitTicks;
    this.queue = queue;
  }

  /** Puts {@code value}, made of {@code commands}, in flight at the next free instance; returns that instance. */
  long add(Value value, List<CommandId> commands, long now) {
    long instance = next++;
    inFlight.put(instance, new InFlight(value, commands, now));
    return instance;
  }

  /**
   * Acceptor {@code from} accepted {@code instances}: an instance is accepted once a majority of
   * its membership's voters have, and only they count.
   */
  void onAccepted(List<Long> instances, int from, MembershipView view) {
    for (long i : instances) {
      InFlight f = inFlight.get(i);
      if (f != null && !f.accepted) {
        Membership m = view.at(i);
        if (m.isVoter(from) && f.acceptedBy.add(from) && f.acceptedBy.size() >= m.quorum()) {
          f.accepted = true;
        }
      }
    }
  }

  /**
   * The instances due for a resend at {@code now}, by the voter of its membership that has not
   * accepted it yet, in instance order; each counts as resent.
   */
  Map<Integer, List<Proposal>> takeResends(long now, MembershipView view) {
    Map<Integer, List<Proposal>> resend = new HashMap<>();
    for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
      InFlight f = e.getValue();
      if (now >= f.resendDueAt(retransmitTicks)) {
        f.sentAt = now;
        f.resends++;
        for (int m : view.at(e.getKey()).voters()) {
          if (!f.acceptedBy.contains(m)) {
            resend.computeIfAbsent(m, k -> new ArrayList<>()).add(new Proposal(e.getKey(), f.value));
          }
        }
      }
    }
    return resend;
  }

  /**
   * Takes the accepted instances from the first in flight, up to the first that is not: chosen, in
   * instance order. Their commands are released.
   */
  TreeMap<Long, InFlight> takeChosen() {
    TreeMap<Long, InFlight> done = new TreeMap<>();
    while (!inFlight.isEmpty() && inFlight.firstEntry().getValue().accepted) {
      Map.Entry<Long, InFlight> e = inFlight.pollFirstEntry();
      queue.release(e.getValue().commands);
      done.put(e.getKey(), e.getValue());
    }
    return done;
  }

  /** Whether some instance below {@code instance} is still in flight. */
  boolean drivesBelow(long instance) {
    return !inFlight.isEmpty() && inFlight.firstKey() < instance;
  }

  /** Forgets the instances below {@code instance}, chosen elsewhere; their commands are released. */
  void dropBelow(long instance) {
    Map<Long, InFlight> gone = inFlight.headMap(instance);
    gone.values().forEach(f -> queue.release(f.commands));
    gone.clear();
  }

  /** Abandons every instance in flight (the leader steps down); their commands are released. */
  void abandon() {
    inFlight.values().forEach(f -> queue.release(f.commands));
    inFlight.clear();
  }

  /** Every instance in flight, in instance order. */
  List<Proposal> proposals() {
    List<Proposal> all = new ArrayList<>(inFlight.size());
    inFlight.forEach((i, f) -> all.add(new Proposal(i, f.value)));
    return all;
  }

  /** Below this every instance is chosen, as far as this leader knows. */
  long horizon() {
    return inFlight.isEmpty() ? next : inFlight.firstKey();
  }

  /** The next free instance. */
  long next() {
    return next;
  }

  int size() {
    return inFlight.size();
  }

  /** Whether acceptor {@code node} accepted every instance in flight: it holds what this leader has proposed. */
  boolean acceptedAllBy(int node) {
    for (InFlight f : inFlight.values()) {
      if (!f.acceptedBy.contains(node)) {
        return false;
      }
    }
    return true;
  }

  /** The earliest tick an instance is due to be resent, or {@link Long#MAX_VALUE} with none in flight. */
  long nextResendAt() {
    long at = Long.MAX_VALUE;
    for (InFlight f : inFlight.values()) {
      at = Math.min(at, f.resendDueAt(retransmitTicks));
    }
    return at;
  }
}
