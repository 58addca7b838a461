package io.synod.paxos;

import io.synod.paxos.AcceptorRecord.AcceptedValues;
import io.synod.paxos.AcceptorRecord.Promised;
import io.synod.paxos.AcceptorRecord.Truncated;
import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.PrepareMore;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.ToAcceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The acceptor of one group on one node: the only role with durable state. It keeps one promised
 * ballot for every instance (Multi-Paxos: a prepare covers all instances from a point on) and the
 * value it accepted per instance. Every promise and acceptance leaves in {@code sendAfterPersist},
 * so it is spoken only once the record behind it is durable.
 *
 * <p>Leases: an accept that asks for a lease makes the acceptor refuse every other node's prepare
 * for {@link Tuning#leaseTicks()} of its ticks, unless the holder gives it back first ({@link
 * Accept#RELEASE_LEASE}, when it hands over leadership). Leases are not persisted; instead, an acceptor
 * refuses all prepares for {@code leaseTicks} after {@link #recover}, which covers any lease it may
 * have granted before it crashed.
 */
public class Acceptor {

  private final GroupConfig config;
  private final int self;
  private Ballot promised = Ballot.ZERO;
  private final TreeMap<Long, AcceptedValue> accepted = new TreeMap<>();
  private long truncatedBelow;
  private long now;
  private int leaseHolder = -1;
  private long leaseUntil;
  private final long refusePreparesUntil;

  Acceptor(GroupConfig config) {
    this.config = config;
    this.self = config.self();
    this.refusePreparesUntil = config.tuning().leaseTicks();
  }

  /**
   * An acceptor rebuilt from everything it persisted, oldest first; an empty list for one that
   * never persisted anything. Records are trusted: the journal checked them.
   */
  public static Acceptor recover(GroupConfig config, List<AcceptorRecord> records) {
    Acceptor a = new Acceptor(config);
    a.replay(records);
    return a;
  }

  /**
   * Applies persisted records, oldest first, to this acceptor's state. Applying a record this
   * acceptor produced itself changes nothing (records are idempotent), so a shell may feed every
   * persisted record back, as Pekko Persistence's event handler does both on recovery and after
   * each persist.
   */
  public final void replay(List<AcceptorRecord> records) {
    for (AcceptorRecord r : records) {
      if (r instanceof Promised p) {
        promised = Ballot.max(promised, p.ballot());
      } else if (r instanceof AcceptedValues v) {
        promised = Ballot.max(promised, v.ballot());
        for (Proposal p : v.proposals()) {
          if (p.instance() >= truncatedBelow) {
            accepted.put(p.instance(), new AcceptedValue(p.instance(), v.ballot(), p.value()));
          }
        }
      } else if (r instanceof Truncated t) {
        forgetBelow(t.instance());
      } else {
        throw new IllegalStateException("unknown acceptor record " + r);
      }
    }
  }

  /**
   * The acceptor's durable state as few records as possible, for a shell to store as a snapshot:
   * {@code Truncated} (if anything was forgotten), then {@code Promised} (if anything was promised),
   * then the accepted values grouped by ballot, ascending, instances ascending within each record.
   * {@link #recover} from them, followed by {@link #replay} of every record persisted after them,
   * rebuilds this acceptor, so a journal may delete what was persisted before the snapshot.
   *
   * <p>The records describe the state as it is now, including records handed out in a decision
   * whose write is not yet durable; a shell takes the snapshot only when no write is pending.
   */
  public List<AcceptorRecord> snapshotRecords() {
    List<AcceptorRecord> records = new ArrayList<>();
    if (truncatedBelow > 0) {
      records.add(new Truncated(truncatedBelow));
    }
    if (promised.isAbove(Ballot.ZERO)) {
      records.add(new Promised(promised));
    }
    TreeMap<Ballot, List<Proposal>> byBallot = new TreeMap<>();
    for (AcceptedValue v : accepted.values()) { // ascending instances, so each list is too
      byBallot.computeIfAbsent(v.ballot(), b -> new ArrayList<>()).add(new Proposal(v.instance(), v.value()));
    }
    byBallot.forEach((ballot, proposals) -> records.add(new AcceptedValues(ballot, proposals)));
    return records;
  }

  /**
   * The shell recovered this acceptor (and any records persisted before it started handling
   * inputs): its proposer learns the ballot it promised, so that a restarted proposer campaigns
   * above it at once ({@link Message.PromiseRecovered}). Nothing to persist.
   */
  public Decision onRecovered() {
    return new Decision.Builder().sendNow(self, new Message.PromiseRecovered(self, promised)).build();
  }

  public Decision handle(ToAcceptor message) {
    // Java 17 has no pattern switch; RoleDispatchTest checks every permitted type is handled.
    if (message instanceof Prepare p) {
      return onPrepare(p);
    } else if (message instanceof Accept a) {
      return onAccept(a);
    } else if (message instanceof PrepareMore m) {
      return onPrepareMore(m);
    }
    throw new IllegalStateException("acceptor cannot handle " + message);
  }

  public Decision onTick() {
    return onTicks(1);
  }

  /** {@code ticks} ticks at once: an acceptor only counts them. */
  public Decision onTicks(int ticks) {
    if (ticks < 0) {
      throw new IllegalArgumentException("ticks must be >= 0, got " + ticks);
    }
    now += ticks;
    return Decision.NONE;
  }

  private Decision onPrepare(Prepare p) {
    Decision.Builder d = new Decision.Builder();
    boolean leaseBlocks = now < refusePreparesUntil || (now < leaseUntil && p.ballot().nodeId() != leaseHolder);
    if (leaseBlocks) {
      return d.sendNow(p.from(), new Message.Rejected(self, p.ballot(), promised, true)).build();
    }
    // A prepare at the promised ballot is answered again (a retransmission), except from our own
    // node's proposer: it always asks us first, so an equal ballot there means a restarted
    // proposer is about to reuse a ballot it may already have used with other values. Refusing it
    // makes the proposer move above everything this node ever promised.
    boolean stale = p.from() == self ? !p.ballot().isAbove(promised) : p.ballot().isBelow(promised);
    if (stale) {
      return d.sendNow(p.from(), new Message.Rejected(self, p.ballot(), promised, false)).build();
    }
    if (p.ballot().isAbove(promised)) {
      promised = p.ballot();
      d.persist(new Promised(promised));
      if (p.from() != self) {
        d.sendNow(self, new Message.CandidateSeen(self, promised)); // local, liveness only: our proposer waits
      }
    }
    for (Message.Promise page : promisePages(p.ballot(), p.fromInstance(), -1)) {
      d.sendAfterPersist(p.from(), page);
    }
    return d.build();
  }

  /** The next page of a promise this acceptor gave, while that promise still holds. */
  private Decision onPrepareMore(PrepareMore m) {
    Decision.Builder d = new Decision.Builder();
    if (!m.ballot().equals(promised)) {
      // A higher ballot was promised since (a lower one cannot be asked for: it was never promised
      // here after the higher one): the proposer's phase 1 has failed.
      return d.sendNow(m.from(), new Message.Rejected(self, m.ballot(), promised, false)).build();
    }
    // Nothing to persist: the promise is durable, and no reply leaves before earlier records are.
    for (Message.Promise page : promisePages(m.ballot(), m.fromInstance(), m.fromInstance())) {
      d.sendAfterPersist(m.from(), page);
    }
    return d.build();
  }

  /**
   * The report of the values accepted from {@code from} on, in pages of at most {@code
   * maxBatchBytes} of values (a larger value alone): all of them at once, so a report costs one
   * round trip however many pages it takes. The first page is marked {@code continuedFrom}, each
   * later one with the instance it starts at, which its predecessor names as {@code nextFrom}.
   */
  private List<Message.Promise> promisePages(Ballot ballot, long from, long continuedFrom) {
    List<Message.Promise> pages = new ArrayList<>();
    List<AcceptedValue> page = new ArrayList<>();
    long bytes = 0;
    long pageFrom = continuedFrom;
    for (AcceptedValue v : accepted.tailMap(from, true).values()) {
      long size = Value.ENTRY_OVERHEAD_BYTES + v.value().bytes().length;
      if (!page.isEmpty() && bytes + size > config.tuning().maxBatchBytes()) {
        pages.add(new Message.Promise(self, ballot, page, truncatedBelow, pageFrom, v.instance()));
        page = new ArrayList<>();
        bytes = 0;
        pageFrom = v.instance();
      }
      page.add(v);
      bytes += size;
    }
    pages.add(new Message.Promise(self, ballot, page, truncatedBelow, pageFrom, -1));
    return pages;
  }

  private Decision onAccept(Accept a) {
    Decision.Builder d = new Decision.Builder();
    if (!mayAccept(a.ballot())) {
      return d.sendNow(a.from(), new Message.Rejected(self, a.ballot(), promised, false)).build();
    }
    for (Proposal p : a.proposals()) {
      p.value().verify(config.group(), p.instance(), a.from());
      AcceptedValue existing = accepted.get(p.instance());
      if (existing != null && existing.ballot().equals(a.ballot()) && !existing.value().equals(p.value())) {
        // One ballot must never carry two values for one instance; going on would hide a reused
        // ballot until learners disagree. Stop here, loudly, before anything of this accept is kept.
        throw new IllegalStateException("group '" + config.group() + "' instance " + p.instance() + ": node "
            + a.from() + " sent a different value at ballot " + a.ballot() + " than the one node " + self
            + " accepted at that ballot (" + existing.value() + " vs " + p.value() + "): a ballot was reused");
      }
    }
    boolean promiseRaised = a.ballot().isAbove(promised);
    promised = Ballot.max(promised, a.ballot());
    List<Proposal> fresh = new ArrayList<>();
    List<AcceptedValue> freshValues = new ArrayList<>();
    List<Long> acknowledged = new ArrayList<>(a.proposals().size());
    for (Proposal p : a.proposals()) {
      if (p.instance() < truncatedBelow) {
        continue; // chosen, in a durable snapshot, forgotten; Accepted.truncatedBelow tells the leader
      }
      acknowledged.add(p.instance());
      AcceptedValue existing = accepted.get(p.instance());
      if (existing != null && existing.ballot().equals(a.ballot())) {
        continue; // a retransmission (the same value: checked above)
      }
      AcceptedValue value = new AcceptedValue(p.instance(), a.ballot(), p.value());
      accepted.put(p.instance(), value);
      fresh.add(p);
      freshValues.add(value);
    }
    if (!fresh.isEmpty()) {
      d.persist(new AcceptedValues(a.ballot(), fresh));
      d.sendAfterPersist(self, new Message.LocalAccepted(self, freshValues));
    } else if (promiseRaised) {
      d.persist(new Promised(promised));
    }
    if (a.leaseTick() >= 0) {
      leaseHolder = a.ballot().nodeId();
      leaseUntil = now + config.tuning().leaseTicks();
    } else if (a.leaseTick() == Accept.RELEASE_LEASE && leaseHolder == a.ballot().nodeId()) {
      leaseUntil = 0; // the holder hands over leadership and no longer relies on it
    }
    d.sendAfterPersist(a.from(), new Message.Accepted(self, a.ballot(), acknowledged, a.leaseTick(), truncatedBelow));
    if (a.from() != self) {
      d.sendNow(self, new Message.LeaderSeen(self, a.ballot(), a.leaseTick() == Accept.QUIESCE));
    }
    return d.build();
  }

  /** Whether an accept at {@code ballot} may be taken: never below the promise. */
  boolean mayAccept(Ballot ballot) {
    return !ballot.isBelow(promised);
  }

  /**
   * A {@link Checkpoint} covering every instance below {@code instance} is durable: forget those
   * instances and persist that they are gone, together with the current promise. Once that write is
   * durable, every record persisted before it may be deleted: the two records it writes carry all
   * the state below {@code instance} that the acceptor still needs.
   */
  public Decision onCheckpointDurable(long instance) {
    if (instance <= truncatedBelow) {
      return Decision.NONE;
    }
    forgetBelow(instance);
    // The promise goes into the same write: a journal may delete every record written before this
    // one, and the promise must survive that or it could go backwards after a restart.
    return new Decision.Builder().persist(new Truncated(instance)).persist(new Promised(promised)).build();
  }

  private void forgetBelow(long instance) {
    truncatedBelow = Math.max(truncatedBelow, instance);
    accepted.headMap(truncatedBelow).clear();
  }

  public Ballot promised() {
    return promised;
  }

  public long truncatedBelow() {
    return truncatedBelow;
  }

  Optional<AcceptedValue> acceptedAt(long instance) {
    return Optional.ofNullable(accepted.get(instance));
  }

  int acceptedCount() {
    return accepted.size();
  }
}
