package io.synod.paxos;

import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.BehindHint;
import io.synod.paxos.Message.CatchUpReply;
import io.synod.paxos.Message.CatchUpRequest;
import io.synod.paxos.Message.ChainMark;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.LocalAccepted;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.ReadAt;
import io.synod.paxos.Message.SnapshotAvailable;
import io.synod.paxos.Message.ToLearner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The learner of one group on one node: it learns which value each instance chose, applies them
 * to the state machine strictly in instance order (through the exactly-once {@link Sessions}
 * table), keeps applied values for lagging peers until a durable checkpoint covers them, and
 * catches up from peers when it sees it is behind.
 *
 * <p>A value is verified against its checksum on receipt and again just before it is applied. Two
 * different values for one chosen instance stop the group with a {@link DivergenceException}. The
 * applied history is chained ({@link ChecksumChain}) and compared with what peers assert of theirs
 * in {@link Chosen}, {@link CatchUpReply} and checkpoints: a mismatch stops the group with a
 * {@link ChecksumMismatchException} before anything past that instance is applied.
 */
public class Learner {

  private final GroupConfig config;
  private final StateMachine stateMachine;
  private final RandomGenerator random;
  private final int self;
  private Sessions sessions;
  /** The group's membership from {@link #nextToApply} on. */
  private Membership membership;

  private long now;
  private long nextToApply;
  /** Instances below this are covered by a durable checkpoint and no longer kept. */
  private long logStart;
  /** Chosen values from {@code logStart} on: applied ones kept for peers, and ones not yet applied. */
  private final TreeMap<Long, Value> log = new TreeMap<>();
  /** The bytes of the values in {@link #log}. */
  private long logBytes;
  /** Chosen instances whose value has not reached this node yet. */
  private final TreeMap<Long, Ballot> missing = new TreeMap<>();
  /** Values the local acceptor accepted, to resolve value-less Chosen entries. */
  private final TreeMap<Long, AcceptedValue> localAccepted = new TreeMap<>();
  /** Above every instance this node knows to be chosen. */
  private long horizon;
  private int horizonSource = -1;
  private long lastProgress;
  private long lastCatchUp = Long.MIN_VALUE / 2;
  /** When another node last told this one what is chosen. */
  private long lastHeard;
  /**
   * How long without news before this learner asks a peer whether the log went on: two election
   * timeouts, doubled after every such question that taught it nothing (up to {@link
   * #MAX_QUIET_PROBE_FACTOR} election timeouts), so that the learners of idle, quiet groups do not
   * ask every few hundred milliseconds; back to two once it learns something.
   */
  private long quietProbeTicks;
  static final int MAX_QUIET_PROBE_FACTOR = 64;
  /** A peer known to hold a checkpoint up to {@link #hintedBelow} (from a {@link BehindHint}), or -1. */
  private int hintedPeer = -1;
  private long hintedBelow;
  private final TreeMap<Long, List<ReadAt>> waitingReads = new TreeMap<>();
  /** The checksum chain of the instances applied here, kept for those the log keeps. */
  private final ChecksumChain chain;

  public Learner(GroupConfig config, StateMachine stateMachine, RandomGenerator random) {
    this.config = config;
    this.stateMachine = stateMachine;
    this.random = random;
    this.self = config.self();
    this.sessions = new Sessions(config.tuning());
    this.membership = config.initialMembership();
    this.quietProbeTicks = 2L * config.tuning().electionTimeoutTicks();
    this.chain = new ChecksumChain(config.group(), self);
  }

  public Decision handle(ToLearner message) {
    if (message instanceof Chosen c) {
      return onChosen(c);
    } else if (message instanceof LocalAccepted a) {
      return onLocalAccepted(a);
    } else if (message instanceof CatchUpRequest r) {
      return onCatchUpRequest(r);
    } else if (message instanceof CatchUpReply r) {
      return onCatchUpReply(r);
    } else if (message instanceof SnapshotAvailable s) {
      return onSnapshotAvailable(s);
    } else if (message instanceof BehindHint h) {
      return onBehindHint(h);
    } else if (message instanceof ReadAt r) {
      return onReadAt(r);
    }
    throw new IllegalStateException("learner cannot handle " + message);
  }

