package io.synod.paxos;

import java.util.List;

/**
 * Every message the roles of one group exchange, between nodes or between the roles of one node.
 * The sub-interface says which role receives it, so a shell routes by type and each role handles a
 * closed set. (Java 17 has no pattern switch, so a role dispatches with an {@code instanceof} chain
 * the compiler does not check; {@code RoleDispatchTest} checks that every permitted type reaches a
 * handler.) {@code from} is always the sending node's id; the group is implicit (a shell carries it
 * in its envelope).
 */
public sealed interface Message permits Message.ToAcceptor, Message.ToProposer, Message.ToLearner {

  int from();

  /** Messages an {@link Acceptor} handles. */
  sealed interface ToAcceptor extends Message permits Prepare, PrepareMore, Accept {}

  /** Messages a {@link Proposer} handles. */
  sealed interface ToProposer extends Message
      permits Promise, Accepted, Rejected, Forward, LeaderSeen, CandidateSeen, PromiseRecovered, LearnerProgress,
          ClientRead, ReadIndexRequest, ReadIndexReply, TransferLeadership, TimeoutNow, WakeUp {}

  /** Messages a {@link Learner} handles. */
  sealed interface ToLearner extends Message
      permits Chosen, LocalAccepted, CatchUpRequest, CatchUpReply, SnapshotAvailable, BehindHint, ReadAt {}

  // ---- phase 1 ----

  /** Phase 1a for every instance from {@code fromInstance} on. */
  record Prepare(int from, Ballot ballot, long fromInstance) implements ToAcceptor {
    public Prepare {
      requireInstance(fromInstance, "fromInstance");
    }
  }

  /**
   * The rest of a paged promise whose page starting at {@code fromInstance} was lost: the acceptor
   * that promised {@code ballot} reports its accepted values from there on again. It answers only
   * while {@code ballot} is still the one it promised.
   */
  record PrepareMore(int from, Ballot ballot, long fromInstance) implements ToAcceptor {
    public PrepareMore {
      requireInstance(fromInstance, "fromInstance");
    }
  }

  /**
   * Phase 1b: the acceptor promises {@code ballot} and reports every value it accepted at or above
   * the prepare's {@code fromInstance}. Instances below {@code truncatedBelow} were chosen and then
   * forgotten after a snapshot: a proposer whose log starts below that must catch up first.
   *
   * <p>The report comes in pages of at most {@code max-batch-bytes} of values (one larger value
   * alone), all sent at once, so that each fits the transport's frame however many values the
   * acceptor holds: {@code continuedFrom} is -1 on the first page of the answer to a {@link
   * Prepare}, and otherwise the instance the page starts at; {@code nextFrom} is where the next
   * page starts, or -1 on the last page. The proposer joins them, in any order they arrive, and asks
   * for a lost one with {@link PrepareMore}.
   */
  record Promise(int from, Ballot ballot, List<AcceptedValue> accepted, long truncatedBelow, long continuedFrom,
      long nextFrom) implements ToProposer {
    public Promise {
      accepted = List.copyOf(accepted);
      requireInstance(truncatedBelow, "truncatedBelow");
      if (continuedFrom < -1 || nextFrom < -1) {
        throw new IllegalArgumentException("continuedFrom and nextFrom must be >= -1, got " + continuedFrom + ", "
            + nextFrom);
      }
    }

    /** A whole answer to a {@link Prepare} in one message. */
    public Promise(int from, Ballot ballot, List<AcceptedValue> accepted, long truncatedBelow) {
      this(from, ballot, accepted, truncatedBelow, -1, -1);
    }

    /** Whether this is the last page of the report. */
    public boolean complete() {
      return nextFrom < 0;
    }
  }

  // ---- phase 2 ----

  /**
   * Phase 2a for a batch of instances (all those pending for this acceptor travel together). With
   * no proposals it is the leader's heartbeat. {@code leaseTick} {@code >= 0} asks for a lease and
   * names the leader's tick when it asked; {@code -1} ({@link #NO_LEASE}) asks for none; {@code -2}
   * ({@link #RELEASE_LEASE}) gives back the lease this acceptor granted the sender's node, which
   * a leader handing over leadership does once it has stopped relying on it; {@code -3} ({@link
   * #QUIESCE}) asks for none and says the group is idle: the leader goes quiet once every voter has
   * answered one, and its followers wait for it without an election timer (see {@link
   * PeerLiveness} for what wakes them).
   */
  record Accept(int from, Ballot ballot, List<Proposal> proposals, long leaseTick) implements ToAcceptor {
    public static final long NO_LEASE = -1;
    public static final long RELEASE_LEASE = -2;
    public static final long QUIESCE = -3;

    public Accept {
      proposals = List.copyOf(proposals);
      if (leaseTick < QUIESCE) {
        throw new IllegalArgumentException("leaseTick must be >= -3, got " + leaseTick);
      }
    }
  }

