package io.synod.paxos;

import io.synod.paxos.Message.Accepted;
import io.synod.paxos.Message.BehindHint;
import io.synod.paxos.Message.CandidateSeen;
import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.Message.Forward;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.LearnerProgress;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.PromiseRecovered;
import io.synod.paxos.Message.ReadIndexReply;
import io.synod.paxos.Message.ReadIndexRequest;
import io.synod.paxos.Message.Rejected;
import io.synod.paxos.Message.TimeoutNow;
import io.synod.paxos.Message.ToProposer;
import io.synod.paxos.Message.TransferLeadership;
import io.synod.paxos.Message.WakeUp;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The proposer of one group on one node; at most one proposer at a time is the leader that drives
 * the log forward.
 *
 * <p>A follower that hears no leader for an election timeout (plus random jitter) campaigns: it
 * runs phase 1 for every instance from its learner's first unchosen one ({@link Campaigning}).
 * With a majority of promises it leads ({@link Leading}): it re-proposes what phase 1 found and
 * from then on runs phase 2 only, batching client commands into values, with up to {@link
 * Tuning#window()} instances in flight. Heartbeats ask for a lease; with a majority of grants
 * the leader answers reads locally until {@link Tuning#leaderLeaseTicks()} after it asked. A
 * rejection with a higher ballot makes it step down and pass waiting commands to the node it now
 * believes leads; so does an election timeout in which it did not hear from a majority of its
 * voters (check-quorum, {@link QuorumCheck}). A membership change goes through the log like any command; how a leader stays
 * safe while it pipelines instances across one is described on {@link MembershipView}. An idle
 * group goes quiet: its leader stops heartbeating ({@link Quiescence}) and its followers wait
 * without an election timer, woken by work or by news of the leader's node ({@link #onPeerNews}).
 *
 * <p>This class conducts: it hands each input to its current phase ({@link ProposerPhase}) and
 * keeps what outlives a phase (the ballots, the leader it believes in, what its learner applied,
 * the waiting commands). Every change of phase goes through {@code become}.
 */
public class Proposer {

  private final GroupConfig config;
  private final RandomGenerator random;
  private final ProposerParts parts;
  private final int self;
  private final CommandQueue queue;
  private final Forwarding forwarding;

  /** The most ticks {@link #ticksUntilDue} ever says: a quiet group still looks at its clock now and then. */
  static final long MAX_TICKS_UNTIL_DUE = 1_000_000;
  /**
   * How many election timeouts a follower waits quietly before it asks the leader to confirm that it
   * still leads: a backstop for news overtaken by a late accept (see {@link Following}).
   */
  static final int QUIET_BACKSTOP_FACTOR = 64;

  private long now;
  private ProposerPhase phase;
  private Ballot ballot = Ballot.ZERO;
  private Ballot highestSeen = Ballot.ZERO;
  /** The node believed to lead: this one while it leads, -1 if none is known. */
  private int leaderHint = -1;
  /** Every instance below this is chosen and applied by the local learner. */
  private long chosenPrefix;
  /** The membership from {@link #chosenPrefix} on, as the local learner applied it. */
  private Membership known;
  /** The local learner's checksum chain through {@code chosenPrefix - 1}, which a leader asserts in its Chosen. */
  private Message.ChainMark appliedChain = Message.ChainMark.NONE;
  private final CampaignBackoff backoff;
  /** Peers the node's failure detector calls silent and has not heard again since ({@link #onPeerNews}). */
  private final Set<Integer> silentPeers = new HashSet<>();
  /** Leaderships this proposer gave up because it no longer heard a majority of its voters. */
  private long quorumLosses;
  private final ClientReads reads;
  /** The wall-clock time the shell last gave ({@link #onWallClock}): what this node's values are stamped with. */
  private long wallClockMillis;

  public Proposer(GroupConfig config, RandomGenerator random) {
    this(config, random, ProposerParts.SOUND);
  }

  /** A proposer built from {@code parts}: how the tests build a deliberately broken one. */
  Proposer(GroupConfig config, RandomGenerator random, ProposerParts parts) {
    this.config = config;
    this.random = random;
    this.parts = parts;
    this.self = config.self();
    Tuning tuning = config.tuning();
    this.queue = new CommandQueue(tuning.maxPendingCommands(), tuning.maxBatchCommands(), tuning.maxBatchBytes());
    this.forwarding = new Forwarding(self, tuning.maxBatchBytes(), tuning.maxForwardHops());
    this.known = config.initialMembership();
    this.backoff = new CampaignBackoff(tuning);
    this.reads = new ClientReads(self, 2L * tuning.electionTimeoutTicks());
    // Acceptors refuse prepares for a lease period after they start; campaigning earlier is wasted.
    // A group that starts on every node at once (a cluster's first start) has one node go first, a
    // different one for each group: not every node campaigning for every group at the same time
    // (see startRank; a restarted node usually hears the leader before its turn).
    this.phase = new Following(Math.max(tuning.electionTimeoutTicks(), tuning.leaseTicks()) + jitter()
        + (long) startRank(config) * tuning.electionTimeoutTicks());
  }

  public Decision handle(ToProposer message) {
    // Java 17 has no pattern switch; RoleDispatchTest checks every permitted type is handled.
    Decision.Builder d = new Decision.Builder();
    if (message instanceof Promise p) {
      onPromise(p, d);
    } else if (message instanceof Accepted a) {
      onAccepted(a, d);
    } else if (message instanceof Rejected r) {
      onRejected(r, d);
    } else if (message instanceof Forward f) {
      route(d, f.commands(), f.hops(), f.from());
    } else if (message instanceof ClientRead r) {
      reads.onClientRead(r, phase, leaderHint, now, d);
    } else if (message instanceof ReadIndexRequest r) {
      reads.onReadIndexRequest(r, phase, leaderHint, now, d);
    } else if (message instanceof ReadIndexReply r) {
      reads.onReadIndexReply(r, leaderHint, d);
    } else if (message instanceof LeaderSeen s) {
      onLeaderSeen(s, d);
    } else if (message instanceof LearnerProgress p) {
      onLearnerProgress(p, d);
    } else if (message instanceof TransferLeadership t) {
      onTransferLeadership(t, d);
    } else if (message instanceof TimeoutNow t) {
      onTimeoutNow(t, d);
    } else if (message instanceof WakeUp w) {
      onWakeUp(w, d);
    } else if (message instanceof CandidateSeen c) {
      onCandidateSeen(c, d);
    } else if (message instanceof PromiseRecovered r) {
      if (r.from() == self) { // this node's own acceptor only: another node's cannot speak for it
        highestSeen = Ballot.max(highestSeen, r.ballot()); // the next campaign goes above it
      }
    } else {
      throw new IllegalStateException("proposer cannot handle " + message);
    }
    return d.build();
  }

  /** A client command arriving at this node. */
  public Decision onClientCommand(ClientCommand command) {
    Decision.Builder d = new Decision.Builder();
    route(d, List.of(command), 0, self);
    return d.build();
  }

  /**
   * {@code ticks} ticks at once, as a shell hands over the ticks it slept through: those in which
   * {@link #ticksUntilDue} said nothing is due only count, the others are {@link #onTick}s, whose
   * decisions go to {@code out} in order. A busy node that comes late to its timers so does not run
   * one tick after another for nothing.
   */
  public void onTicks(int ticks, Consumer<Decision> out) {
    if (ticks < 0) {
      throw new IllegalArgumentException("ticks must be >= 0, got " + ticks);
    }
    for (long left = ticks; left > 0; left--) {
      long quiet = Math.min(left - 1, ticksUntilDue() - 1);
      now += quiet;
      left -= quiet;
      out.accept(onTick());
    }
  }

  /**
   * The wall-clock time, in milliseconds since the epoch, as the shell read it just now (the core
   * reads no clock): the values this node proposes as leader from now on are stamped with it
   * ({@link Value#stamp}), and the stamps of the values applied make the log's time, by which
   * sessions expire. A shell gives it before every input; one that never does stamps 0, and its
   * values leave the log's time as it was.
   *
   * @throws IllegalArgumentException if {@code millis} is negative
   */
  public void onWallClock(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("wall-clock time must be >= 0, got " + millis);
    }
    wallClockMillis = millis;
    if (phase instanceof Leading l) {
      l.noteWallClock(millis);
    }
  }

  public Decision onTick() {
    now++;
    Decision.Builder d = new Decision.Builder();
    reads.expire(now, leaderHint, d); // no read index came in time: the clients ask again
    if (phase instanceof Following f) {
      if (f.deadlinePassed(now) && f.quietUnder() >= 0) {
        askQuietLeader(d, f); // the backstop: does the leader it waits for still lead?
      } else if (f.deadlinePassed(now) && known.isVoter(self)) {
        campaign(d);
      } else if (f.deadlinePassed(now)) {
        f.postpone(now + config.tuning().electionTimeoutTicks() + jitter()); // a learner never campaigns
      }
    } else if (phase instanceof Campaigning c) {
      if (c.onTick(now, d)) {
        failedCampaign(d, -1); // timed out
      }
    } else if (phase instanceof Leading l) {
      follow(d, l.onTick(now, d));
    }
    return d.build();
  }

  // ---- changes of phase ----

  /**
   * The one way the proposer changes phase: the old phase ends (a leader's instances in flight are
   * abandoned, their commands free to be carried again), the node believed to lead becomes {@code
   * leader}, and {@code next} begins: a follower passes its waiting commands to that leader, a
   * campaign asks its own acceptor for a promise, a leader proposes.
   */
  private void become(Decision.Builder d, ProposerPhase next, int leader) {
    if (phase instanceof Leading old) {
      old.abandon(leader == self ? -1 : leader, d);
    }
    phase = next;
    boolean newLeader = leader != leaderHint || next instanceof Leading;
    leaderHint = leader;
    if (next instanceof Following && leader >= 0) {
      flushPendingTo(d, leader);
    } else if (next instanceof Campaigning campaign) {
      campaign.start(d);
    } else if (next instanceof Leading leading) {
      leading.start(now, d);
    }
    if (newLeader) {
      reads.onLeaderChanged(phase, leader, now, d); // the reads waiting for an index ask the new leader
    }
  }

  /** Stops leading or campaigning, or follows a leader newly seen, until {@code ticks} from now. */
  private void stepDown(Decision.Builder d, int newLeader, long ticks) {
    become(d, new Following(now + ticks), newLeader == self ? -1 : newLeader);
  }

  /** Starts phase 1 at a ballot above every one seen; commands still go to the leader believed in. */
  private void campaign(Decision.Builder d) {
    ballot = Ballot.max(highestSeen, ballot).next(self);
    highestSeen = ballot;
    become(d, new Campaigning(config, ballot, parts.promiseTally(chosenPrefix, known), now, backoff.patience()),
        leaderHint);
  }

  /** Phase 1 is won: leads, unless a promiser forgot chosen instances this node has not learned. */
  private void lead(Decision.Builder d, Campaigning won) {
    Promise truncated = won.tally().mostTruncated();
    if (truncated != null && truncated.truncatedBelow() > won.tally().from()) {
      // We cannot know the values of those instances, so we must not lead until our learner has
      // caught up past them.
      d.sendNow(self, new BehindHint(self, truncated.truncatedBelow(), truncated.from()));
      stepDown(d, -1, config.tuning().electionTimeoutTicks() + jitter());
      return;
    }
    backoff.reset();
    QuorumCheck quorum = parts.quorumCheck(config, Collections.unmodifiableSet(silentPeers), now);
    Leading leading = new Leading(config, ballot, won.tally(), parts.lease(config), quorum, queue, now);
    leading.noteApplied(appliedChain);
    leading.noteWallClock(wallClockMillis);
    become(d, leading, self);
  }

  /** Carries out what a leader's input leaves to the proposer. */
  private void follow(Decision.Builder d, Leading.Outcome outcome) {
    switch (outcome) {
      case LEAD_ON -> { }
      case STEP_DOWN -> stepDown(d, -1, config.tuning().electionTimeoutTicks() + jitter());
      case QUORUM_LOST -> {
        quorumLosses++;
        stepDown(d, -1, config.tuning().electionTimeoutTicks() + jitter());
      }
      case CAMPAIGN_AGAIN -> {
        stepDown(d, self, 0);
        campaign(d);
      }
    }
  }

  // ---- inputs ----

  private void onPromise(Promise p, Decision.Builder d) {
    if (phase instanceof Campaigning c && p.ballot().equals(ballot) && c.onPromise(p, now, d)) {
      lead(d, c);
    }
  }

  private void onAccepted(Accepted a, Decision.Builder d) {
    if (phase instanceof Leading l && a.ballot().equals(ballot)) {
      follow(d, l.onAccepted(a, now, d));
    }
  }

  private void onRejected(Rejected r, Decision.Builder d) {
    highestSeen = Ballot.max(highestSeen, r.promised());
    if (!r.rejected().equals(ballot)) {
      return;
    }
    if (phase instanceof Leading) {
      if (r.promised().isAbove(ballot)) {
        stepDown(d, r.promised().nodeId(), config.tuning().electionTimeoutTicks() + jitter());
      }
    } else if (phase instanceof Campaigning c) {
      if (!r.leaseHeld() && r.promised().isAbove(ballot)) {
        failedCampaign(d, r.promised().nodeId());
      } else if (c.onRefused(r.from())) {
        failedCampaign(d, -1);
      }
    }
  }

  private void onLeaderSeen(LeaderSeen s, Decision.Builder d) {
    highestSeen = Ballot.max(highestSeen, s.ballot());
    int leader = s.ballot().nodeId();
    if (leader != self && (phase instanceof Following || !s.ballot().isBelow(ballot))) {
      backoff.reset();
      if (s.quiet() && s.ballot().equals(highestSeen)) {
        // The newest leader known says the group is idle.
        become(d, Following.quietUnder(leader, now + (long) QUIET_BACKSTOP_FACTOR
            * config.tuning().electionTimeoutTicks() + jitter()), leader);
      } else {
        stepDown(d, leader, config.tuning().electionTimeoutTicks() + jitter());
      }
    }
  }

  /**
   * News of a peer's node from this node's failure detector ({@link PeerLiveness}). A follower
   * waiting quietly for that peer campaigns after a jitter if the peer went silent; on any other
   * news of it (it gave up some leadership, restarted, or is heard again after silence) it asks the
   * peer to confirm that it still leads and runs its election timer again. A quiet leader
   * heartbeats once when a peer restarted, so that the peer learns who leads. A leader that no
   * longer has a majority of its voters' nodes in hearing steps down (check-quorum, {@link
   * QuorumCheck}): the failure detector is what tells a quiet leader, which hears nothing else.
   */
  public Decision onPeerNews(PeerLiveness.News news) {
    Decision.Builder d = new Decision.Builder();
    if (news.change() == PeerLiveness.Change.SILENT) {
      silentPeers.add(news.peer());
    } else if (news.change() != PeerLiveness.Change.LEADERSHIP_LOST) {
      silentPeers.remove(news.peer());
    }
    if (phase instanceof Leading l && news.change() == PeerLiveness.Change.SILENT) {
      follow(d, l.checkQuorum(now)); // a quiet leader has no tick due to check on
    }
    if (phase instanceof Following f && f.quietUnder() == news.peer()) {
      if (news.change() == PeerLiveness.Change.SILENT) {
        f.postpone(now + jitter());
      } else {
        askQuietLeader(d, f);
      }
    } else if (phase instanceof Leading l && news.change() == PeerLiveness.Change.RESTARTED) {
      l.wake(now, d);
    }
    return d.build();
  }

  /**
   * Asks the leader {@code f} waits for quietly whether it still leads ({@link WakeUp}), and runs
   * the election timer meanwhile: a quiet leader answers with a quiet heartbeat, which quiets this
   * follower again; one that no longer leads does not, and this follower campaigns.
   */
  private void askQuietLeader(Decision.Builder d, Following f) {
    d.sendNow(f.quietUnder(), new WakeUp(self));
    f.postpone(now + config.tuning().electionTimeoutTicks() + jitter());
  }

  /**
   * This node's acceptor promised another node's candidate: a follower (even a quiet one: its
   * leader may be gone) gives it an election timeout to win before campaigning itself, and a
   * campaign of a lower ballot, lost now, waits as long. A leader learns it was overtaken from the
   * refusal of its next accept.
   */
  private void onCandidateSeen(CandidateSeen c, Decision.Builder d) {
    highestSeen = Ballot.max(highestSeen, c.ballot());
    long wait = config.tuning().electionTimeoutTicks() + jitter();
    if (phase instanceof Following f && c.ballot().nodeId() != self) {
      f.postpone(f.quietUnder() >= 0 ? now + wait : Math.max(f.dueAt(now), now + wait)); // ends quiet waiting
    } else if (phase instanceof Campaigning && c.ballot().isAbove(ballot)) {
      backoff.countFailure();
      stepDown(d, -1, wait);
    }
  }

  /** A follower asks whether this node still leads: see {@link #askQuietLeader}. */
  private void onWakeUp(WakeUp w, Decision.Builder d) {
    if (phase instanceof Leading l) {
      l.confirm(w.from(), d);
    }
  }

  private void onLearnerProgress(LearnerProgress p, Decision.Builder d) {
    if (p.chosenPrefix() >= chosenPrefix) {
      chosenPrefix = p.chosenPrefix();
      known = p.membership();
      appliedChain = p.chain();
    }
    if (phase instanceof Leading l) {
      l.noteApplied(appliedChain);
      follow(d, l.onLearnerProgress(chosenPrefix, known, now, d));
    }
  }

  /**
   * Hands leadership to member {@code to}: the leader drops its lease at once, asks every acceptor
   * to give it back, and once a majority (the target's own acceptor among them) has, tells the
   * target to campaign ({@link TimeoutNow}); it steps down when it meets the target's higher
   * ballot, or after an election timeout if the target never takes over. A node that does not
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
    Decision.Builder d = new Decision.Builder();
    onTransferLeadership(new TransferLeadership(self, to, 0), d);
    return d.build();
  }

  private void onTransferLeadership(TransferLeadership t, Decision.Builder d) {
    if (phase instanceof Leading l) {
      l.onTransferLeadership(t, now, d);
    } else if (forwarding.mayPassTo(leaderHint, t.from(), t.hops())) {
      d.sendNow(leaderHint, new TransferLeadership(self, t.to(), t.hops() + 1));
    }
  }

  /** The leader hands leadership to this node: campaign now, unless a newer leader is known. */
  private void onTimeoutNow(TimeoutNow t, Decision.Builder d) {
    if (phase instanceof Following && !t.ballot().isBelow(highestSeen) && known.isVoter(self)) {
      campaign(d);
    }
  }

  // ---- client work ----

  private void route(Decision.Builder d, List<ClientCommand> commands, int hops, int cameFrom) {
    if (!(phase instanceof Leading) && forwarding.mayPassTo(leaderHint, cameFrom, hops)) {
      forwarding.send(d, leaderHint, commands, hops + 1);
      return;
    }
    // No leader to pass them to (or they went round in circles): keep them until one is known.
    for (ClientCommand refused : queue.offer(commands)) {
      d.refuse(new Refusal(refused, Refusal.Reason.OVERLOADED, leaderHint));
    }
    if (phase instanceof Leading l) {
      l.proposeNew(now, d);
    }
  }

  private void flushPendingTo(Decision.Builder d, int leader) {
    if (!queue.isEmpty() && leader != self) {
      forwarding.send(d, leader, queue.takeAll(), 1);
    }
  }

  private long jitter() {
    return 1 + random.nextInt(config.tuning().electionJitterTicks());
  }

  /**
   * A campaign did not win (it timed out, was refused, or {@code overtakenBy} campaigns higher):
   * this node waits a random time before it campaigns again ({@link CampaignBackoff}).
   */
  private void failedCampaign(Decision.Builder d, int overtakenBy) {
    stepDown(d, overtakenBy, 1 + random.nextInt(backoff.failedWaitRange()));
  }

  /**
   * This node's place in the order in which the voters of the group's initial membership campaign
   * when the group's roles start with no leader known: 0 for the one the group's name picks, 1 for
   * the voter after it, and so on (every start counts, a restart too: a restarted node usually
   * hears the leader first). A node outside the initial voters has place 0; it campaigns only once
   * it is a voter.
   */
  static int startRank(GroupConfig config) {
    List<Integer> voters = config.initialMembership().voters();
    int at = voters.indexOf(config.self());
    if (at < 0) {
      return 0;
    }
    return Math.floorMod(at - Math.floorMod(config.group().hashCode(), voters.size()), voters.size());
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
    long due = Math.min(phase.dueAt(now), reads.nextExpiry());
    return Math.max(1, Math.min(due - now, MAX_TICKS_UNTIL_DUE));
  }

  // ---- observation ----

  public boolean isLeader() {
    return phase instanceof Leading;
  }

  /** True while this node leads and a majority's lease covers the current tick. */
  public boolean hasLease() {
    return phase instanceof Leading l && l.leaseCovers(now);
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
    return phase instanceof Leading l ? l.membership() : known;
  }

  /** Whether this node leads a quiet group, or follows one quietly: idle, it sends nothing. */
  public boolean isQuiet() {
    return phase instanceof Leading l ? l.quiet() : phase instanceof Following f && f.quietUnder() >= 0;
  }

  /**
   * How many times this proposer stopped leading because it had not heard from a majority of its
   * voters for an election timeout (check-quorum), since it was made.
   */
  public long quorumLosses() {
    return quorumLosses;
  }

  /** Reads this node served at a read index its leader confirmed by a quorum round (ReadIndex), not under a lease. */
  public long readIndexServed() {
    return reads.servedAtIndex();
  }

  /** The node this leader is handing leadership to, or -1. */
  public int transferringTo() {
    return phase instanceof Leading l ? l.handingOverTo() : -1;
  }

  int pendingCommands() {
    return queue.size();
  }

  int instancesInFlight() {
    return phase instanceof Leading l ? l.instancesInFlight() : 0;
  }

  ProposerPhase phase() {
    return phase;
  }
}