  /**
   * {@code ticks} ticks at once, acted on as one: the learner's timers only ask whether enough time
   * has passed, so the ticks in between would at most have repeated a question in the same burst.
   */
  public Decision onTicks(int ticks) {
    if (ticks < 1) {
      throw new IllegalArgumentException("ticks must be >= 1, got " + ticks);
    }
    now += ticks - 1;
    return onTick();
  }

  public Decision onTick() {
    now++;
    long quiet = quietProbeTicks;
    if (!isBehind() && now - lastHeard >= quiet && now - lastCatchUp >= quiet) {
      // No leader has said anything for a while: ask a peer whether the log went on without this
      // node. A node that missed the change making it a voter (and so waits as a learner while the
      // others wait for it) learns of it only this way.
      quietProbeTicks = Math.min(2 * quietProbeTicks,
          (long) MAX_QUIET_PROBE_FACTOR * config.tuning().electionTimeoutTicks());
      int peer = randomPeer();
      return peer < 0 ? Decision.NONE : catchUpFrom(new Decision.Builder(), peer).build();
    }
    int retry = config.tuning().catchUpRetryTicks();
    if (!isBehind() || now - lastProgress < retry || now - lastCatchUp < retry) {
      return Decision.NONE;
    }
    int peer = horizonSource >= 0 && horizonSource != self && random.nextBoolean() ? horizonSource : randomPeer();
    if (hintedPeer >= 0 && nextToApply < hintedBelow && random.nextBoolean()) {
      peer = hintedPeer; // it may be outside the membership, yet it holds what this node misses
    }
    if (peer < 0) {
      return Decision.NONE;
    }
    return catchUpFrom(new Decision.Builder(), peer).build();
  }

  /**
   * Whether this learner knows of chosen instances it has not applied: only then do its ticks
   * matter beyond counting time (they time its catch-up requests).
   */
  public boolean isBehind() {
    return nextToApply < horizon || !missing.isEmpty();
  }

  private Decision.Builder catchUpFrom(Decision.Builder d, int peer) {
    lastCatchUp = now;
    return d.sendNow(peer, new CatchUpRequest(self, nextToApply, config.tuning().catchUpBatch()));
  }

  /** Any other node of the membership, voter or learner; -1 if there is none. */
  private int randomPeer() {
    List<Integer> others = new ArrayList<>(membership.everyone());
    others.remove(Integer.valueOf(self));
    return others.isEmpty() ? -1 : others.get(random.nextInt(others.size()));
  }

  private void raiseHorizon(long h, int source) {
    if (h > horizon) {
      horizon = h;
      horizonSource = source;
    }
  }

  private Decision onChosen(Chosen c) {
    for (ChosenEntry e : c.entries()) {
      if (e.value() != null) {
        e.value().verify(config.group(), e.instance(), c.from()); // all of them before any state changes
      }
    }
    chain.check(c.chain(), c.from(), "Chosen");
    Decision.Builder d = new Decision.Builder();
    if (c.from() != self) {
      lastHeard = now;
    }
    if (c.from() != self && !membership.isVoter(self)) {
      // A learner hears no accepts, so its proposer learns who leads from here: client commands
      // given to this node go there.
      d.sendNow(self, new Message.LeaderSeen(self, new Ballot(0, c.from())));
    }
    raiseHorizon(c.horizon(), c.from());
    for (ChosenEntry e : c.entries()) {
      if (e.value() != null) {
        learn(d, e.instance(), e.value(), c.from());
      } else {
        AcceptedValue mine = localAccepted.get(e.instance());
        if (mine != null && mine.ballot().equals(e.ballot())) {
          learn(d, e.instance(), mine.value(), self);
        } else if (e.instance() >= nextToApply && !log.containsKey(e.instance())) {
          missing.put(e.instance(), e.ballot());
          raiseHorizon(e.instance() + 1, c.from());
        }
      }
    }
    applyReady(d);
    return d.build();
  }

