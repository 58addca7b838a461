package io.synod.paxos.sim;

import io.synod.paxos.Acceptor;
import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Outbound;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What one replica's disk holds: the acceptor's durable writes and those still in flight (with the
 * replies that wait for them), the stored acceptor snapshots and the learner's checkpoint. {@link
 * SimDisk} decides what happens to it.
 */
final class ReplicaStorage {

  /** How many snapshots of one acceptor the store keeps (Pekko's keepNSnapshots). */
  private static final int KEPT_SNAPSHOTS = 3;

  /** A write not yet durable, and the replies that may leave only once it is. */
  static final class PendingWrite {
    final List<AcceptorRecord> records;
    final List<Outbound> held = new ArrayList<>();

    PendingWrite(List<AcceptorRecord> records) {
      this.records = records;
    }
  }

  /** An acceptor snapshot in the snapshot store: it covers the first {@code coveredWrites} durable writes. */
  record StoredSnapshot(List<AcceptorRecord> records, int coveredWrites) {}

  final List<List<AcceptorRecord>> durable = new ArrayList<>();
  /** What recovering from every durable write rebuilds, kept up to date write by write: the oracle for snapshots. */
  final Acceptor durableState;
  final List<StoredSnapshot> snapshots = new ArrayList<>();
  boolean snapshotting;
  final ArrayDeque<PendingWrite> pendingWrites = new ArrayDeque<>();
  long diskFreeAt;
  byte[] checkpoint;
  long checkpointInstance = -1;
  boolean checkpointing;

  ReplicaStorage(GroupConfig config) {
    this.durableState = Acceptor.recover(config, List.of());
  }

  void makeDurable(List<AcceptorRecord> records) {
    durable.add(records);
    durableState.replay(records);
  }

  void keepSnapshot(StoredSnapshot s) {
    snapshots.add(s);
    if (snapshots.size() > KEPT_SNAPSHOTS) {
      snapshots.remove(0);
    }
  }

  /** A restarted process has no write in flight and no snapshot or checkpoint under way. */
  void restarted() {
    snapshotting = false;
    pendingWrites.clear();
    diskFreeAt = 0;
    checkpointing = false;
  }
}
