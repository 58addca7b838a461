package io.synod.paxos;

import io.synod.paxos.CommandQueue.Batch;
import io.synod.paxos.CommandQueue.CommandId;
import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.Accepted;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.BehindHint;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.TimeoutNow;
import io.synod.paxos.Message.TransferLeadership;
import io.synod.paxos.Pipeline.InFlight;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The phase of a proposer that won phase 1 and runs phase 2 only. It re-proposes what phase 1
 * found, batches waiting commands into new instances while its window has room, sends everything
 * pending for an acceptor in one {@link Accept}, resends what is unanswered, announces chosen
 * instances in instance order, asks for its lease with every heartbeat, goes quiet while the group
 * is idle ({@link Quiescence}), and hands leadership over when asked (or when a change removes it
 * from the voters). Its one reason to change: how a leader drives the log; the pieces it keeps are
 * each a class of their own.
 */
final class Leading implements ProposerPhase {

  /** What the proposer must do after a leader's input. */
  enum Outcome {
    LEAD_ON,
    /** Stop leading: another leader has been at work, or a handover did not happen in time. */
    STEP_DOWN,
    /** A chosen change made voters that never promised this ballot: run phase 1 again, at once. */
    CAMPAIGN_AGAIN,
    /** This leader has not heard from a majority of its voters for an election timeout: stop leading. */
    QUORUM_LOST
  }

  private final GroupConfig config;
  private final int self;
  private final Ballot ballot;
  private final CommandQueue queue;
  private final MembershipView view;
  private final Pipeline pipeline;
  private final LeaderLease lease;
  private final Quiescence quiescence;
  private final QuorumCheck quorum;
  private final ReadConfirmations reads;
  private final PreferredLeader preferred;
  /** The tick of this leader's newest lease request: a ReadIndex read waits for one sent after it arrived. */
  private long lastLeaseAsk = Long.MIN_VALUE;
  /** The handover under way, or null. */
  private Handover handover;
  private long lastHeartbeat;
  /** The local learner's checksum chain as far as it applied: what this leader's Chosen messages assert. */
  private Message.ChainMark applied = Message.ChainMark.NONE;
  /** The shell's last wall-clock reading: the stamp of this leader's new values (re-proposals keep theirs). */
  private long wallClockMillis;

  /**
   * The leadership that phase 1 {@code won} makes: for every instance from the first it covered to
   * the highest reported, it re-proposes the value accepted at the highest ballot (holes become
   * no-ops). Nothing is sent until {@link #start}.
   */
  Leading(GroupConfig config, Ballot ballot, PromiseTally won, LeaderLease lease, QuorumCheck quorum,
      CommandQueue queue, long now) {
    this.config = config;
    this.self = config.self();
    this.ballot = ballot;
    this.queue = queue;
    this.lease = lease;
    TreeMap<Long, AcceptedValue> highest = won.highestAccepted();
    this.view = new MembershipView(won.from(), won.membership(), won.promisers());
    this.pipeline = new Pipeline(won.from(), config.tuning().retransmitTicks(), queue);
    this.quiescence = new Quiescence(config.tuning().electionTimeoutTicks(), now);
    this.quorum = quorum;
    this.reads = new ReadConfirmations(self);
    this.preferred = new PreferredLeader(config, now);
    long last = highest.isEmpty() ? won.from() - 1 : highest.lastKey();
    for (long i = won.from(); i <= last; i++) {
      AcceptedValue h = highest.get(i);
      propose(h == null ? Value.noop() : h.value(), List.of(), now);
    }
    this.lastHeartbeat = now;
  }

  /** Fills the window with waiting commands and sends every instance, asking for a lease. */
  void start(long now, Decision.Builder d) {
    fillWindow(now);
    sendToVoters(d, pipeline.proposals(), now);
    askLease(now);
  }