  /**
   * Phase 2b: the acceptor durably accepted {@code instances} at {@code ballot}; with {@code
   * leaseTick >= 0} it also granted the lease asked for at that tick, with {@link
   * Accept#RELEASE_LEASE} it gave back the sender's lease, with {@link Accept#QUIESCE} it knows the
   * group is idle.
   */
  record Accepted(int from, Ballot ballot, List<Long> instances, long leaseTick, long truncatedBelow)
      implements ToProposer {
    public Accepted {
      instances = List.copyOf(instances);
      requireInstance(truncatedBelow, "truncatedBelow");
    }
  }

  /**
   * A prepare or accept at {@code rejected} was refused: the acceptor promised {@code promised}, or
   * ({@code leaseHeld}) it has granted another node a lease that has not yet run out.
   */
  record Rejected(int from, Ballot rejected, Ballot promised, boolean leaseHeld) implements ToProposer {}

  // ---- routing of client work ----

  /** Client commands passed on by a node that is not the leader. */
  record Forward(int from, List<ClientCommand> commands, int hops) implements ToProposer {
    public Forward {
      commands = List.copyOf(commands);
    }
  }

  /**
   * A client's linearizable read, arriving at this node's proposer: served at once if this node
   * leads under its lease, otherwise once the leader has given it a read index ({@link
   * ReadIndexRequest}) and this node's learner has applied that far.
   */
  record ClientRead(int from, long readId, byte[] query) implements ToProposer {}

  /** Node {@code from} asks the leader for the instance its read {@code readId} must wait for (ReadIndex). */
  record ReadIndexRequest(int from, long readId) implements ToProposer {}

  /**
   * The leader's answer to a {@link ReadIndexRequest} (or its own read's): a majority confirmed its
   * leadership after the read was asked, and every write acknowledged before then is at or below
   * {@code readIndex} (-1 for an empty log); or, with {@code readIndex} {@link #REFUSED}, it gives
   * none ({@code leaderHint} names the leader the sender knows, or -1).
   */
  record ReadIndexReply(int from, long readId, long readIndex, int leaderHint) implements ToProposer {
    public static final long REFUSED = Long.MIN_VALUE;

    /** A refusal to {@code to}'s read {@code readId}, naming {@code leaderHint}. */
    public static ReadIndexReply refused(int from, long readId, int leaderHint) {
      return new ReadIndexReply(from, readId, REFUSED, leaderHint);
    }

    public boolean isRefused() {
      return readIndex == REFUSED;
    }
  }

  /**
   * Local, acceptor to proposer: a leader with {@code ballot} is active (it sent an accept); {@code
   * quiet}: the accept said the group is idle ({@link Accept#QUIESCE}), so the leader will send
   * nothing until there is work, and this follower waits without an election timer.
   */
  record LeaderSeen(int from, Ballot ballot, boolean quiet) implements ToProposer {
    public LeaderSeen(int from, Ballot ballot) {
      this(from, ballot, false);
    }
  }

  /**
   * Local, acceptor to proposer: it promised another node's candidate {@code ballot}. As a vote
   * granted does in Raft, this restarts the election timer: the proposer gives that candidate an
   * election timeout to win before it campaigns itself.
   */
  record CandidateSeen(int from, Ballot ballot) implements ToProposer {}

  /**
   * Local, acceptor to proposer: this node's acceptor recovered from its journal, having promised
   * {@code ballot}, the highest ballot this node has seen (its proposer's own among them: a
   * candidate's own acceptor promises first). A restarted proposer's next campaign goes above it,
   * rather than from round 1 into its own acceptor's refusal.
   */
  record PromiseRecovered(int from, Ballot ballot) implements ToProposer {}

  /**
   * From a follower that waited quietly for this node's leadership and heard that this node
   * restarted or gave up a leadership ({@link PeerLiveness}): a quiet leader heartbeats at once.
   */
  record WakeUp(int from) implements ToProposer {}

  /**
   * Local, learner to proposer: every instance below {@code chosenPrefix} is chosen and applied,
   * {@code membership} is the group's from there on, and {@code chain} is the learner's checksum
   * chain through {@code chosenPrefix - 1} (or {@link ChainMark#NONE}), which a leader asserts in
   * its {@link Chosen} messages.
   */
  record LearnerProgress(int from, long chosenPrefix, Membership membership, ChainMark chain) implements ToProposer {
    public LearnerProgress {
      if (membership == null || chain == null) {
        throw new IllegalArgumentException("learner progress needs the membership and the chain");
      }
      if (!chain.isNone() && chain.through() != chosenPrefix - 1) {
        throw new IllegalArgumentException("learner progress to " + chosenPrefix + " carries the chain through "
            + chain.through() + ", not through " + (chosenPrefix - 1));
      }
    }

    /** Progress that asserts no chain. */
    public LearnerProgress(int from, long chosenPrefix, Membership membership) {
      this(from, chosenPrefix, membership, ChainMark.NONE);
    }
  }

  // ---- leadership transfer ----

  /**
   * Asks the leader to hand leadership to node {@code to}: from an operator (then {@code from} is
   * the node it was asked at) or passed on by a node that does not lead.
   */
  record TransferLeadership(int from, int to, int hops) implements ToProposer {}

