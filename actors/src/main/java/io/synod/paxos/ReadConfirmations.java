package io.synod.paxos;

import io.synod.paxos.Message.ReadIndexReply;
import java.util.ArrayList;
import java.util.List;

/**
 * A leader's ReadIndex reads waiting for a quorum to confirm its leadership. A read asked at tick
 * {@code t} gets the leader's read index at once (every write acknowledged before the read was
 * asked is at or below it), and its answer waits until a majority of the voters granted a lease
 * request the leader sent at a tick after {@code t}: an acceptor that answers at this leader's
 * ballot after the read arrived had promised no higher ballot by then, so no other leader can have
 * chosen anything the index misses. Its one reason to change: when a read index may be given out.
 */
final class ReadConfirmations {

  /** A read index asked by node {@code asker} at tick {@code askedAt}. */
  private record Waiting(int asker, long readId, long readIndex, long askedAt) {}

  private final int self;
  private final List<Waiting> waiting = new ArrayList<>();

  ReadConfirmations(int self) {
    this.self = self;
  }

  /** Node {@code asker}'s read {@code readId} asked at {@code now}, for {@code readIndex} once confirmed. */
  void ask(int asker, long readId, long readIndex, long now) {
    waiting.add(new Waiting(asker, readId, readIndex, now));
  }

  /**
   * Whether a read waits for a lease request sent after tick {@code lastAsk}: a heartbeat asking for
   * the lease is due.
   */
  boolean needAskAfter(long lastAsk) {
    return !waiting.isEmpty() && waiting.get(waiting.size() - 1).askedAt() >= lastAsk;
  }

  /** The tick of the newest waiting read, or {@link Long#MIN_VALUE}. */
  long newestAskedAt() {
    return waiting.isEmpty() ? Long.MIN_VALUE : waiting.get(waiting.size() - 1).askedAt();
  }

  /** A majority granted the lease request of tick {@code confirmed}: every read asked before it is answered. */
  void confirmed(long confirmed, Decision.Builder d) {
    int answered = 0;
    for (Waiting w : waiting) { // in the order asked
      if (w.askedAt() >= confirmed) {
        break;
      }
      d.sendNow(w.asker(), new ReadIndexReply(self, w.readId(), w.readIndex(), -1));
      answered++;
    }
    waiting.subList(0, answered).clear();
  }

  /** This leader will not confirm them (it hands over or stops leading): every waiting read is refused. */
  void refuseAll(int leaderHint, Decision.Builder d) {
    for (Waiting w : waiting) {
      d.sendNow(w.asker(), ReadIndexReply.refused(self, w.readId(), leaderHint));
    }
    waiting.clear();
  }

  int size() {
    return waiting.size();
  }
}