  Outcome onTick(long now, Decision.Builder d) {
    if (handover != null && now >= handover.deadline()) {
      // The handover did not happen in time. This leader gave its lease back, so it must not lead on
      // at this ballot (a late release could undo a lease it asked for again): it steps down, and
      // the next election decides.
      return Outcome.STEP_DOWN;
    }
    if (checkQuorum(now) == Outcome.QUORUM_LOST) {
      return Outcome.QUORUM_LOST;
    }
    Map<Integer, List<Proposal>> resend = pipeline.takeResends(now, view);
    boolean heartbeat = !quiescence.quiet() && now - lastHeartbeat >= config.tuning().heartbeatTicks()
        || reads.needAskAfter(lastLeaseAsk); // a ReadIndex read waits for a lease request sent after it
    int preferredNode = heartbeat && handover == null
        ? preferred.handOverTo(now, view.latest(), live().size() == 1, quorum, pipeline) : -1;
    if (preferredNode >= 0) {
      // The group's preferred leader is ready: leadership goes to it; the handover's accepts are this beat.
      startHandover(preferredNode, now, d);
      heartbeat = false;
    }
    long leaseTick = Accept.NO_LEASE;
    if (heartbeat) {
      lastHeartbeat = now;
      if (handover != null) {
        leaseTick = Accept.RELEASE_LEASE; // while handing over: give the lease back, ask for none
      } else if (quiescence.heartbeatSaysQuiet(now, idle(now))) {
        leaseTick = Accept.QUIESCE; // idle: ask no lease, and tell the voters that have not heard it yet
      } else {
        leaseTick = now;
        askLease(now);
      }
    }
    for (int m : Quorums.votersOf(live())) {
      List<Proposal> proposals = resend.getOrDefault(m, List.of());
      boolean beat = heartbeat && (leaseTick != Accept.QUIESCE || quiescence.waitsFor(m));
      if (beat || !proposals.isEmpty()) {
        sendAccepts(d, m, proposals, beat ? leaseTick : Accept.NO_LEASE);
      }
    }
    if (heartbeat) {
      for (int m : Quorums.everyoneOf(live())) {
        if (m != self) {
          d.sendNow(m, new Chosen(self, List.of(), pipeline.horizon(), applied));
        }
      }
      tellTargetIfReleased(d); // again, in case the last one was lost
    }
    return Outcome.LEAD_ON;
  }

  /** An acceptor's answer to this leader's Accept: acceptances, a lease grant or give-back, its truncation. */
  Outcome onAccepted(Accepted a, long now, Decision.Builder d) {
    pipeline.onAccepted(a.instances(), a.from(), view);
    quorum.answered(a.from(), now);
    if (a.leaseTick() == Accept.QUIESCE) {
      quiescence.heard(a.from(), Quorums.votersOf(live()));
    } else if (a.leaseTick() >= 0) {
      lease.onGrant(a.leaseTick(), a.from(), live());
      reads.confirmed(lease.confirmed(), d);
    } else if (a.leaseTick() == Accept.RELEASE_LEASE && handover != null && handover.onReleased(a.from())) {
      tellTargetIfReleased(d);
    }
    if (a.truncatedBelow() > 0 && pipeline.drivesBelow(a.truncatedBelow())) {
      // A peer snapshotted past instances we still drive: they are chosen; our learner fetches them.
      pipeline.dropBelow(a.truncatedBelow());
      d.sendNow(self, new BehindHint(self, a.truncatedBelow(), a.from()));
    }
    Outcome outcome = announceChosen(now, d);
    if (outcome == Outcome.LEAD_ON) {
      proposeNew(now, d);
    }
    return outcome;
  }

  /**
   * Check-quorum ({@link QuorumCheck}): {@link Outcome#QUORUM_LOST} once this leader has not heard
   * from a majority of its voters for an election timeout; on every tick that does more than count,
   * and when the node's failure detector calls a peer silent (a quiet leader has no ticks due).
   */
  Outcome checkQuorum(long now) {
    return quorum.lost(now, live()) ? Outcome.QUORUM_LOST : Outcome.LEAD_ON;
  }

  /** The local learner has applied every instance below {@code chosenPrefix}, reaching {@code known}. */
  Outcome onLearnerProgress(long chosenPrefix, Membership known, long now, Decision.Builder d) {
    if (chosenPrefix > pipeline.next()
        || chosenPrefix >= view.firstFrom() && !view.at(chosenPrefix).sameNodes(known)) {
      return Outcome.STEP_DOWN; // instances we never proposed are chosen: another leader has been at work
    }
    pipeline.dropBelow(chosenPrefix);
    Outcome outcome = announceChosen(now, d);
    if (outcome == Outcome.LEAD_ON) {
      view.forgetBefore(pipeline.horizon());
      proposeNew(now, d);
    }
    return outcome;
  }

