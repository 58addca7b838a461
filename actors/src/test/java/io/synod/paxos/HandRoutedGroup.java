package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.fail;

import io.synod.paxos.Message.ToAcceptor;
import io.synod.paxos.Message.ToLearner;
import io.synod.paxos.Message.ToProposer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Three nodes (1, 2, 3) of one group, each with an acceptor, a proposer and a learner, whose
 * messages the test routes by hand, in the spirit of etcd raft's {@code network} test struct.
 * Persisting is instant, so {@code sendAfterPersist} is queued right after {@code sendNow}. Nothing
 * moves unless the test ticks a role or delivers a message; queued messages can be held back or
 * dropped with a predicate.
 */
final class HandRoutedGroup {

  record Envelope(int from, int to, Message message) {}

  final Map<Integer, GroupConfig> configs = new TreeMap<>();
  final Map<Integer, Acceptor> acceptors = new TreeMap<>();
  final Map<Integer, Proposer> proposers = new TreeMap<>();
  final Map<Integer, Learner> learners = new TreeMap<>();
  final Map<Integer, ListStateMachine> stateMachines = new TreeMap<>();
  final Map<Integer, List<AcceptorRecord>> journals = new TreeMap<>();
  final Map<Integer, List<Applied>> applied = new TreeMap<>();
  final Map<Integer, List<ReadOutcome>> reads = new TreeMap<>();
  final Map<Integer, List<Refusal>> refusals = new TreeMap<>();
  /** Sent, not yet delivered, oldest first. */
  final List<Envelope> queue = new ArrayList<>();
  /** Every message ever sent, for assertions. */
  final List<Envelope> sent = new ArrayList<>();

  HandRoutedGroup(UnaryOperator<GroupConfig.Builder> tune, long seed) {
    for (int id : Fixtures.MEMBERS) {
      GroupConfig config = tune.apply(Fixtures.config(id)).build();
      configs.put(id, config);
      acceptors.put(id, Acceptor.recover(config, List.of()));
      proposers.put(id, new Proposer(config, new SplittableRandom(seed * 31 + id)));
      ListStateMachine sm = new ListStateMachine();
      stateMachines.put(id, sm);
      learners.put(id, new Learner(config, sm, new SplittableRandom(seed * 37 + id)));
      journals.put(id, new ArrayList<>());
      applied.put(id, new ArrayList<>());
      reads.put(id, new ArrayList<>());
      refusals.put(id, new ArrayList<>());
    }
  }

  /** Replaces node {@code node}'s acceptor by one recovered from {@code records}. */
  void recoverAcceptor(int node, List<AcceptorRecord> records) {
    acceptors.put(node, Acceptor.recover(configs.get(node), records));
    journals.put(node, new ArrayList<>(records));
  }

  /** Carries out a decision of a role of {@code node}. */
  Decision take(int node, Decision d) {
    DecisionExecutor.execute(d, new InstantShell(node));
    return d;
  }

  /**
   * One node's shell with an instant disk: a write is durable at once, so {@code sendAfterPersist}
   * is queued right after {@code sendNow}. What the learner learned the test reads from the
   * learners, and a hand-routed group has no snapshots to fetch.
   */
  private final class InstantShell implements DecisionExecutor.Shell {
    private final int node;

    InstantShell(int node) {
      this.node = node;
    }

    @Override
    public void persist(List<AcceptorRecord> records) {
      journals.get(node).addAll(records);
    }

    @Override
    public void sendNow(Outbound message) {
      enqueue(message);
    }

    @Override
    public void sendAfterPersist(Outbound message) {
      enqueue(message);
    }

    private void enqueue(Outbound o) {
      Envelope e = new Envelope(node, o.to(), o.message());
      queue.add(e);
      sent.add(e);
    }

    @Override
    public void chosen(Message.Proposal proposal) {}

    @Override
    public void applied(Applied a) {
      applied.get(node).add(a);
    }

    @Override
    public void readAnswered(ReadOutcome outcome) {
      reads.get(node).add(outcome);
    }

    @Override
    public void refused(Refusal refusal) {
      refusals.get(node).add(refusal);
    }

    @Override
    public void fetchSnapshotFrom(int peer) {}
  }

  void tickAcceptors() {
    for (int id : Fixtures.MEMBERS) {
      take(id, acceptors.get(id).onTick());
    }
  }

  /** Ticks every role of the given nodes once. */
  void tick(int... nodes) {
    for (int id : nodes) {
      take(id, acceptors.get(id).onTick());
      take(id, proposers.get(id).onTick());
      take(id, learners.get(id).onTick());
    }
  }

  /** Ticks the acceptors until the restart grace, in which they refuse every prepare, is over. */
  void passAcceptorGrace() {
    for (int i = 0; i < configs.get(1).tuning().leaseTicks(); i++) {
      tickAcceptors();
    }
  }

  /** Delivers queued messages matching {@code which}, and what they cause, until none is left. */
  int deliverWhile(Predicate<Envelope> which) {
    int delivered = 0;
    while (true) {
      Envelope next = null;
      for (Iterator<Envelope> it = queue.iterator(); it.hasNext(); ) {
        Envelope e = it.next();
        if (which.test(e)) {
          it.remove();
          next = e;
          break;
        }
      }
      if (next == null) {
        return delivered;
      }
      deliver(next);
      if (++delivered > 100_000) {
        fail("messages keep flowing after 100000 deliveries; last: " + next);
      }
    }
  }

  int deliverAll() {
    return deliverWhile(e -> true);
  }

  /** Removes queued messages matching {@code which}, as a lossy network would. */
  void drop(Predicate<Envelope> which) {
    queue.removeIf(which);
  }

  Decision deliver(Envelope e) {
    Message m = e.message();
    if (m instanceof ToAcceptor a) {
      return take(e.to(), acceptors.get(e.to()).handle(a));
    } else if (m instanceof ToProposer p) {
      return take(e.to(), proposers.get(e.to()).handle(p));
    } else if (m instanceof ToLearner l) {
      return take(e.to(), learners.get(e.to()).handle(l));
    }
    throw new AssertionError("no role receives " + m);
  }

  /**
   * Makes {@code node} the leader: acceptors pass their grace, then only that node's proposer is
   * ticked (the others' election timers never fire) until phase 1 completes, delivering every
   * message that {@code deliverable} lets through.
   */
  void elect(int node, Predicate<Envelope> deliverable) {
    passAcceptorGrace();
    for (int t = 0; t < 500; t++) {
      tickAcceptors();
      take(node, proposers.get(node).onTick());
      deliverWhile(deliverable);
      if (proposers.get(node).isLeader()) {
        return;
      }
    }
    fail("node " + node + " did not become leader within 500 ticks");
  }

  void elect(int node) {
    elect(node, e -> true);
  }

  /** The position in {@link #sent} now, to look at what is sent from here on. */
  int mark() {
    return sent.size();
  }

  List<Envelope> sentSince(int mark) {
    return List.copyOf(sent.subList(mark, sent.size()));
  }

  <T extends Message> List<T> sentSince(int mark, Class<T> type) {
    return sentSince(mark).stream().map(Envelope::message).filter(type::isInstance).map(type::cast).toList();
  }
}
