package io.synod.actors.internal;

import io.synod.paxos.AcceptorRecord;
import java.util.List;

/**
 * An acceptor's durable state as a Pekko Persistence snapshot: the records that rebuild it (see
 * {@link io.synod.paxos.Acceptor#snapshotRecords()}), so the journal's events before it can be deleted.
 */
public record AcceptorSnapshot(List<AcceptorRecord> records) {
  public AcceptorSnapshot {
    records = List.copyOf(records);
  }
}
