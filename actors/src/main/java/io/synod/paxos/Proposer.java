package io.synod.paxos;

import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.Accepted;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.Message.Forward;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.LearnerProgress;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.PrepareMore;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.Rejected;
import io.synod.paxos.Message.TimeoutNow;
import io.synod.paxos.Message.ToProposer;
import io.synod.paxos.Message.TransferLeadership;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The proposer of one group on one node; at most one proposer at a time is the leader that drives
 * the log forward.
 *
 * <p>A follower that hears no leader for an election timeout (plus random jitter) runs phase 1 for
 * every instance from its learner's first unchosen one. It asks its own acceptor first and waits
 * for that promise to be durable, so a ballot is never reused after a crash: the next ballot is
 * always above the local acceptor's promise. With a majority of promises it re-proposes, for each
 * instance, the value accepted at the highest ballot (holes become no-ops), and from then on runs
 * phase 2 only: client commands are batched into values, up to {@link GroupConfig#window()}
 * instances are in flight, and everything pending for an acceptor travels in one {@link Accept}.
 * Heartbeats ask for a lease; with a majority of grants the leader answers reads locally until
 * {@link GroupConfig#leaderLeaseTicks()} after it asked. A rejection with a higher ballot makes it
 * step down and pass waiting commands to the node it now believes leads.
 */
public class Proposer {

  enum Phase {
    FOLLOWER,
    /** Phase 1 started: waiting for the local acceptor's durable promise. */
    PREPARING_LOCAL,
    /** Phase 1 at the other acceptors. */
    PREPARING,
    LEADING
  }

  /** A command's identity: a retry carries the same one. */
  private record CommandId(long clientId, long sequence) {
    static CommandId of(ClientCommand c) {
      return new CommandId(c.clientId(), c.sequence());
    }
  }

  private static final class InFlight {
    final Value value;
    /** The commands this proposer batched into the value (none for values recovered in phase 1). */
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
  }

  /**
   * An unanswered instance is resent after {@code retransmitTicks}, then after twice as long each
   * time, up to {@code 2^RESEND_BACKOFF_MAX} times as long. Under load the acceptors' answers take
   * longer than {@code retransmitTicks} (the benchmark's 512 clients saw 50 to 100 ms); resending
   * every in-flight instance at a fixed interval then doubled the load on a cluster that was
   * already behind, and Artery's send queues overflowed.
   */
  static final int RESEND_BACKOFF_MAX = 3;

  private final GroupConfig config;
  private final RandomGenerator random;
  private final int self;

  private long now;
  private Phase phase = Phase.FOLLOWER;
  private Ballot ballot = Ballot.ZERO;
  private Ballot highestSeen = Ballot.ZERO;
  private int leaderHint = -1;
  private long electionDeadline;
  private long phaseDeadline;
  private long lastPrepareSent;
  /** Every instance below this is chosen and applied by the local learner. */
  private long chosenPrefix;
  /** The membership from {@link #chosenPrefix} on, as the local learner applied it. */
  private Membership known;
  /**
   * While leading: the membership of every instance from the first this leader drives, as its own
   * values make it. Each entry holds from its key up to the next key; the last from there on.
   */
  private final TreeMap<Long, Membership> view = new TreeMap<>();
  /**
   * While leading: the acceptors that promised this ballot. This leader proposes only under a
   * membership a majority of whose voters are among them: once a change to another is chosen, it
   * runs phase 1 again.
   */
  private final Set<Integer> promisers = new HashSet<>();

  private long prepareFrom;
  /** The membership at {@link #prepareFrom}: phase 1 starts from it. */
  private Membership prepareMembership;
  /** Whole promises of this ballot, by acceptor: their pages joined into one. */
  private final Map<Integer, Promise> promises = new HashMap<>();
  /**
   * Promises of this ballot whose report is still arriving: the pages so far by acceptor, each
   * page under its {@code continuedFrom} (-1 for the first), in whatever order they came.
   */
  private final Map<Integer, TreeMap<Long, Promise>> partial = new HashMap<>();
  private final Set<Integer> refusals = new HashSet<>();
  /** The acceptors asked for a promise of this ballot. */
  private final Set<Integer> asked = new HashSet<>();

  private long nextInstance;
  private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
  private final ArrayDeque<ClientCommand> pending = new ArrayDeque<>();
  /**
   * Commands waiting or in flight here. A client retry of one of them is dropped instead of queued
   * again: under overload, queued retries would otherwise crowd out new work.
   */
  private final Set<CommandId> carried = new HashSet<>();
  private long leaseUntil;
  private final TreeMap<Long, Set<Integer>> leaseGrants = new TreeMap<>();
  private long lastHeartbeat;
  /** The node this leader hands leadership to, or -1. */
  private int transferTo = -1;
  private long transferDeadline;
  /** The acceptors that gave back this leader's lease since the handover began. */
  private final Set<Integer> releasedBy = new HashSet<>();

  public Proposer(GroupConfig config, RandomGenerator random) {
    this.config = config;
    this.random = random;
    this.self = config.self();
    this.known = config.initialMembership();
    // Acceptors refuse prepares for a lease period after they start; campaigning earlier is wasted.
    this.electionDeadline = Math.max(config.electionTimeoutTicks(), config.leaseTicks()) + jitter();
  }

  public Decision handle(ToProposer message) {
    if (message instanceof Promise p) {
      return onPromise(p);
    } else if (message instanceof Accepted a) {
      return onAccepted(a);
    } else if (message instanceof Rejected r) {
      return onRejected(r);
    } else if (message instanceof Forward f) {
      return onForward(f);
    } else if (message instanceof ClientRead r) {
      return onClientRead(r);
    } else if (message instanceof LeaderSeen s) {
      return onLeaderSeen(s);
    } else if (message instanceof LearnerProgress p) {
      return onLearnerProgress(p);
    } else if (message instanceof TransferLeadership t) {
      return onTransferLeadership(t);
    } else if (message instanceof TimeoutNow t) {
      return onTimeoutNow(t);
    }
    throw new IllegalStateException("proposer cannot handle " + message);
  }

  /** A client command arriving at this node. */
  public Decision onClientCommand(ClientCommand command) {
    Decision.Builder d = new Decision.Builder();
    route(d, List.of(command), 0, self);
    return d.build();
  }

  public Decision onTick() {
    now++;
    Decision.Builder d = new Decision.Builder();
    switch (phase) {
      case FOLLOWER -> {
        if (now >= electionDeadline) {
          if (known.isVoter(self)) {
            startPhaseOne(d);
          } else {
            electionDeadline = now + config.electionTimeoutTicks() + jitter(); // a learner never campaigns
          }
        }
      }
      case PREPARING_LOCAL, PREPARING -> {
        if (now >= phaseDeadline) {
          backOff(d, -1, jitter());
        } else if (phase == Phase.PREPARING && now - lastPrepareSent >= config.retransmitTicks()) {
          sendPrepares(d, false);
        }
      }
      case LEADING -> tickLeader(d);
    }
    return d.build();
  }

  // ---- phase 1 ----

  private void startPhaseOne(Decision.Builder d) {
    phase = Phase.PREPARING_LOCAL;
    ballot = Ballot.max(highestSeen, ballot).next(self);
    highestSeen = ballot;
    prepareFrom = chosenPrefix;
    prepareMembership = known;
    promises.clear();
    partial.clear();
    refusals.clear();
    asked.clear();
    asked.add(self);
    phaseDeadline = now + config.prepareTimeoutTicks();
    // Our own acceptor first: once its promise is durable, this ballot can never be chosen again.
    d.sendNow(self, new Prepare(self, ballot, prepareFrom));
  }

  /**
   * Asks the other members for their promise (all of them, or those that have not answered in
   * whole); where some pages of a promise are in but one is missing, asks for the pages from the
   * first missing one on instead (of our own acceptor's promise too).
   */
  private void sendPrepares(Decision.Builder d, boolean all) {
    for (int m : votersOf(phaseOneChain())) {
      asked.add(m);
      if (promises.containsKey(m) || refusals.contains(m) && !all || m == self && all) {
        // (With all, our own acceptor is answering already: its pages are on their way.)
        continue;
      }
      TreeMap<Long, Promise> pages = partial.get(m);
      long missing = pages == null ? -1 : firstMissingPage(pages);
      if (missing >= 0) {
        d.sendNow(m, new PrepareMore(self, ballot, missing));
      } else if (m != self) {
        d.sendNow(m, new Prepare(self, ballot, prepareFrom));
      }
    }
    lastPrepareSent = now;
  }

  /**
   * Following the pages from the first: where the first missing page starts, -1 if the first page
   * itself is missing, or {@link Long#MAX_VALUE} if none is (the report is whole).
   */
  private static long firstMissingPage(TreeMap<Long, Promise> pages) {
    Promise page = pages.get(-1L);
    if (page == null) {
      return -1;
    }
    while (!page.complete()) {
      Promise next = pages.get(page.nextFrom());
      if (next == null) {
        return page.nextFrom();
      }
      page = next;
    }
    return Long.MAX_VALUE;
  }

  private Decision onPromise(Promise p) {
    if (!p.ballot().equals(ballot) || (phase != Phase.PREPARING_LOCAL && phase != Phase.PREPARING)) {
      return Decision.NONE;
    }
    for (AcceptedValue v : p.accepted()) {
      v.value().verify(config.group(), v.instance(), p.from());
    }
    if (phase == Phase.PREPARING_LOCAL && p.from() != self) {
      return Decision.NONE; // a late answer to a ballot an earlier incarnation used: wait for ours
    }
    if (promises.containsKey(p.from())) {
      return Decision.NONE; // a page of a report we have whole already
    }
    TreeMap<Long, Promise> pages = partial.computeIfAbsent(p.from(), k -> new TreeMap<>());
    if (pages.putIfAbsent(p.continuedFrom(), p) != null) {
      return Decision.NONE; // a duplicate page
    }
    Decision.Builder d = new Decision.Builder();
    if (phase == Phase.PREPARING_LOCAL) {
      // Our own acceptor's promise is durable (any page of it says so): ask the others.
      phase = Phase.PREPARING;
      sendPrepares(d, true);
    }
    if (firstMissingPage(pages) != Long.MAX_VALUE) {
      phaseDeadline = Math.max(phaseDeadline, now + config.prepareTimeoutTicks()); // still arriving: give it time
      return d.build();
    }
    // Whole: the pages from the first, joined.
    List<AcceptedValue> accepted = new ArrayList<>();
    long truncatedBelow = 0;
    for (Promise page = pages.get(-1L); page != null; page = page.complete() ? null : pages.get(page.nextFrom())) {
      accepted.addAll(page.accepted());
      truncatedBelow = Math.max(truncatedBelow, page.truncatedBelow());
    }
    partial.remove(p.from());
    promises.put(p.from(), new Promise(p.from(), ballot, accepted, truncatedBelow));
    List<Membership> chain = phaseOneChain();
    if (majorityOfEach(chain, promises.keySet())) {
      becomeLeader(d);
    } else {
      for (int m : votersOf(chain)) {
        if (asked.add(m)) {
          d.sendNow(m, new Prepare(self, ballot, prepareFrom)); // a membership the promises report: ask its voters too
        }
      }
    }
    return d.build();
  }

  private void becomeLeader(Decision.Builder d) {
    long forgottenBelow = 0;
    int forgottenBy = -1;
    for (Promise p : promises.values()) {
      if (p.truncatedBelow() > forgottenBelow) {
        forgottenBelow = p.truncatedBelow();
        forgottenBy = p.from();
      }
    }
    if (forgottenBelow > prepareFrom) {
      // A promiser forgot chosen instances we have not learned: we cannot know their values, so we
      // must not lead until our learner has caught up past them.
      d.sendNow(self, new Message.BehindHint(self, forgottenBelow, forgottenBy));
      backOff(d, -1, config.electionTimeoutTicks() + jitter());
      return;
    }
    TreeMap<Long, AcceptedValue> highest = highestAccepted();
    promisers.clear();
    promisers.addAll(promises.keySet());
    phase = Phase.LEADING;
    endTransfer();
    leaderHint = self;
    promises.clear();
    partial.clear();
    refusals.clear();
    inFlight.clear();
    leaseGrants.clear();
    leaseUntil = 0;
    view.clear();
    view.put(prepareFrom, prepareMembership);
    long last = highest.isEmpty() ? prepareFrom - 1 : highest.lastKey();
    for (long i = prepareFrom; i <= last; i++) {
      AcceptedValue h = highest.get(i);
      propose(i, h == null ? Value.noop() : h.value(), List.of());
    }
    nextInstance = last + 1;
    fillWindow();
    List<Proposal> all = new ArrayList<>(inFlight.size());
    inFlight.forEach((i, f) -> all.add(new Proposal(i, f.value)));
    sendToVoters(d, all, now);
    leaseGrants.put(now, new HashSet<>());
    lastHeartbeat = now;
  }

  /**
   * For every instance from {@link #prepareFrom}, the value accepted at the highest ballot in the
   * promises so far. Reports from more acceptors than a majority only add values that were
   * accepted, so the highest of them is still the only value that can have been chosen.
   */
  private TreeMap<Long, AcceptedValue> highestAccepted() {
    TreeMap<Long, AcceptedValue> highest = new TreeMap<>();
    for (Promise p : promises.values()) {
      for (AcceptedValue v : acceptedReportedIn(p)) {
        if (v.instance() < prepareFrom) {
          continue;
        }
        AcceptedValue h = highest.get(v.instance());
        if (h == null || v.ballot().isAbove(h.ballot())) {
          highest.put(v.instance(), v);
        }
      }
    }
    return highest;
  }

  /**
   * The memberships phase 1 must hear a majority of: the one at {@link #prepareFrom}, and each one
   * the values reported so far would make, in instance order (a membership change may have been
   * chosen, and the instances after it decided by its voters alone).
   */
  private List<Membership> phaseOneChain() {
    List<Membership> chain = new ArrayList<>();
    Membership m = prepareMembership;
    chain.add(m);
    for (AcceptedValue v : highestAccepted().values()) {
      Membership next = v.value().membershipAfter(m);
      if (next != m) {
        chain.add(next);
        m = next;
      }
    }
    return chain;
  }

  private static Set<Integer> votersOf(List<Membership> memberships) {
    Set<Integer> voters = new java.util.TreeSet<>();
    memberships.forEach(m -> voters.addAll(m.voters()));
    return voters;
  }

  private static boolean majorityOfEach(java.util.Collection<Membership> memberships, Set<Integer> nodes) {
    for (Membership m : memberships) {
      int count = 0;
      for (int v : m.voters()) {
        if (nodes.contains(v)) {
          count++;
        }
      }
      if (count < m.quorum()) {
        return false;
      }
    }
    return true;
  }

  /** Puts {@code value} in flight at {@code instance} (the next one) and notes a membership it changes. */
  private void propose(long instance, Value value, List<CommandId> commands) {
    inFlight.put(instance, new InFlight(value, commands, now));
    Membership before = view.lastEntry().getValue();
    Membership after = value.membershipAfter(before);
    if (after != before) {
      view.put(instance + 1, after);
      // A lease granted by the old voters alone must not outlive the change: once it is chosen the
      // new voters alone elect. Ask anew; grants now count only with a majority of each membership.
      leaseUntil = 0;
      leaseGrants.clear();
    }
  }

  /** The membership of {@code instance} in this leader's view. */
  private Membership membershipAt(long instance) {
    Map.Entry<Long, Membership> e = view.floorEntry(instance);
    return e == null ? view.firstEntry().getValue() : e.getValue();
  }

  /** The memberships of the instances this leader still drives and of those it will propose next. */
  private java.util.Collection<Membership> liveMemberships() {
    Long from = view.floorKey(horizon());
    return (from == null ? view : view.tailMap(from, true)).values();
  }

  /** The voters of {@link #liveMemberships}: the acceptors this leader sends accepts to. */
  private Set<Integer> liveVoters() {
    return votersOf(new ArrayList<>(liveMemberships()));
  }

  /** Voters and learners of {@link #liveMemberships}: the nodes told what is chosen. */
  private Set<Integer> audience() {
    Set<Integer> all = new java.util.TreeSet<>();
    liveMemberships().forEach(m -> all.addAll(m.everyone()));
    return all;
  }

  /**
   * Sends each proposal to the voters of its instance's membership, in Accepts that carry {@code
   * leaseTick} to every live voter (one even with no proposals for it, unless {@code leaseTick} is
   * {@link Accept#NO_LEASE}).
   */
  private void sendToVoters(Decision.Builder d, List<Proposal> proposals, long leaseTick) {
    java.util.Collection<Membership> live = liveMemberships();
    if (live.size() == 1) { // the usual case: one membership, every proposal to every voter
      for (int m : live.iterator().next().voters()) {
        if (!proposals.isEmpty() || leaseTick != Accept.NO_LEASE) {
          sendAccepts(d, m, proposals, leaseTick);
        }
      }
      return;
    }
    for (int m : liveVoters()) {
      List<Proposal> mine = new ArrayList<>(proposals.size());
      for (Proposal p : proposals) {
        if (membershipAt(p.instance()).isVoter(m)) {
          mine.add(p);
        }
      }
      if (!mine.isEmpty() || leaseTick != Accept.NO_LEASE) {
        sendAccepts(d, m, mine, leaseTick);
      }
    }
  }

  /** The values a promise reports as accepted; phase 1 must take every one of them into account. */
  List<AcceptedValue> acceptedReportedIn(Promise promise) {
    return promise.accepted();
  }

  // ---- phase 2 ----

  private void tickLeader(Decision.Builder d) {
    Map<Integer, List<Proposal>> resend = new HashMap<>();
    for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
      InFlight f = e.getValue();
      if (now - f.sentAt >= (long) config.retransmitTicks() << Math.min(f.resends, RESEND_BACKOFF_MAX)) {
        f.sentAt = now;
        f.resends++;
        for (int m : membershipAt(e.getKey()).voters()) {
          if (!f.acceptedBy.contains(m)) {
            resend.computeIfAbsent(m, k -> new ArrayList<>()).add(new Proposal(e.getKey(), f.value));
          }
        }
      }
    }
    if (transferTo >= 0 && now >= transferDeadline) {
      // The handover did not happen in time. This leader gave its lease back, so it must not lead on
      // at this ballot (a late release could undo a lease it asked for again): it steps down, and
      // the next election decides.
      backOff(d, -1, config.electionTimeoutTicks() + jitter());
      return;
    }
    boolean heartbeat = now - lastHeartbeat >= config.heartbeatTicks();
    long leaseTick = Accept.NO_LEASE;
    if (heartbeat) {
      lastHeartbeat = now;
      if (transferTo >= 0) {
        leaseTick = Accept.RELEASE_LEASE; // while handing over: give the lease back, ask for none
      } else {
        leaseTick = now;
        leaseGrants.put(now, new HashSet<>());
        leaseGrants.headMap(now - config.leaderLeaseTicks()).clear();
      }
    }
    Set<Integer> voters = liveVoters();
    for (int m : voters) {
      List<Proposal> proposals = resend.getOrDefault(m, List.of());
      if (heartbeat || !proposals.isEmpty()) {
        sendAccepts(d, m, proposals, leaseTick);
      }
    }
    if (heartbeat) {
      for (int m : audience()) {
        if (m != self) {
          d.sendNow(m, new Message.Chosen(self, List.of(), horizon()));
        }
      }
    }
    if (heartbeat) {
      sendTimeoutNowIfReleased(d); // again, in case the last one was lost
    }
  }

  private Decision onAccepted(Accepted a) {
    if (phase != Phase.LEADING || !a.ballot().equals(ballot)) {
      return Decision.NONE;
    }
    Decision.Builder d = new Decision.Builder();
    for (long i : a.instances()) {
      InFlight f = inFlight.get(i);
      if (f != null && !f.accepted) {
        Membership m = membershipAt(i);
        if (m.isVoter(a.from()) && f.acceptedBy.add(a.from()) && f.acceptedBy.size() >= m.quorum()) {
          f.accepted = true;
        }
      }
    }
    if (a.leaseTick() >= 0) {
      Set<Integer> grants = leaseGrants.get(a.leaseTick());
      if (grants != null && grants.add(a.from()) && majorityOfEach(liveMemberships(), grants)) {
        leaseUntil = Math.max(leaseUntil, a.leaseTick() + config.leaderLeaseTicks());
        leaseGrants.headMap(a.leaseTick(), true).clear();
      }
    } else if (a.leaseTick() == Accept.RELEASE_LEASE && transferTo >= 0 && releasedBy.add(a.from())) {
      sendTimeoutNowIfReleased(d);
    }
    if (a.truncatedBelow() > 0 && !inFlight.isEmpty() && inFlight.firstKey() < a.truncatedBelow()) {
      // A peer snapshotted past instances we still drive: they are chosen; our learner fetches them.
      dropInFlightBelow(a.truncatedBelow());
      d.sendNow(self, new Message.BehindHint(self, a.truncatedBelow(), a.from()));
    }
    announceChosen(d);
    proposeNew(d);
    return d.build();
  }

  /**
   * Announces the instances from the first in flight that a majority of their membership's voters
   * accepted, up to the first that is not. Chosen in instance order only: an instance's membership
   * is made by the values before it, and only once those are chosen is it the group's rather than
   * merely this leader's view.
   */
  private void announceChosen(Decision.Builder d) {
    TreeMap<Long, InFlight> done = new TreeMap<>();
    while (!inFlight.isEmpty() && inFlight.firstEntry().getValue().accepted) {
      Map.Entry<Long, InFlight> e = inFlight.pollFirstEntry();
      carried.removeAll(e.getValue().commands);
      done.put(e.getKey(), e.getValue());
    }
    if (done.isEmpty()) {
      return;
    }
    long horizon = horizon();
    // Everyone of the memberships of these instances and after: a node a change removed hears of it.
    Long from = view.floorKey(done.firstKey());
    Set<Integer> audience = new java.util.TreeSet<>();
    audience.add(self); // this node's learner, whether this node is still a member or not
    (from == null ? view : view.tailMap(from, true)).values().forEach(m -> audience.addAll(m.everyone()));
    for (int m : audience) {
      List<ChosenEntry> entries = new ArrayList<>(done.size());
      long bytes = 0;
      for (Map.Entry<Long, InFlight> e : done.entrySet()) {
        Value value = e.getValue().acceptedBy.contains(m) ? null : e.getValue().value;
        long size = Value.ENTRY_OVERHEAD_BYTES + (value == null ? 0 : value.bytes().length);
        if (!entries.isEmpty() && bytes + size > config.maxBatchBytes()) {
          d.sendNow(m, new Message.Chosen(self, entries, horizon));
          entries = new ArrayList<>();
          bytes = 0;
        }
        entries.add(new ChosenEntry(e.getKey(), ballot, value));
        bytes += size;
      }
      d.sendNow(m, new Message.Chosen(self, entries, horizon));
    }
    pruneView();
    Membership latest = view.lastEntry().getValue();
    if (view.lastKey() > horizon) {
      return; // a change is still being decided
    }
    if (!latest.isVoter(self)) {
      if (transferTo < 0) {
        startTransfer(d, latest.voters().get(0)); // this node does not vote: hand leadership to a voter
      }
    } else if (!majorityOfEach(List.of(latest), promisers)) {
      // The change is chosen, but the new voters never promised this ballot: a proposer with a lower
      // one may have run phase 1 with them. Proposing under them now could choose a second value for
      // an instance; run phase 1 again, at a higher ballot, with the new membership in the chain.
      backOff(d, self, 0);
      startPhaseOne(d);
    }
  }

  /** Forgets memberships of instances chosen before the first one this leader still drives. */
  private void pruneView() {
    Long from = view.floorKey(horizon());
    if (from != null) {
      view.headMap(from).clear();
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
      if (!part.isEmpty() && bytes + size > config.maxBatchBytes()) {
        d.sendNow(m, new Accept(self, ballot, part, leaseTick));
        part = new ArrayList<>();
        bytes = 0;
      }
      part.add(p);
      bytes += size;
    }
    d.sendNow(m, new Accept(self, ballot, part, leaseTick));
  }

  /** Below this every instance is chosen, as far as this leader knows. */
  private long horizon() {
    return inFlight.isEmpty() ? nextInstance : inFlight.firstKey();
  }

  /** Moves waiting commands into new instances while the window has room, and sends them. */
  private void proposeNew(Decision.Builder d) {
    List<Proposal> fresh = fillWindow();
    if (!fresh.isEmpty()) {
      sendToVoters(d, fresh, Accept.NO_LEASE);
    }
  }

  private List<Proposal> fillWindow() {
    List<Proposal> fresh = new ArrayList<>();
    // Nothing past a membership change until it is chosen and this leader holds a majority of the new
    // voters' promises (see announceChosen).
    while (phase == Phase.LEADING && inFlight.size() < config.window() && !pending.isEmpty()
        && majorityOfEach(List.of(view.lastEntry().getValue()), promisers)) {
      List<ClientCommand> batch = new ArrayList<>();
      List<CommandId> ids = new ArrayList<>();
      int bytes = 0;
      while (!pending.isEmpty() && batch.size() < config.maxBatchCommands()
          && (batch.isEmpty() || bytes + pending.peekFirst().encodedSize() <= config.maxBatchBytes())) {
        ClientCommand c = pending.pollFirst();
        bytes += c.encodedSize();
        batch.add(c);
        ids.add(CommandId.of(c));
      }
      long instance = nextInstance++;
      Value value = Value.of(batch);
      propose(instance, value, ids);
      fresh.add(new Proposal(instance, value));
    }
    return fresh;
  }

  // ---- leadership changes ----

  private Decision onRejected(Rejected r) {
    highestSeen = Ballot.max(highestSeen, r.promised());
    if (!r.rejected().equals(ballot) || phase == Phase.FOLLOWER) {
      return Decision.NONE;
    }
    Decision.Builder d = new Decision.Builder();
    if (phase == Phase.LEADING) {
      if (r.promised().isAbove(ballot)) {
        backOff(d, r.promised().nodeId(), config.electionTimeoutTicks() + jitter());
      }
      return d.build();
    }
    if (!r.leaseHeld() && r.promised().isAbove(ballot)) {
      backOff(d, r.promised().nodeId(), jitter());
      return d.build();
    }
    refusals.add(r.from());
    if (r.from() == self || !canStillReachMajorities()) {
      backOff(d, -1, jitter());
    }
    return d.build();
  }

  /** Whether the acceptors that have not refused could still make a majority of each membership phase 1 needs. */
  private boolean canStillReachMajorities() {
    for (Membership m : phaseOneChain()) {
      int open = 0;
      for (int v : m.voters()) {
        if (!refusals.contains(v)) {
          open++;
        }
      }
      if (open < m.quorum()) {
        return false;
      }
    }
    return true;
  }

  private Decision onLeaderSeen(LeaderSeen s) {
    highestSeen = Ballot.max(highestSeen, s.ballot());
    int leader = s.ballot().nodeId();
    if (leader == self || s.ballot().isBelow(ballot) && phase != Phase.FOLLOWER) {
      return Decision.NONE;
    }
    Decision.Builder d = new Decision.Builder();
    if (phase != Phase.FOLLOWER) {
      backOff(d, leader, config.electionTimeoutTicks() + jitter());
    } else {
      leaderHint = leader;
      electionDeadline = now + config.electionTimeoutTicks() + jitter();
      flushPendingTo(d, leader);
    }
    return d.build();
  }

  private Decision onLearnerProgress(LearnerProgress p) {
    if (p.chosenPrefix() >= chosenPrefix) {
      chosenPrefix = p.chosenPrefix();
      known = p.membership();
    }
    if (phase != Phase.LEADING) {
      return Decision.NONE;
    }
    Decision.Builder d = new Decision.Builder();
    if (chosenPrefix > nextInstance
        || chosenPrefix >= view.firstKey() && !membershipAt(chosenPrefix).sameNodes(known)) {
      // Instances we never proposed are chosen: another leader has been at work.
      backOff(d, -1, config.electionTimeoutTicks() + jitter());
      return d.build();
    }
    dropInFlightBelow(chosenPrefix);
    announceChosen(d);
    pruneView();
    proposeNew(d);
    return d.build();
  }

  private void dropInFlightBelow(long instance) {
    Map<Long, InFlight> gone = inFlight.headMap(instance);
    gone.values().forEach(f -> carried.removeAll(f.commands));
    gone.clear();
  }

  /** Stops leading or campaigning; waiting commands go to {@code newLeader} if it is known. */
  private void backOff(Decision.Builder d, int newLeader, long ticks) {
    phase = Phase.FOLLOWER;
    leaderHint = newLeader == self ? -1 : newLeader;
    electionDeadline = now + ticks;
    inFlight.values().forEach(f -> carried.removeAll(f.commands));
    inFlight.clear();
    leaseGrants.clear();
    leaseUntil = 0;
    endTransfer();
    promises.clear();
    partial.clear();
    refusals.clear();
    view.clear();
    promisers.clear();
    if (leaderHint >= 0) {
      flushPendingTo(d, leaderHint);
    }
  }

  // ---- leadership transfer ----

  /**
   * Hands leadership to member {@code to}: see {@link #onTransferLeadership}. A node that does not
   * lead passes the request to the leader it knows.
   *
   * @throws IllegalArgumentException if {@code to} is not a member
   */
  public Decision transferLeadership(int to) {
    Membership m = membership();
    if (!m.isVoter(to)) {
      throw new IllegalArgumentException("node " + to + " is not a voting member of group '" + config.group() + "' "
          + m.voters());
    }
    return onTransferLeadership(new TransferLeadership(self, to, 0));
  }

  /**
   * The leader stops relying on its lease at once (no lease reads from now on) and asks every
   * acceptor to give it back; once a majority has, the target's own acceptor among them, it tells
   * the target to campaign ({@link TimeoutNow}). The target's ballot is higher, so this leader
   * steps down when it meets it. Meanwhile it goes on proposing. If the target does not take over
   * within an election timeout, this leader steps down anyway: it cannot take its lease back at
   * this ballot. A request while a handover is under way, or to hand over to this leader itself,
   * changes nothing.
   */
  private Decision onTransferLeadership(TransferLeadership t) {
    Decision.Builder d = new Decision.Builder();
    if (phase != Phase.LEADING) {
      if (leaderHint >= 0 && leaderHint != self && leaderHint != t.from() && t.hops() < config.maxForwardHops()) {
        d.sendNow(leaderHint, new TransferLeadership(self, t.to(), t.hops() + 1));
      }
      return d.build();
    }
    if (t.to() == self || transferTo >= 0 || !view.lastEntry().getValue().isVoter(t.to())) {
      return Decision.NONE;
    }
    startTransfer(d, t.to());
    return d.build();
  }

  private void startTransfer(Decision.Builder d, int to) {
    transferTo = to;
    transferDeadline = now + config.electionTimeoutTicks();
    releasedBy.clear();
    leaseUntil = 0;
    leaseGrants.clear();
    lastHeartbeat = now;
    sendToVoters(d, List.of(), Accept.RELEASE_LEASE);
  }

  private void sendTimeoutNowIfReleased(Decision.Builder d) {
    if (transferTo >= 0 && releasedBy.contains(transferTo) && majorityOfEach(liveMemberships(), releasedBy)) {
      d.sendNow(transferTo, new TimeoutNow(self, ballot));
    }
  }

  /** The leader hands leadership to this node: campaign now, unless a newer leader is known. */
  private Decision onTimeoutNow(TimeoutNow t) {
    if (phase != Phase.FOLLOWER || t.ballot().isBelow(highestSeen) || !known.isVoter(self)) {
      return Decision.NONE;
    }
    Decision.Builder d = new Decision.Builder();
    startPhaseOne(d);
    return d.build();
  }

  private void endTransfer() {
    transferTo = -1;
    releasedBy.clear();
  }

  /** The node this leader is handing leadership to, or -1. */
  public int transferringTo() {
    return transferTo;
  }

  // ---- client work ----

  private Decision onForward(Forward f) {
    Decision.Builder d = new Decision.Builder();
    route(d, f.commands(), f.hops(), f.from());
    return d.build();
  }

  private void route(Decision.Builder d, List<ClientCommand> commands, int hops, int cameFrom) {
    if (phase != Phase.LEADING && leaderHint >= 0 && leaderHint != self && leaderHint != cameFrom
        && hops < config.maxForwardHops()) {
      forward(d, leaderHint, commands, hops + 1);
      return;
    }
    // No leader to pass them to (or they went round in circles): keep them until one is known.
    for (ClientCommand c : commands) {
      if (carried.contains(CommandId.of(c))) {
        continue; // a retry of a command already waiting or in flight here
      }
      if (pending.size() >= config.maxPendingCommands()) {
        d.refuse(new Refusal(c, Refusal.Reason.OVERLOADED, leaderHint));
      } else {
        pending.addLast(c);
        carried.add(CommandId.of(c));
      }
    }
    if (phase == Phase.LEADING) {
      proposeNew(d);
    }
  }

  /**
   * Sends commands to another node in {@code Forward}s of at most {@code maxBatchBytes} of
   * payload each (at least one command each), so that each fits the transport's frame: a node
   * that stops leading may hold thousands of waiting commands.
   */
  private void forward(Decision.Builder d, int to, List<ClientCommand> commands, int hops) {
    List<ClientCommand> part = new ArrayList<>();
    long bytes = 0;
    for (ClientCommand c : commands) {
      long size = Value.ENTRY_OVERHEAD_BYTES + c.payload().length;
      if (!part.isEmpty() && bytes + size > config.maxBatchBytes()) {
        d.sendNow(to, new Forward(self, part, hops));
        part = new ArrayList<>();
        bytes = 0;
      }
      part.add(c);
      bytes += size;
    }
    if (!part.isEmpty()) {
      d.sendNow(to, new Forward(self, part, hops));
    }
  }

  private void flushPendingTo(Decision.Builder d, int leader) {
    if (!pending.isEmpty() && leader != self) {
      forward(d, leader, new ArrayList<>(pending), 1);
      pending.forEach(c -> carried.remove(CommandId.of(c)));
      pending.clear();
    }
  }

  private Decision onClientRead(ClientRead r) {
    Decision.Builder d = new Decision.Builder();
    if (hasLease()) {
      // Everything acknowledged before this read is at or below the highest instance we assigned.
      d.sendNow(self, new Message.ReadAt(self, r.readId(), nextInstance - 1, r.query()));
    } else {
      d.read(ReadOutcome.refused(r.readId(), leaderHint));
    }
    return d.build();
  }

  private long jitter() {
    return 1 + random.nextInt(config.electionJitterTicks());
  }

  /**
   * How many ticks from now the next {@link #onTick} may do more than count time (at least 1): a
   * follower's election deadline, a candidate's phase deadline or next resend of its prepares, a
   * leader's next heartbeat or resend, or the end of its lease (after which {@link #hasLease} is
   * false: a driver that reports the lease must look then). Until then every tick only counts, so
   * a driver may sleep and hand the ticks over late, all at once, with the same effect; an input
   * may bring the time closer, so ask again after each one. An idle group then costs a wake-up per
   * heartbeat or election timeout instead of one per tick.
   */
  public long ticksUntilDue() {
    long due = switch (phase) {
      case FOLLOWER -> electionDeadline;
      case PREPARING_LOCAL -> phaseDeadline;
      case PREPARING -> Math.min(phaseDeadline, lastPrepareSent + config.retransmitTicks());
      case LEADING -> {
        long next = lastHeartbeat + config.heartbeatTicks();
        if (leaseUntil > now) {
          next = Math.min(next, leaseUntil);
        }
        if (transferTo >= 0) {
          next = Math.min(next, transferDeadline);
        }
        for (InFlight f : inFlight.values()) {
          next = Math.min(next, f.sentAt + ((long) config.retransmitTicks() << Math.min(f.resends, RESEND_BACKOFF_MAX)));
        }
        yield next;
      }
    };
    return Math.max(1, due - now);
  }

  // ---- observation ----

  public boolean isLeader() {
    return phase == Phase.LEADING;
  }

  /** True while this node leads and a majority's lease covers the current tick. */
  public boolean hasLease() {
    return leaseCoversNow();
  }

  /** Whether a majority's lease covers this tick; the one place lease reads are decided. */
  boolean leaseCoversNow() {
    return phase == Phase.LEADING && now < leaseUntil;
  }

  /** The node this proposer believes leads, itself included; -1 if it knows none. */
  public int leaderHint() {
    return leaderHint;
  }

  public Ballot ballot() {
    return ballot;
  }

  /**
   * The latest membership this node knows: while it leads, that of the next instance it would
   * propose (changes it proposed included); otherwise the one its learner applied.
   */
  public Membership membership() {
    return phase == Phase.LEADING && !view.isEmpty() ? view.lastEntry().getValue() : known;
  }

  int pendingCommands() {
    return pending.size();
  }

  int instancesInFlight() {
    return inFlight.size();
  }

  Phase phase() {
    return phase;
  }
}