  /**
   * From the leader at {@code ballot} to the node it hands leadership to: a majority of the
   * acceptors, the receiver's among them, gave back the leader's lease, so campaign now.
   */
  record TimeoutNow(int from, Ballot ballot) implements ToProposer {}

  // ---- learning ----

  /**
   * Instances chosen by the leader. An entry has no value when the receiver's acceptor accepted it
   * at that ballot (the receiver holds it already). {@code horizon}: every instance below it is
   * chosen, as far as the sender knows. {@code chain}: the sender's checksum chain as far as its
   * learner applied, for the receiver to compare with its own.
   */
  record Chosen(int from, List<ChosenEntry> entries, long horizon, ChainMark chain) implements ToLearner {
    public Chosen {
      entries = List.copyOf(entries);
      requireChain(chain);
    }

    /** Chosen instances without a chain to compare. */
    public Chosen(int from, List<ChosenEntry> entries, long horizon) {
      this(from, entries, horizon, ChainMark.NONE);
    }
  }

  /** Local, acceptor to learner: values it has durably accepted, to resolve value-less Chosen. */
  record LocalAccepted(int from, List<AcceptedValue> entries) implements ToLearner {
    public LocalAccepted {
      entries = List.copyOf(entries);
    }
  }

  /** A lagging learner asks a peer for chosen values from {@code fromInstance}, at most {@code max}. */
  record CatchUpRequest(int from, long fromInstance, int max) implements ToLearner {
    public CatchUpRequest {
      requireInstance(fromInstance, "fromInstance");
      if (max < 1) {
        throw new IllegalArgumentException("max must be >= 1, got " + max);
      }
    }
  }

  /**
   * Chosen values, consecutive from the request's {@code fromInstance}; {@code horizon} as in
   * Chosen. {@code before} and {@code after}: the sender's checksum chain just before the first
   * entry and through the last, each {@link ChainMark#NONE} where the sender cannot say (it has
   * not applied that far, or no longer keeps it).
   */
  record CatchUpReply(int from, List<Proposal> entries, long horizon, ChainMark before, ChainMark after)
      implements ToLearner {
    public CatchUpReply {
      entries = List.copyOf(entries);
      requireChain(before);
      requireChain(after);
    }

    /** Chosen values without a chain to compare. */
    public CatchUpReply(int from, List<Proposal> entries, long horizon) {
      this(from, entries, horizon, ChainMark.NONE, ChainMark.NONE);
    }
  }

  /** The peer forgot the instances asked for: install its snapshot covering up to {@code instance}. */
  record SnapshotAvailable(int from, long instance) implements ToLearner {}

  /**
   * Local, proposer to learner: peer {@code peer}'s log starts at {@code horizon} (it holds a
   * checkpoint there); this node must catch up, from that peer if need be (it may be outside the
   * membership this node's learner knows).
   */
  record BehindHint(int from, long horizon, int peer) implements ToLearner {
    public BehindHint(int from, long horizon) {
      this(from, horizon, -1);
    }
  }

  /** Local, proposer to learner: serve read {@code readId} once everything through {@code readIndex} is applied. */
  record ReadAt(int from, long readId, long readIndex, byte[] query) implements ToLearner {}

  // ---- entries ----

  /** An instance and the value proposed (or known chosen) for it. */
  record Proposal(long instance, Value value) {
    public Proposal {
      requireInstance(instance, "instance");
    }
  }

  /** A value an acceptor accepted, with the ballot it accepted it at. */
  record AcceptedValue(long instance, Ballot ballot, Value value) {
    public AcceptedValue {
      requireInstance(instance, "instance");
    }
  }

  /** A chosen instance; {@code value} is null when the receiver already holds it. */
  record ChosenEntry(long instance, Ballot ballot, Value value) {
    public ChosenEntry {
      requireInstance(instance, "instance");
    }
  }

  /**
   * An assertion about a replica's applied history: its checksum chain through instance {@code
   * through} is {@code chain} (see docs/protocol.md, "The checksum chain"). {@link #NONE} asserts
   * nothing.
   */
  record ChainMark(long through, int chain) {
    /** No assertion: the chain before instance 0, which is 0 by definition. */
    public static final ChainMark NONE = new ChainMark(-1, 0);

    public ChainMark {
      if (through < -1) {
        throw new IllegalArgumentException("a chain mark's instance must be >= -1, got " + through);
      }
      if (through == -1 && chain != 0) {
        throw new IllegalArgumentException("the chain before instance 0 is 0, got " + Integer.toHexString(chain));
      }
    }

    /** Whether this asserts nothing. */
    public boolean isNone() {
      return through < 0;
    }
  }

  private static void requireChain(ChainMark chain) {
    if (chain == null) {
      throw new IllegalArgumentException("a chain mark must not be null (ChainMark.NONE asserts nothing)");
    }
  }

  private static void requireInstance(long instance, String name) {
    if (instance < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + instance);
    }
  }
}
