package io.synod.actors.internal;

import io.synod.paxos.Message;
import io.synod.paxos.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every group message this node sends one peer, coalesced: the groups' roles add their envelopes
 * from any thread, and a flusher actor sends what has gathered meanwhile as one {@link GroupBatch}
 * (or a lone {@link GroupEnvelope}). Artery's cost is per message, not per byte: a node with 100
 * groups, whose leaders each heartbeat every few ticks, sent each peer thousands of small messages
 * a second, and the Artery streams took most of an idle node's CPU. A burst of the groups'
 * messages (the groups' timers fire together, and a busy node's roles produce while the flusher
 * waits its turn) now costs the peer one.
 *
 * <p>The envelopes leave in the order they were added, so each group's messages keep theirs. A
 * batch carries at most {@code maxBatchBytes}, counted as the core counts its own splits (a value's
 * bytes plus {@link Value#ENTRY_OVERHEAD_BYTES} per entry, and that allowance again per envelope);
 * an envelope alone larger goes alone, as it would have without the link. At most {@link
 * #MAX_QUEUED} envelopes wait: beyond that (a flusher that cannot keep up) new ones are dropped and
 * logged, which the protocol tolerates like any lost message, as Artery's own bounded queue would.
 *
 * <p>Every message leaves {@link Stamped} with the ticket the peer issued to this node. Until the
 * link {@link #hold}s one, a flush drops what waits and counts it ({@link #unticketed}), as Artery
 * drops what it cannot deliver: a peer that is down, or never answers, must not make this node keep
 * its messages (values included) for as long as it is away.
 */
final class PeerLink {

  private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);

  static final int MAX_QUEUED = 65_536;

  /** The flusher's one message: send what has gathered. */
  enum Flush {
    INSTANCE
  }

  private final int self;
  private final int peer;
  private final long maxBatchBytes;
  private final Consumer<Stamped> artery;
  private final ConcurrentLinkedQueue<GroupEnvelope> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong unticketed = new AtomicLong();
  private volatile Runnable wake;
  private volatile Ticket ticket;

  /** A link from node {@code self} to node {@code peer} that hands what it sends to {@code artery}. */
  PeerLink(int self, int peer, long maxBatchBytes, Consumer<Stamped> artery) {
    if (maxBatchBytes < 1) {
      throw new IllegalArgumentException("maxBatchBytes must be positive, got " + maxBatchBytes);
    }
    this.self = self;
    this.peer = peer;
    this.maxBatchBytes = maxBatchBytes;
    this.artery = artery;
  }

  /** How the link asks for a flush: once per burst, before any envelope is sent. */
  void wakeWith(Runnable wake) {
    this.wake = wake;
  }

  /** The peer issued {@code ticket} to this node: stamp with it from now on. */
  void hold(Ticket ticket) {
    this.ticket = ticket;
  }

  /** The ticket the peer issued to this node, or null while it has none. */
  Ticket ticket() {
    return ticket;
  }

  /** The flusher actor of {@code link}: it flushes whenever it is told. */
  static Behavior<Flush> flusher(PeerLink link) {
    return Behaviors.receive(Flush.class).onMessageEquals(Flush.INSTANCE, () -> {
      link.flush();
      return Behaviors.same();
    }).build();
  }

  /** Queues {@code e} for the peer; the first of a burst asks for a flush. */
  void send(GroupEnvelope e) {
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      long n = dropped.incrementAndGet();
      if (n == 1 || n % 10_000 == 0) {
        LOG.warn("{} message(s) to node {} dropped: {} are waiting to be sent (last dropped: {})", n, peer,
            MAX_QUEUED, e);
      }
      return;
    }
    queue.add(e);
    if (!flushScheduled.get() && flushScheduled.compareAndSet(false, true)) {
      wake.run();
    }
  }

  /**
   * Sends everything queued, in order, in as few messages as the size bound allows. Runs on the
   * flusher only. It drains at most what was queued when it began, then asks for another flush if
   * more came: a burst that never ends cannot keep the flusher from other work.
   */
  void flush() {
    Ticket stamp = ticket;
    // Cleared before draining: an envelope added from now on asks for the next flush, and one added
    // before was seen by a sender that found the flag set, so it is in the queue already.
    flushScheduled.set(false);
    int budget = queued.get();
    List<GroupEnvelope> batch = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < budget; i++) {
      GroupEnvelope e = queue.poll();
      if (e == null) {
        break;
      }
      queued.decrementAndGet();
      if (stamp == null) {
        unticketed.incrementAndGet();
        continue;
      }
      long size = estimatedBytes(e);
      if (!batch.isEmpty() && bytes + size > maxBatchBytes) {
        emit(stamp, batch);
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(e);
      bytes += size;
    }
    if (!batch.isEmpty()) {
      emit(stamp, batch);
    }
    if (!queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
      wake.run();
    }
  }

  private void emit(Ticket stamp, List<GroupEnvelope> batch) {
    artery.accept(new Stamped(self, stamp, batch.size() == 1 ? batch.get(0) : new GroupBatch(batch)));
  }

  /** Messages dropped because the peer had issued this node no ticket yet, since the link began. */
  long unticketed() {
    return unticketed.get();
  }

  /** Messages dropped because too many were waiting, since the link began. */
  long dropped() {
    return dropped.get();
  }

  /**
   * An envelope's size as the core counts its splits: the values' bytes plus the per-entry
   * allowance, which is larger than what the wire spends on an entry's other fields, and one
   * allowance more for the envelope, its group id and the message's fixed fields.
   */
  static long estimatedBytes(GroupEnvelope e) {
    long n = Value.ENTRY_OVERHEAD_BYTES + e.group().length() * 3L;
    Message m = e.message();
    if (m instanceof Message.Accept a) {
      for (Message.Proposal p : a.proposals()) {
        n += Value.ENTRY_OVERHEAD_BYTES + p.value().bytes().length;
      }
    } else if (m instanceof Message.Chosen c) {
      for (Message.ChosenEntry entry : c.entries()) {
        n += Value.ENTRY_OVERHEAD_BYTES + (entry.value() == null ? 0 : entry.value().bytes().length);
      }
    } else if (m instanceof Message.Promise p) {
      for (Message.AcceptedValue v : p.accepted()) {
        n += Value.ENTRY_OVERHEAD_BYTES + v.value().bytes().length;
      }
    } else if (m instanceof Message.CatchUpReply r) {
      for (Message.Proposal p : r.entries()) {
        n += Value.ENTRY_OVERHEAD_BYTES + p.value().bytes().length;
      }
    } else if (m instanceof Message.Forward f) {
      for (io.synod.paxos.ClientCommand c : f.commands()) {
        n += Value.ENTRY_OVERHEAD_BYTES + c.payload().length;
      }
    } else if (m instanceof Message.ClientRead r) {
      n += r.query().length;
    } else if (m instanceof Message.Accepted a) {
      n += 8L * a.instances().size();
    } else if (m instanceof Message.ReadAt r) {
      n += r.query().length;
    }
    return n;
  }
}