  /** The local learner's checksum chain reached {@code chain}: the next Chosen messages carry it. */
  void noteApplied(Message.ChainMark chain) {
    applied = chain;
  }

  /** The shell's wall-clock time, in milliseconds since the epoch: the stamp of the values proposed from now on. */
  void noteWallClock(long millis) {
    wallClockMillis = millis;
  }

  /**
   * A request to hand leadership over: see {@link Proposer#transferLeadership}. One to this leader
   * itself, to a node that will not vote, or while a handover is under way changes nothing.
   */
  void onTransferLeadership(TransferLeadership t, long now, Decision.Builder d) {
    if (t.to() == self || handover != null || !view.latest().isVoter(t.to())) {
      return;
    }
    startHandover(t.to(), now, d);
  }

  /** Moves waiting commands into new instances while the window has room, and sends them. */
  void proposeNew(long now, Decision.Builder d) {
    List<Proposal> fresh = fillWindow(now);
    if (!fresh.isEmpty()) {
      busy(now); // these accepts wake the followers: they run their election timers again
      sendToVoters(d, fresh, Accept.NO_LEASE);
    }
  }

  /**
   * Work for a quiet group (a read with no lease, a follower's {@link Message.WakeUp}, a peer that
   * restarted): it heartbeats at once, asking for its lease, and stays active until idle again.
   */
  void wake(long now, Decision.Builder d) {
    if (busy(now) && handover == null) {
      lastHeartbeat = now;
      askLease(now);
      sendToVoters(d, List.of(), now);
    }
  }

  /**
   * Follower {@code from} asks whether this node still leads ({@link Message.WakeUp}): a quiet
   * leader tells it again that the group is idle (a quiet heartbeat to it alone); an active one
   * says so with its next heartbeat anyway.
   */
  void confirm(int from, Decision.Builder d) {
    if (quiescence.quiet() && view.latest().isVoter(from)) {
      d.sendNow(from, new Accept(self, ballot, List.of(), Accept.QUIESCE));
    }
  }

  /**
   * Node {@code asker}'s read {@code readId} asks for a read index (ReadIndex, see {@link
   * ReadConfirmations}): answered with a {@link Message.ReadIndexReply} at once under this leader's
   * lease, otherwise once a majority granted a lease request sent after now (the next tick's
   * heartbeat asks for it); refused while this leader hands leadership over.
   */
  void askReadIndex(int asker, long readId, long now, Decision.Builder d) {
    if (handover != null) {
      d.sendNow(asker, Message.ReadIndexReply.refused(self, readId, handover.target()));
    } else if (lease.covers(now)) {
      busy(now);
      d.sendNow(asker, new Message.ReadIndexReply(self, readId, readIndex(), -1));
    } else {
      busy(now);
      reads.ask(asker, readId, readIndex(), now);
    }
  }

  /** A read was served under the lease: a group read from keeps its lease, so it does not go quiet. */
  void servedRead(long now) {
    busy(now);
  }

  /**
   * There is work ({@link Quiescence#busy}); returns whether the group was quiet or going quiet,
   * in which case its voters get a fresh timeout to answer the heartbeats that start again.
   */
  private boolean busy(long now) {
    boolean wasIdle = quiescence.busy(now);
    if (wasIdle) {
      quorum.resumed(now);
    }
    return wasIdle;
  }

  /**
   * This phase ends: the instances in flight are abandoned, and the reads waiting for a read index
   * refused, naming {@code leaderHint} (the leader now believed in, or -1).
   */
  void abandon(int leaderHint, Decision.Builder d) {
    pipeline.abandon();
    reads.refuseAll(leaderHint, d);
  }

  /** Whether a majority's lease covers tick {@code now}. */
  boolean leaseCovers(long now) {
    return lease.covers(now);
  }

  /** Everything acknowledged so far is at or below this instance, the highest assigned. */
  long readIndex() {
    return pipeline.next() - 1;
  }

  /** The node this leader is handing leadership to, or -1. */
  int handingOverTo() {
    return handover == null ? -1 : handover.target();
  }

