package io.synod.paxos.sim;

import io.synod.paxos.Acceptor;
import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.Ballot;
import io.synod.paxos.Decision;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Message;
import io.synod.paxos.Outbound;
import io.synod.paxos.sim.ReplicaStorage.PendingWrite;
import io.synod.paxos.sim.ReplicaStorage.StoredSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated disks: journal writes that take time (ten times longer on a slow disk), finish
 * in order and gather the records that arrive while one is in flight into the next, a crash that loses what was not yet durable (a random prefix may survive, the write
 * after it is torn and dropped), acceptor snapshots taken when no write is pending and recovered
 * from at restart, and the learner's checkpoint. Replies held for a write leave when it is durable.
 *
 * <p>Acceptor snapshots: right after a write leaves no write pending (so the acceptor holds
 * nothing that is not durable), a shell may store {@link Acceptor#snapshotRecords()}; once that
 * store is durable, a restart may recover the acceptor from it plus the records made durable after
 * it, as Pekko Persistence does with a snapshot and the events after it.
 */
final class SimDisk {

  private final SimContext ctx;
  private final FaultMix mix;
  private final SimNetwork network;

  SimDisk(SimContext ctx, SimNetwork network) {
    this.ctx = ctx;
    this.mix = ctx.mix();
    this.network = network;
  }

  /**
   * Writes {@code records} atomically after every write before it. As the actor shell does (group
   * commit), the records of every input handled while a write is in flight share the next write:
   * a disk holds at most one write in flight and one waiting, however many inputs arrive, so a slow
   * disk delays the acceptor's answers but never builds a backlog that outlasts it.
   */
  void write(SimNode n, SimReplica r, List<AcceptorRecord> records) {
    ReplicaStorage s = r.storage;
    if (s.pendingWrites.size() >= 2) {
      s.pendingWrites.peekLast().records.addAll(records);
      return;
    }
    s.pendingWrites.addLast(new PendingWrite(new ArrayList<>(records)));
    long latency = mix.diskLatency() * (n.slowDisk ? 10 : 1) / 2 + ctx.rng().nextLong(mix.diskLatency() + 1);
    s.diskFreeAt = Math.max(s.diskFreeAt, ctx.clock().now()) + latency;
    int incarnation = n.incarnation;
    ctx.clock().at(s.diskFreeAt, () -> writeDone(n, r, incarnation));
  }

  /**
   * Holds {@code o} until every write started so far is durable; false if none is pending, so
   * the caller may send it at once.
   */
  boolean holdUntilDurable(SimReplica r, Outbound o) {
    PendingWrite last = r.storage.pendingWrites.peekLast();
    if (last == null) {
      return false;
    }
    last.held.add(o);
    return true;
  }

  private void writeDone(SimNode n, SimReplica r, int incarnation) {
    if (!n.runs(incarnation)) {
      return;
    }
    PendingWrite w = r.storage.pendingWrites.pollFirst();
    r.storage.makeDurable(w.records); // the disk finished the write even if the process is paused
    if (ctx.trace().on()) {
      ctx.trace().log("n" + n.id + " " + r.group + " durable " + w.records);
    }
    n.whenRunning(() -> {
      for (Outbound o : w.held) {
        network.send(n, r.group, o);
      }
      maybeSnapshotAcceptor(n, r);
    });
  }

  /** The crash of {@code n} as {@code r}'s disk sees it: what was not yet durable is lost, perhaps torn. */
  void crash(SimNode n, SimReplica r) {
    ReplicaStorage s = r.storage;
    int pending = s.pendingWrites.size();
    int surviving = pending > 0 && ctx.rng().nextDouble() < mix.survivingUnsyncedWrites()
        ? ctx.rng().nextInt(pending + 1)
        : 0;
    for (int i = 0; i < surviving; i++) {
      s.makeDurable(s.pendingWrites.pollFirst().records);
    }
    if (ctx.trace().on()) {
      ctx.trace().log("n" + n.id + " " + r.group + " crash keeps " + surviving + " of " + pending
          + " unsynced writes, loses " + s.pendingWrites);
    }
    if (!s.pendingWrites.isEmpty()) {
      ctx.tally().tornWrites++; // the first lost write was cut short: its CRC fails and recovery drops it
    }
    s.pendingWrites.clear();
  }

  /**
   * The node's acceptor as its shell recovers it: from every durable write, or (per the mix) from
   * a stored snapshot and the writes made durable after it.
   */
  Acceptor recoverAcceptor(SimNode n, SimReplica r) {
    ReplicaStorage s = r.storage;
    List<AcceptorRecord> all = new ArrayList<>();
    s.durable.forEach(all::addAll);
    if (s.snapshots.isEmpty() || ctx.rng().nextDouble() >= mix.snapshotRecoveryShare()) {
      return ctx.protocol().acceptor(r.config, all);
    }
    // Mostly the latest, as Pekko Persistence loads; sometimes an older one, as when the latest fails to load.
    int pick = ctx.rng().nextInt(4) == 0 ? ctx.rng().nextInt(s.snapshots.size()) : s.snapshots.size() - 1;
    StoredSnapshot snapshot = s.snapshots.get(pick);
    List<AcceptorRecord> after = new ArrayList<>();
    s.durable.subList(snapshot.coveredWrites(), s.durable.size()).forEach(after::addAll);
    ctx.tally().snapshotRecoveries++;
    ctx.trace().log("n" + n.id + " " + r.group + " recovers its acceptor from a snapshot of "
        + snapshot.coveredWrites() + " of " + s.durable.size() + " durable writes");
    List<Decision> fromSnapshot = probe(r.config, snapshot.records(), after);
    List<Decision> fromAll = probe(r.config, all, List.of());
    if (!fromSnapshot.equals(fromAll)) {
      ctx.checker().raise("acceptor snapshot: node " + n.id + " of " + r.group + " recovered from snapshot "
          + snapshot.records() + " and the " + after.size() + " records after it answers " + fromSnapshot
          + ", recovered from all its records it answers " + fromAll);
    }
    Acceptor a = ctx.protocol().acceptor(r.config, snapshot.records());
    a.replay(after);
    return a;
  }

  /**
   * What an acceptor recovered from {@code records} and then {@code after} answers, once its
   * restart grace is over, to a prepare below every real ballot (its refusal names the promise) and
   * then to one above every ballot (its promise lists the truncation point and every value held,
   * with the ballot it was accepted at).
   */
  private static List<Decision> probe(GroupConfig config, List<AcceptorRecord> records, List<AcceptorRecord> after) {
    Acceptor a = Acceptor.recover(config, records);
    a.replay(after);
    for (int i = 0; i < config.tuning().leaseTicks(); i++) {
      a.onTick();
    }
    int peer = config.members().get(config.members().get(0) == config.self() ? 1 : 0);
    return List.of(
        a.handle(new Message.Prepare(peer, new Ballot(0, peer), 0)),
        a.handle(new Message.Prepare(peer, new Ballot(Long.MAX_VALUE / 2, peer), 0)));
  }

  /**
   * After a write that leaves none pending, the acceptor holds exactly its durable state, so a
   * shell may snapshot it then. The snapshot counts only once the snapshot store made it durable.
   */
  private void maybeSnapshotAcceptor(SimNode n, SimReplica r) {
    ReplicaStorage s = r.storage;
    if (mix.acceptorSnapshotPerWrite() == 0 || s.snapshotting || !s.pendingWrites.isEmpty()
        || ctx.rng().nextDouble() >= mix.acceptorSnapshotPerWrite()) {
      return;
    }
    List<AcceptorRecord> records = r.acceptor.snapshotRecords();
    List<AcceptorRecord> durable = s.durableState.snapshotRecords();
    if (!records.equals(durable)) {
      ctx.checker().raise("acceptor snapshot: node " + n.id + " of " + r.group + " with no write pending holds "
          + records + " but its durable writes rebuild " + durable);
      return;
    }
    StoredSnapshot snapshot = new StoredSnapshot(records, s.durable.size());
    s.snapshotting = true;
    int incarnation = n.incarnation;
    // If the node crashes first, the snapshot is never completed.
    ctx.clock().schedule(mix.diskLatency() + ctx.rng().nextLong(mix.diskLatency() + 1),
        () -> n.whenRunning(incarnation, () -> onSnapshotStored(s, snapshot)));
  }

  private static void onSnapshotStored(ReplicaStorage s, StoredSnapshot snapshot) {
    s.snapshotting = false;
    s.keepSnapshot(snapshot);
  }

  /**
   * Writes a checkpoint (temp file, fsync, rename); once it is durable, and newer than the one
   * stored, runs {@code whenDurable}, which lets the log below it go.
   */
  void storeCheckpoint(SimNode n, SimReplica r, byte[] bytes, long instance, Runnable whenDurable) {
    ReplicaStorage s = r.storage;
    s.checkpointing = true;
    int incarnation = n.incarnation;
    ctx.clock().schedule(mix.diskLatency() + ctx.rng().nextLong(mix.diskLatency() + 1),
        () -> n.whenRunning(incarnation, () -> onCheckpointStored(s, bytes, instance, whenDurable)));
  }

  private static void onCheckpointStored(ReplicaStorage s, byte[] bytes, long instance, Runnable whenDurable) {
    s.checkpointing = false;
    if (instance > s.checkpointInstance) {
      s.checkpoint = bytes;
      s.checkpointInstance = instance;
      whenDurable.run();
    }
  }
}