  private Decision onLocalAccepted(LocalAccepted a) {
    // Our acceptor checked these, but the message type can also arrive from the network: an
    // unchecked value kept here would be learned by a value-less Chosen and then fail at every
    // apply, stalling this learner for good.
    for (AcceptedValue v : a.entries()) {
      v.value().verify(config.group(), v.instance(), a.from()); // all of them before any state changes
    }
    Decision.Builder d = new Decision.Builder();
    for (AcceptedValue v : a.entries()) {
      if (v.instance() < nextToApply) {
        continue;
      }
      Ballot chosenAt = missing.get(v.instance());
      if (chosenAt != null && chosenAt.equals(v.ballot())) {
        learn(d, v.instance(), v.value(), self);
      } else {
        localAccepted.put(v.instance(), v);
      }
    }
    applyReady(d);
    return d.build();
  }

  private void learn(Decision.Builder d, long instance, Value value, int from) {
    if (instance < logStart) {
      return; // inside our checkpoint
    }
    Value known = log.get(instance);
    if (known != null) {
      if (!known.equals(value)) {
        throw new DivergenceException(config.group(), instance, self, known.crc(), value.crc(), from);
      }
      return;
    }
    if (instance < nextToApply) {
      return;
    }
    log.put(instance, value);
    logBytes += value.bytes().length;
    missing.remove(instance);
    raiseHorizon(instance + 1, from);
    d.chosen(new Proposal(instance, value));
  }

  private void applyReady(Decision.Builder d) {
    long before = nextToApply;
    Value v;
    while ((v = log.get(nextToApply)) != null) {
      v.verify(config.group(), nextToApply, self);
      v = toApply(nextToApply, v);
      chain.append(nextToApply, v); // compares what a peer asserted of this instance, before applying it
      sessions.advance(v.stamp()); // the log's time, and the sessions it expires, before this instance's commands
      for (ClientCommand c : v.commands()) {
        if (c.membershipChange()) {
          // The membership follows from the values alone, as the proposer computes it (a retry
          // changes nothing: see Membership#apply); the client's answer goes through the
          // exactly-once table like any other, so a retry is answered with the first result.
          Membership.Outcome o = Membership.applyCommand(membership, c);
          membership = o.membership();
          d.applied(sessions.apply(nextToApply, c, o::result));
        } else {
          d.applied(sessions.apply(nextToApply, c, stateMachine));
        }
      }
      nextToApply++;
    }
    if (nextToApply > before) {
      progressed(d);
    }
  }

  private void progressed(Decision.Builder d) {
    lastProgress = now;
    quietProbeTicks = 2L * config.tuning().electionTimeoutTicks();
    localAccepted.headMap(nextToApply).clear();
    missing.headMap(nextToApply).clear();
    d.sendNow(self, new Message.LearnerProgress(self, nextToApply, membership, chain.mark()));
    while (!waitingReads.isEmpty() && waitingReads.firstKey() < nextToApply) {
      for (ReadAt r : waitingReads.pollFirstEntry().getValue()) {
        serve(d, r);
      }
    }
  }

  // ---- catch-up ----

