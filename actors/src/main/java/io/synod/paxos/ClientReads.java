package io.synod.paxos;

import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.Message.ReadAt;
import io.synod.paxos.Message.ReadIndexReply;
import io.synod.paxos.Message.ReadIndexRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The linearizable reads of one node's clients, for its {@link Proposer}: served at once under this
 * node's lease, otherwise at a read index from the leader (ReadIndex: this node's own leadership,
 * see {@link ReadConfirmations}, or the leader it knows), their queries kept meanwhile. A read whose
 * index does not come within {@code timeoutTicks} (the leader changed, a message was lost) is
 * refused, and its client asks again. Its one reason to change: how a node serves its reads.
 */
final class ClientReads {

  private record Waiting(byte[] query, long askedAt) {}

  private final int self;
  private final long timeoutTicks;
  /** By read id, in the order asked. */
  private final Map<Long, Waiting> waiting = new LinkedHashMap<>();
  /** Reads served at a read index (not under this node's lease). */
  private long servedAtIndex;

  ClientReads(int self, long timeoutTicks) {
    this.self = self;
    this.timeoutTicks = timeoutTicks;
  }

  /**
   * This node's client asks read {@code r} while {@code phase} is the proposer's and {@code
   * leaderHint} the leader it knows. Under this leader's lease it is served at the highest instance
   * assigned (everything acknowledged before it is at or below). Otherwise it waits for a read index,
   * asked of the leader (with none known yet, of the next one known: see {@link #onLeaderChanged}).
   */
  void onClientRead(ClientRead r, ProposerPhase phase, int leaderHint, long now, Decision.Builder d) {
    if (phase instanceof Leading l && l.leaseCovers(now)) {
      l.servedRead(now);
      d.sendNow(self, new ReadAt(self, r.readId(), l.readIndex(), r.query()));
    } else if (phase instanceof Leading l) {
      wait(r, now);
      l.askReadIndex(self, r.readId(), now, d);
    } else {
      wait(r, now);
      if (leaderHint >= 0) {
        d.sendNow(leaderHint, new ReadIndexRequest(self, r.readId()));
      }
    }
  }

  /**
   * The leader this node believes in changed to {@code leader} (this node, leading in {@code
   * phase}; another node; or none, -1): every read still waiting asks it for its index, as an
   * answer from the one asked before may never come.
   */
  void onLeaderChanged(ProposerPhase phase, int leader, long now, Decision.Builder d) {
    for (long readId : waiting.keySet()) {
      if (phase instanceof Leading l) {
        l.askReadIndex(self, readId, now, d);
      } else if (leader >= 0) {
        d.sendNow(leader, new ReadIndexRequest(self, readId));
      }
    }
  }

  /** Another node's read asks this node for a read index: a leader gives one, any other node refuses. */
  void onReadIndexRequest(ReadIndexRequest r, ProposerPhase phase, int leaderHint, long now, Decision.Builder d) {
    if (phase instanceof Leading l) {
      l.askReadIndex(r.from(), r.readId(), now, d);
    } else {
      d.sendNow(r.from(), ReadIndexReply.refused(self, r.readId(), leaderHint));
    }
  }

  /** The leader's read index for one of this node's reads: the learner serves it once applied that far. */
  void onReadIndexReply(ReadIndexReply r, int leaderHint, Decision.Builder d) {
    Waiting w = waiting.remove(r.readId());
    if (w == null) {
      return; // expired (and refused) already, or a duplicate
    }
    if (r.isRefused()) {
      d.read(ReadOutcome.refused(r.readId(), r.leaderHint() >= 0 ? r.leaderHint() : leaderHint));
    } else {
      servedAtIndex++;
      d.sendNow(self, new ReadAt(self, r.readId(), r.readIndex(), w.query()));
    }
  }

  /** Refuses the reads asked {@code timeoutTicks} or more before {@code now}: their clients ask again. */
  void expire(long now, int leaderHint, Decision.Builder d) {
    waiting.entrySet().removeIf(e -> {
      boolean old = now - e.getValue().askedAt() >= timeoutTicks;
      if (old) {
        d.read(ReadOutcome.refused(e.getKey(), leaderHint));
      }
      return old;
    });
  }

  /** The tick at which the oldest waiting read expires, or {@link Long#MAX_VALUE}. */
  long nextExpiry() {
    return waiting.isEmpty() ? Long.MAX_VALUE : waiting.values().iterator().next().askedAt() + timeoutTicks;
  }

  long servedAtIndex() {
    return servedAtIndex;
  }

  /** Read {@code r} waits from {@code now} on (asked again, it waits from now: the order stays by tick). */
  private void wait(ClientRead r, long now) {
    waiting.remove(r.readId());
    waiting.put(r.readId(), new Waiting(r.query(), now));
  }
}