  /** The membership of the next instance this leader would propose (changes it proposed included). */
  Membership membership() {
    return view.latest();
  }

  int instancesInFlight() {
    return pipeline.size();
  }

  /** Whether the group is quiet: this leader sends nothing until there is work. */
  boolean quiet() {
    return quiescence.quiet();
  }

  @Override
  public long dueAt(long now) {
    long next = quiescence.quiet() ? Long.MAX_VALUE : lastHeartbeat + config.tuning().heartbeatTicks();
    if (lease.until() > now) {
      next = Math.min(next, lease.until());
    }
    if (handover != null) {
      next = Math.min(next, handover.deadline());
    }
    if (reads.needAskAfter(lastLeaseAsk)) {
      next = Math.min(next, reads.newestAskedAt() + 1);
    }
    if (checkQuorum(now) == Outcome.QUORUM_LOST) {
      return now; // lost by an input (a change of voters): the next tick steps down
    }
    next = Math.min(next, quorum.nextExpiry(now, live()));
    return Math.min(next, pipeline.nextResendAt());
  }

  /**
   * Nothing in flight, nothing waiting, no handover, one membership, no preferred leader to hand over
   * to soon: a heartbeat may say the group is idle.
   */
  private boolean idle(long now) {
    return pipeline.size() == 0 && queue.isEmpty() && handover == null && live().size() == 1 && reads.size() == 0
        && !preferred.awaited(now, view.latest(), quorum);
  }

  private void askLease(long now) {
    lease.ask(now);
    lastLeaseAsk = now;
  }

  // ---- proposing ----

  private List<Proposal> fillWindow(long now) {
    List<Proposal> fresh = new ArrayList<>();
    // Nothing past a membership change until it is chosen and this leader holds a majority of the new
    // voters' promises (see announceChosen).
    while (pipeline.size() < config.tuning().window() && !queue.isEmpty() && view.promisedByMajorityOf(view.latest())) {
      Batch batch = queue.takeBatch();
      Value value = Value.of(batch.commands(), wallClockMillis);
      long instance = propose(value, batch.ids(), now);
      fresh.add(new Proposal(instance, value));
    }
    return fresh;
  }

  /** Puts {@code value} in flight at the next instance and notes a membership it changes; returns the instance. */
  private long propose(Value value, List<CommandId> commands, long now) {
    long instance = pipeline.add(value, commands, now);
    if (view.noteProposed(instance, value)) {
      // A lease granted by the old voters alone must not outlive the change: once it is chosen the
      // new voters alone elect. Ask anew; grants now count only with a majority of each membership.
      lease.drop();
    }
    return instance;
  }

  // ---- choosing ----

  /**
   * Announces the instances from the first in flight that a majority of their membership's voters
   * accepted, up to the first that is not. Chosen in instance order only: an instance's membership
   * is made by the values before it, and only once those are chosen is it the group's rather than
   * merely this leader's view. Once a change is chosen, a leader it removed from the voters hands
   * leadership to one that remains; one whose new voters never promised its ballot campaigns again.
   */
  private Outcome announceChosen(long now, Decision.Builder d) {
    TreeMap<Long, InFlight> done = pipeline.takeChosen();
    if (done.isEmpty()) {
      return Outcome.LEAD_ON;
    }
    long horizon = pipeline.horizon();
    // Everyone of the memberships of these instances and after: a node a change removed hears of it.
    Set<Integer> audience = Quorums.everyoneOf(view.from(done.firstKey()));
    audience.add(self); // this node's learner, whether this node is still a member or not
    for (int m : audience) {
      sendChosen(d, m, done, horizon);
    }
    view.forgetBefore(horizon);
    Membership latest = view.latest();
    if (view.latestFrom() > horizon) {
      return Outcome.LEAD_ON; // a change is still being decided
    }
    if (!latest.isVoter(self)) {
      if (handover == null) {
        startHandover(latest.voters().get(0), now, d); // this node does not vote: hand leadership to a voter
      }
      return Outcome.LEAD_ON;
    }
    // The change is chosen, but the new voters never promised this ballot: a proposer with a lower
    // one may have run phase 1 with them. Proposing under them now could choose a second value for
    // an instance; run phase 1 again, at a higher ballot, with the new membership in the chain.
    return view.promisedByMajorityOf(latest) ? Outcome.LEAD_ON : Outcome.CAMPAIGN_AGAIN;
  }

