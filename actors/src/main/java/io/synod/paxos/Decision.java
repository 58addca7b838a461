package io.synod.paxos;

import io.synod.paxos.Message.Proposal;
import java.util.ArrayList;
import java.util.List;

/**
 * What a role wants done after one input, for its shell to carry out in this order: write {@code
 * toPersist} as one atomic write; send {@code sendNow} at once; send {@code sendAfterPersist} only
 * once this write <em>and every write before it</em> is durable (so a reply that rests on an
 * earlier, still pending write waits too, even when {@code toPersist} is empty). {@code chosen}
 * lists instances the learner learned, {@code applied} the client commands it met while applying,
 * {@code reads} answered reads, {@code refused} client commands turned away, and {@code
 * fetchSnapshotFrom} (or -1) a peer whose latest snapshot the learner needs installed.
 */
public record Decision(
    List<AcceptorRecord> toPersist,
    List<Outbound> sendAfterPersist,
    List<Outbound> sendNow,
    List<Proposal> chosen,
    List<Applied> applied,
    List<ReadOutcome> reads,
    List<Refusal> refused,
    int fetchSnapshotFrom) {

  public static final Decision NONE = new Decision(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), -1);

  public Decision {
    toPersist = List.copyOf(toPersist);
    sendAfterPersist = List.copyOf(sendAfterPersist);
    sendNow = List.copyOf(sendNow);
    chosen = List.copyOf(chosen);
    applied = List.copyOf(applied);
    reads = List.copyOf(reads);
    refused = List.copyOf(refused);
  }

  public boolean isEmpty() {
    return this.equals(NONE);
  }

  /** Collects a decision while a role handles one input. */
  static final class Builder {
    private final List<AcceptorRecord> toPersist = new ArrayList<>();
    private final List<Outbound> sendAfterPersist = new ArrayList<>();
    private final List<Outbound> sendNow = new ArrayList<>();
    private final List<Proposal> chosen = new ArrayList<>();
    private final List<Applied> applied = new ArrayList<>();
    private final List<ReadOutcome> reads = new ArrayList<>();
    private final List<Refusal> refused = new ArrayList<>();
    private int fetchSnapshotFrom = -1;

    Builder persist(AcceptorRecord record) {
      toPersist.add(record);
      return this;
    }

    Builder sendAfterPersist(int to, Message message) {
      sendAfterPersist.add(new Outbound(to, message));
      return this;
    }

    Builder sendNow(int to, Message message) {
      sendNow.add(new Outbound(to, message));
      return this;
    }

    Builder chosen(Proposal proposal) {
      chosen.add(proposal);
      return this;
    }

    Builder applied(Applied a) {
      applied.add(a);
      return this;
    }

    Builder read(ReadOutcome outcome) {
      reads.add(outcome);
      return this;
    }

    Builder refuse(Refusal refusal) {
      refused.add(refusal);
      return this;
    }

    Builder fetchSnapshotFrom(int node) {
      fetchSnapshotFrom = node;
      return this;
    }

    Decision build() {
      if (toPersist.isEmpty() && sendAfterPersist.isEmpty() && sendNow.isEmpty() && chosen.isEmpty()
          && applied.isEmpty() && reads.isEmpty() && refused.isEmpty() && fetchSnapshotFrom < 0) {
        return NONE;
      }
      return new Decision(toPersist, sendAfterPersist, sendNow, chosen, applied, reads, refused, fetchSnapshotFrom);
    }
  }
}