  private Decision onCatchUpRequest(CatchUpRequest r) {
    Decision.Builder d = new Decision.Builder();
    if (r.fromInstance() < logStart) {
      return d.sendNow(r.from(), new SnapshotAvailable(self, logStart)).build();
    }
    // At most r.max() instances and, after the first, maxBatchBytes of values: one value is at most
    // that large, so a reply always fits the transport's frame (twice maxBatchBytes) however large
    // the values are; the requester asks again for the rest.
    List<Proposal> entries = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<Long, Value> e : log.tailMap(r.fromInstance(), true).entrySet()) {
      bytes += e.getValue().bytes().length;
      if (entries.size() >= r.max() || (!entries.isEmpty() && bytes > config.tuning().maxBatchBytes())) {
        break;
      }
      entries.add(new Proposal(e.getKey(), e.getValue()));
    }
    ChainMark after = entries.isEmpty() ? ChainMark.NONE
        : chain.markThrough(entries.get(entries.size() - 1).instance());
    return d.sendNow(r.from(), new CatchUpReply(self, entries, Math.max(horizon, nextToApply),
        chain.markThrough(r.fromInstance() - 1), after)).build();
  }

  private Decision onCatchUpReply(CatchUpReply r) {
    for (Proposal p : r.entries()) {
      p.value().verify(config.group(), p.instance(), r.from()); // all of them before any state changes
    }
    chain.check(r.before(), r.from(), "catch-up reply");
    chain.check(r.after(), r.from(), "catch-up reply");
    Decision.Builder d = new Decision.Builder();
    lastHeard = now;
    raiseHorizon(r.horizon(), r.from());
    long before = nextToApply;
    for (Proposal p : r.entries()) {
      learn(d, p.instance(), p.value(), r.from());
    }
    applyReady(d);
    if (nextToApply > before && isBehind()) {
      catchUpFrom(d, r.from()); // the peer had more: keep pulling without waiting for a tick
    }
    return d.build();
  }

  private Decision onSnapshotAvailable(SnapshotAvailable s) {
    if (s.instance() <= nextToApply) {
      return Decision.NONE;
    }
    raiseHorizon(s.instance(), s.from());
    return new Decision.Builder().fetchSnapshotFrom(s.from()).build();
  }

  private Decision onBehindHint(BehindHint h) {
    raiseHorizon(h.horizon(), h.peer() != self ? h.peer() : -1);
    if (h.peer() >= 0 && h.peer() != self) {
      hintedPeer = h.peer();
      hintedBelow = Math.max(hintedBelow, h.horizon());
    }
    if (!isBehind() || now - lastCatchUp < config.tuning().catchUpRetryTicks()) {
      return Decision.NONE;
    }
    int peer = h.peer() >= 0 && h.peer() != self ? h.peer() : randomPeer();
    return peer < 0 ? Decision.NONE : catchUpFrom(new Decision.Builder(), peer).build();
  }

  // ---- checkpoints ----

  /** The state after every instance below {@link #nextToApply()}, for the shell to store durably. */
  public Checkpoint checkpoint() {
    return new Checkpoint(nextToApply, stateMachine.snapshot(), sessions.encode(), membership, chain.current());
  }

  /** Installs this node's own checkpoint: see {@link #install(Checkpoint, int)}. */
  public Decision install(Checkpoint checkpoint) {
    return install(checkpoint, self);
  }

  /**
   * Replaces this learner's state by a checkpoint, its own after a restart or node {@code from}'s
   * when this node is behind that peer's truncation point; its checksum chain continues from the
   * checkpoint's. Older checkpoints are ignored, once their chain is compared with this learner's.
   * The shell should store it durably and then call {@link #onCheckpointDurable}.
   *
   * @throws ChecksumMismatchException if the checkpoint's chain differs from this learner's at its
   *     instance, or from what a peer asserted of that instance
   */
  public Decision install(Checkpoint checkpoint, int from) {
    if (checkpoint.nextInstance() <= nextToApply) {
      chain.check(checkpoint.chainMark(), from, "checkpoint");
      return Decision.NONE;
    }
    Sessions restored = Sessions.decode(checkpoint.sessions(), config.tuning());
    chain.restart(checkpoint.nextInstance(), checkpoint.chain(), from); // may refuse it: before any state changes
    stateMachine.restore(checkpoint.state());
    sessions = restored;
    membership = checkpoint.membership() == null ? config.initialMembership() : checkpoint.membership();
    nextToApply = checkpoint.nextInstance();
    logStart = nextToApply;
    forgetBelow(nextToApply);
    raiseHorizon(nextToApply, -1);
    Decision.Builder d = new Decision.Builder();
    progressed(d);
    applyReady(d);
    return d.build();
  }

  /**
   * Checks that {@link #install} would take {@code checkpoint} whole: its session table decodes
   * and {@code fresh}, a state machine nobody else uses, restores its snapshot (its membership was
   * decoded with it). A peer's checkpoint is checked so before it is stored as this node's own: one
   * that this node's state machine refuses would otherwise fail the learner on install and again at
   * every start, when the stored checkpoint is restored.
   *
   * @throws IllegalArgumentException saying which checkpoint was refused and why
   */
  public static void checkInstallable(GroupConfig config, Checkpoint checkpoint, StateMachine fresh) {
    String which = "checkpoint below instance " + checkpoint.nextInstance();
    try {
      Sessions.decode(checkpoint.sessions(), config.tuning());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(which + ": its session table does not decode: " + e.getMessage(), e);
    }
    try {
      fresh.restore(checkpoint.state());
    } catch (RuntimeException e) { // whatever the application's restore throws
      StringBuilder why = new StringBuilder(e.toString());
      for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
        why.append(", caused by ").append(cause); // an adapter's wrapper hides the application's reason
      }
      throw new IllegalArgumentException(which + ": the state machine refuses its snapshot of "
          + checkpoint.state().length + " bytes: " + why, e);
    }
  }

  /**
   * Compares the chain of node {@code from}'s checkpoint with what this learner holds of its last
   * instance (its own chain value, or a peer's assertion about exactly that instance) before the
   * node stores it as its own: a checkpoint of a diverged history is refused before it replaces
   * anything. Changes nothing.
   *
   * @throws ChecksumMismatchException if they differ
   */
  public void checkChainOf(Checkpoint checkpoint, int from) {
    chain.checkRestart(checkpoint.nextInstance(), checkpoint.chain(), from);
  }

  /** A checkpoint covering every instance below {@code instance} is durable: forget them. */
  public Decision onCheckpointDurable(long instance) {
    long start = Math.min(instance, nextToApply);
    if (start > logStart) {
      logStart = start;
      forgetBelow(logStart);
    }
    return Decision.NONE;
  }

  private void forgetBelow(long instance) {
    chain.forgetBelow(instance);
    Map<Long, Value> head = log.headMap(instance);
    for (Value v : head.values()) {
      logBytes -= v.bytes().length;
    }
    head.clear();
  }

  /**
   * The bytes of the chosen values this learner keeps (from its log start on): what the next
   * checkpoint lets it, and the acceptors, forget.
   */
  public long logBytes() {
    return logBytes;
  }

  // ---- reads ----

  private Decision onReadAt(ReadAt r) {
    Decision.Builder d = new Decision.Builder();
    if (r.readIndex() < nextToApply) {
      serve(d, r);
    } else {
      waitingReads.computeIfAbsent(r.readIndex(), k -> new ArrayList<>()).add(r);
    }
    return d.build();
  }

  /**
   * A read of this node's state as it is, without a lease and without asking anyone: it may be
   * stale (it reflects the instances below {@link #nextToApply()}, which may lag the group), and is
   * marked so by its {@code appliedThrough}. What a learner-only node (a read replica) can serve.
   */
  public ReadOutcome readLocal(long readId, byte[] query) {
    return ReadOutcome.served(readId, nextToApply - 1, stateMachine.read(query));
  }

  private void serve(Decision.Builder d, ReadAt r) {
    d.read(ReadOutcome.served(r.readId(), nextToApply - 1, stateMachine.read(r.query())));
  }

  // ---- observation ----

  /** The group's membership after every applied instance. */
  public Membership membership() {
    return membership;
  }

  /** Every instance below this is applied. */
  public long nextToApply() {
    return nextToApply;
  }

  long logStart() {
    return logStart;
  }

  /** The log's time: the highest stamp of the values applied, in milliseconds since the epoch (0 before any). */
  public long logTime() {
    return sessions.logTime();
  }

  /** How many client sessions the exactly-once table holds. */
  public int sessionCount() {
    return sessions.size();
  }

  /**
   * Every sequence at or below this, of a session the table does not hold, is refused as of an
   * expired session (see {@code Sessions}). Like the log's time and the session count, the same on
   * every replica after the same instances.
   */
  public long sessionsExpiredThrough() {
    return sessions.expiredThrough();
  }

  /** How many client sessions the log has expired, up to the last instance applied (the same on every replica). */
  public long expiredSessions() {
    return sessions.expired();
  }

  /** How many assertions of peers about their checksum chain this learner compared with its own. */
  public long checksumChecks() {
    return chain.checks();
  }

  /** The checksum chain through the last applied instance ({@link ChainMark#NONE} before the first). */
  public ChainMark chainMark() {
    return chain.mark();
  }

  /**
   * The value to apply at {@code instance}: the chosen one. A seam for the simulation's broken
   * variants only (a learner that applies something else), as the other roles have theirs.
   */
  Value toApply(long instance, Value chosen) {
    return chosen;
  }

  /** Above every instance this node knows to be chosen (what it could apply once it has the values). */
  public long horizon() {
    return horizon;
  }
}