  /**
   * Tells {@code m} the instances of {@code done}, in Chosen messages of at most {@code
   * maxBatchBytes} of values each; the value only to a node that did not accept it.
   */
  private void sendChosen(Decision.Builder d, int m, TreeMap<Long, InFlight> done, long horizon) {
    List<ChosenEntry> entries = new ArrayList<>(done.size());
    long bytes = 0;
    for (Map.Entry<Long, InFlight> e : done.entrySet()) {
      Value value = e.getValue().acceptedBy.contains(m) ? null : e.getValue().value;
      long size = Value.ENTRY_OVERHEAD_BYTES + (value == null ? 0 : value.bytes().length);
      if (!entries.isEmpty() && bytes + size > config.tuning().maxBatchBytes()) {
        d.sendNow(m, new Chosen(self, entries, horizon, applied));
        entries = new ArrayList<>();
        bytes = 0;
      }
      entries.add(new ChosenEntry(e.getKey(), ballot, value));
      bytes += size;
    }
    d.sendNow(m, new Chosen(self, entries, horizon, applied));
  }

  // ---- handing over ----

  /**
   * The leader stops relying on its lease at once (no lease reads from now on) and asks every
   * acceptor to give it back; the target is told to campaign once enough have (see {@link Handover}).
   */
  private void startHandover(int to, long now, Decision.Builder d) {
    busy(now);
    handover = new Handover(to, now + config.tuning().electionTimeoutTicks());
    lease.drop();
    reads.refuseAll(to, d); // they wait for lease requests, which a handing-over leader no longer makes
    lastHeartbeat = now;
    sendToVoters(d, List.of(), Accept.RELEASE_LEASE);
  }

  private void tellTargetIfReleased(Decision.Builder d) {
    if (handover != null && handover.targetMayCampaign(live())) {
      d.sendNow(handover.target(), new TimeoutNow(self, ballot));
    }
  }

  // ---- sending ----

  /** The memberships of the instances this leader still drives and of those it will propose next. */
  private Collection<Membership> live() {
    return view.from(pipeline.horizon());
  }

  /**
   * Sends each proposal to the voters of its instance's membership, in Accepts that carry {@code
   * leaseTick} to every live voter (one even with no proposals for it, unless {@code leaseTick} is
   * {@link Accept#NO_LEASE}).
   */
  private void sendToVoters(Decision.Builder d, List<Proposal> proposals, long leaseTick) {
    Collection<Membership> live = live();
    if (live.size() == 1) { // the usual case: one membership, every proposal to every voter
      for (int m : live.iterator().next().voters()) {
        if (!proposals.isEmpty() || leaseTick != Accept.NO_LEASE) {
          sendAccepts(d, m, proposals, leaseTick);
        }
      }
      return;
    }
    for (int m : Quorums.votersOf(live)) {
      List<Proposal> mine = new ArrayList<>(proposals.size());
      for (Proposal p : proposals) {
        if (view.at(p.instance()).isVoter(m)) {
          mine.add(p);
        }
      }
      if (!mine.isEmpty() || leaseTick != Accept.NO_LEASE) {
        sendAccepts(d, m, mine, leaseTick);
      }
    }
  }

  /**
   * Sends {@code proposals} to {@code m} in Accepts of at most {@code maxBatchBytes} of values each
   * (a larger value alone), so that each fits the transport's frame: a new leader re-proposes, and a
   * leader resends, up to a whole window of values at once. With no proposals, one (heartbeat).
   */
  private void sendAccepts(Decision.Builder d, int m, List<Proposal> proposals, long leaseTick) {
    List<Proposal> part = new ArrayList<>();
    long bytes = 0;
    for (Proposal p : proposals) {
      long size = Value.ENTRY_OVERHEAD_BYTES + p.value().bytes().length;
      if (!part.isEmpty() && bytes + size > config.tuning().maxBatchBytes()) {
        d.sendNow(m, new Accept(self, ballot, part, leaseTick));
        part = new ArrayList<>();
        bytes = 0;
      }
      part.add(p);
      bytes += size;
    }
    d.sendNow(m, new Accept(self, ballot, part, leaseTick));
  }
}
