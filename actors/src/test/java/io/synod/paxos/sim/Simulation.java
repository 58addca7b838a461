package io.synod.paxos.sim;

import io.synod.paxos.Acceptor;
import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.Applied;
import io.synod.paxos.Ballot;
import io.synod.paxos.Checkpoint;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.CorruptValueException;
import io.synod.paxos.Decision;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Learner;
import io.synod.paxos.Membership;
import io.synod.paxos.Message;
import io.synod.paxos.Outbound;
import io.synod.paxos.Proposer;
import io.synod.paxos.ReadOutcome;
import io.synod.paxos.Refusal;
import io.synod.paxos.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One deterministic, single-threaded run of a whole cluster: {@code nodes} nodes, each hosting the
 * real core roles of every group, driven by virtual time from one seed. The seed decides the fault
 * mix ({@link FaultMix}) and every random choice after it, so a run replays exactly.
 *
 * <p>Faults: message loss, duplication, delay and reordering, value corruption in transit,
 * symmetric, one-way and leader-isolating partitions, crashes that lose every write not yet
 * durable (a random prefix of unsynced writes may survive; the write after it is torn and
 * dropped), slow disks, tick-rate skew within the bound the lease assumes, and pauses: a paused
 * node (a long GC, SIGSTOP) handles nothing while messages to it queue up; on resuming, its roles
 * first get the ticks they missed, at most {@link #catchUpCap}, then the queued inputs. After the
 * fault phase everything heals and every client operation must complete within {@link
 * #LIVENESS_TICKS} nominal ticks.
 *
 * <p>Acceptor snapshots: right after a write leaves no write pending (so the acceptor holds
 * nothing that is not durable), a shell may store {@link Acceptor#snapshotRecords()}; once that
 * store is durable, a restart may recover the acceptor from it plus the records made durable after
 * it, as Pekko Persistence does with a snapshot and the events after it.
 */
final class Simulation {

  static final long LIVENESS_TICKS = 3_000;
  /** Below the 30-tick lease, so a client stuck behind a deposed leader retries while its lease could still be stale. */
  private static final long CLIENT_TIMEOUT = 20 * FaultMix.TICK;
  private static final byte[] READ_QUERY = new byte[0];

  record Result(long seed, String protocol, String violation, Counters counters, long virtualTicks) {}

  // ---- simulated world ----

  private record Scheduled(long time, long order, Runnable action) {}

  private record Envelope(String group, int from, int to, Object payload, boolean corrupted, int incarnation) {}

  private record ClientRequest(int client, ClientCommand command) {}

  private record ClientReadRequest(int client, long readId, long floor) {}

  private record ClientReply(long sequence, Applied.Outcome outcome, byte[] result) {}

  private record ClientRefused(long sequence, int leaderHint) {}

  private record ClientReadReply(long readId, boolean served, long appliedThrough, int leaderHint) {}

  private record FetchCheckpoint() {}

  private record CheckpointData(byte[] bytes) {}

  /** An acceptor snapshot in the snapshot store: it covers the first {@code coveredWrites} durable writes. */
  private record StoredSnapshot(List<AcceptorRecord> records, int coveredWrites) {}

  /** How many snapshots of one acceptor the store keeps (Pekko's keepNSnapshots). */
  private static final int KEPT_SNAPSHOTS = 3;

  private static final class PendingWrite {
    final List<AcceptorRecord> records;
    final List<Outbound> held = new ArrayList<>();

    PendingWrite(List<AcceptorRecord> records) {
      this.records = records;
    }
  }

  private final class Replica {
    final String group;
    final GroupConfig config;
    Acceptor acceptor;
    Proposer proposer;
    Learner learner;
    SimStateMachine stateMachine;
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
    long reportedPrefix = -1;
    boolean wasLeader;
    /** When this replica, a learner catching up, last asked to become a voter. */
    long promotionAskedAt = Long.MIN_VALUE / 2;

    Replica(String group, GroupConfig config) {
      this.group = group;
      this.config = config;
      this.durableState = Acceptor.recover(config, List.of());
    }

    void makeDurable(List<AcceptorRecord> records) {
      durable.add(records);
      durableState.replay(records);
    }
  }

  private record ReadWaiter(int client, long floor) {}

  private final class Node {
    final int id;
    boolean up = true;
    int incarnation;
    long tickInterval;
    boolean slowDisk;
    boolean paused;
    long missedTicks;
    /** What a paused node will do once it resumes, in order: handle queued messages, finish writes. */
    final List<Runnable> held = new ArrayList<>();
    final Map<String, Replica> replicas = new LinkedHashMap<>();
    final Map<String, Integer> waiters = new HashMap<>();
    final Map<Long, ReadWaiter> readWaiters = new HashMap<>();

    Node(int id) {
      this.id = id;
    }
  }

  private final class Client {
    final int index;
    final String group;
    final long clientId;
    long sequence;
    ClientCommand current;
    long readId = -1;
    long readFloor;
    long reads;
    int attempt;
    int hint = -1;
    /** An application in the same process as a node: it reads there only, at once, when the node resumes from a pause. */
    final boolean colocatedReader;

    Client(int index, String group, long clientId, boolean colocatedReader) {
      this.index = index;
      this.group = group;
      this.clientId = clientId;
      this.colocatedReader = colocatedReader;
    }

    boolean busy() {
      return current != null || readId >= 0;
    }
  }

  private final long seed;
  private final FaultMix mix;
  private final SimProtocol protocol;
  private final SplittableRandom rng;
  private final Checker checker = new Checker();
  private final PriorityQueue<Scheduled> queue =
      new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.order, b.order));
  private final List<Node> nodes = new ArrayList<>();
  private final List<String> groups = new ArrayList<>();
  private final List<Client> clients = new ArrayList<>();
  private final Set<Long> blocked = new HashSet<>();
  private final Consumer<String> trace;
  private long now;
  private long order;
  private boolean healed;
  private long healedAt;
  private boolean partitioned;

  private long events;
  private long crashes;
  private long partitions;
  private long tornWrites;
  private long corruptionsDetected;
  private long checkpointsInstalled;
  private long duplicatesAnswered;
  private long leaderChanges;
  private long pauses;
  private long snapshotRecoveries;
  /** Promise pages after the first delivered: phase 1 reports too large for one message. */
  private long promisePages;
  /** Leaders asked to hand over leadership, and campaigns a handover started (TimeoutNow delivered). */
  private long transfers;
  private long handoverCampaigns;
  private long membershipChanges;
  /** Client ids of the operator's membership changes: one per change, never retried. */
  private long nextAdminClient = 1L << 40;

  Simulation(long seed, SimProtocol protocol, Consumer<String> trace) {
    this(seed, FaultMix.draw(seed), protocol, trace);
  }

  Simulation(long seed, FaultMix mix, SimProtocol protocol, Consumer<String> trace) {
    this.seed = seed;
    this.mix = mix;
    this.protocol = protocol;
    this.rng = new SplittableRandom(seed);
    this.trace = trace;
  }

  FaultMix mix() {
    return mix;
  }

  Result run() {
    List<Integer> memberIds = new ArrayList<>();
    for (int i = 0; i < mix.nodes(); i++) {
      memberIds.add(i);
    }
    // Spare nodes only when membership changes can add them, so other seeds keep their runs.
    int spares = mix.membershipPerTick() > 0 ? mix.spareNodes() : 0;
    for (int g = 0; g < mix.groups(); g++) {
      groups.add("g" + g);
    }
    for (int i = 0; i < mix.nodes() + spares; i++) {
      Node n = new Node(i);
      for (String g : groups) {
        GroupConfig config = GroupConfig.builder(g, i, memberIds)
            .joining(i >= mix.nodes())
            .window(mix.window())
            .maxBatchCommands(mix.maxBatchCommands())
            .maxBatchBytes(mix.maxBatchBytes())
            .catchUpBatch(mix.catchUpBatch())
            .maxSkewPerMille(FaultMix.SKEW_BOUND_PER_MILLE)
            .build();
        n.replicas.put(g, new Replica(g, config));
      }
      nodes.add(n);
      start(n);
    }
    for (String g : groups) {
      for (int c = 0; c < mix.clientsPerGroup(); c++) {
        Client client = new Client(clients.size(), g, 1_000 + clients.size(), false);
        clients.add(client);
        schedule(rng.nextLong(10 * FaultMix.TICK), () -> nextOperation(client));
      }
      if (mix.readAfterResume() > 0) {
        clients.add(new Client(clients.size(), g, 1_000 + clients.size(), true));
      }
    }
    schedule(FaultMix.TICK, this::faultClock);

    while (!queue.isEmpty() && checker.violation() == null) {
      Scheduled s = queue.poll();
      now = s.time;
      if (!healed && now >= mix.faultPhase()) {
        heal();
      }
      if (healed) {
        if (livenessReached()) {
          break;
        }
        if (now - healedAt > LIVENESS_TICKS * FaultMix.TICK) {
          checker.raise("liveness: " + LIVENESS_TICKS + " ticks after healing, " + livenessReport());
          break;
        }
      }
      s.action.run();
    }
    if (checker.violation() == null) {
      for (Node n : nodes) {
        for (Replica r : n.replicas.values()) {
          if (latestMembership(r.group).includes(n.id)) {
            checker.finalState(r.group, n.id, r.learner.nextToApply());
          }
        }
      }
    }
    Counters counters = new Counters(events, checker.chosenCount, crashes, partitions, tornWrites,
        corruptionsDetected, checker.acknowledged, checker.leaseReads, checkpointsInstalled, duplicatesAnswered,
        leaderChanges, pauses, snapshotRecoveries, promisePages, transfers, handoverCampaigns, membershipChanges,
        membershipEpochs());
    return new Result(seed, protocol.name(), checker.violation(), counters, now / FaultMix.TICK);
  }

  private void schedule(long delay, Runnable action) {
    queue.add(new Scheduled(now + delay, order++, action));
  }

  private void log(String line) {
    if (trace != null) {
      trace.accept("t=" + now + " " + line);
    }
  }

  // ---- nodes ----

  private void start(Node n) {
    n.up = true;
    int skew = mix.skewPerMille() == 0 ? 0 : rng.nextInt(-mix.skewPerMille(), mix.skewPerMille() + 1);
    n.tickInterval = FaultMix.TICK * 1000 / (1000 + skew);
    n.paused = false;
    n.missedTicks = 0;
    n.held.clear();
    for (Replica r : n.replicas.values()) {
      r.acceptor = recoverAcceptor(n, r);
      r.snapshotting = false;
      r.stateMachine = new SimStateMachine();
      r.learner = new Learner(r.config, r.stateMachine, new SplittableRandom(rng.nextLong()));
      r.proposer = protocol.proposer(r.config, new SplittableRandom(rng.nextLong()));
      r.pendingWrites.clear();
      r.diskFreeAt = 0;
      r.checkpointing = false;
      r.reportedPrefix = -1;
      r.wasLeader = false;
      if (r.checkpoint != null) {
        apply(n, r, r.learner.install(Checkpoint.decode(r.checkpoint)));
        apply(n, r, r.learner.onCheckpointDurable(r.checkpointInstance));
      }
    }
    int incarnation = n.incarnation;
    schedule(rng.nextLong(n.tickInterval) + 1, () -> tick(n, incarnation));
  }

  /**
   * The node's acceptor as its shell recovers it: from every durable write, or (per the mix) from
   * a stored snapshot and the writes made durable after it.
   */
  private Acceptor recoverAcceptor(Node n, Replica r) {
    List<AcceptorRecord> all = new ArrayList<>();
    r.durable.forEach(all::addAll);
    if (r.snapshots.isEmpty() || rng.nextDouble() >= mix.snapshotRecoveryShare()) {
      return protocol.acceptor(r.config, all);
    }
    // Mostly the latest, as Pekko Persistence loads; sometimes an older one, as when the latest fails to load.
    int pick = rng.nextInt(4) == 0 ? rng.nextInt(r.snapshots.size()) : r.snapshots.size() - 1;
    StoredSnapshot s = r.snapshots.get(pick);
    List<AcceptorRecord> after = new ArrayList<>();
    r.durable.subList(s.coveredWrites(), r.durable.size()).forEach(after::addAll);
    snapshotRecoveries++;
    log("n" + n.id + " " + r.group + " recovers its acceptor from a snapshot of " + s.coveredWrites() + " of "
        + r.durable.size() + " durable writes");
    List<Decision> fromSnapshot = probe(r.config, s.records(), after);
    List<Decision> fromAll = probe(r.config, all, List.of());
    if (!fromSnapshot.equals(fromAll)) {
      checker.raise("acceptor snapshot: node " + n.id + " of " + r.group + " recovered from snapshot " + s.records()
          + " and the " + after.size() + " records after it answers " + fromSnapshot
          + ", recovered from all its records it answers " + fromAll);
    }
    Acceptor a = protocol.acceptor(r.config, s.records());
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
    for (int i = 0; i < config.leaseTicks(); i++) {
      a.onTick();
    }
    int peer = config.members().get(config.members().get(0) == config.self() ? 1 : 0);
    return List.of(
        a.handle(new Message.Prepare(peer, new Ballot(0, peer), 0)),
        a.handle(new Message.Prepare(peer, new Ballot(Long.MAX_VALUE / 2, peer), 0)));
  }

  private void tick(Node n, int incarnation) {
    if (!n.up || n.incarnation != incarnation) {
      return;
    }
    if (n.paused) {
      n.missedTicks++; // the monotonic clock runs on; the shell will notice on resuming
    } else {
      events++;
      tickRoles(n);
    }
    schedule(n.tickInterval, () -> tick(n, incarnation));
  }

  private void tickRoles(Node n) {
    for (Replica r : n.replicas.values()) {
      apply(n, r, r.acceptor.onTick());
      long quiet = r.proposer.ticksUntilDue();
      Ballot ballot = r.proposer.ballot();
      boolean leading = r.proposer.isLeader();
      Decision d = r.proposer.onTick();
      if (quiet > 1 && (!d.isEmpty() || !ballot.equals(r.proposer.ballot()) || leading != r.proposer.isLeader())) {
        // The actor shell sleeps through such ticks and hands them over late: they must only count.
        checker.raise("the proposer of node " + n.id + " in " + r.group + " said nothing was due for " + quiet
            + " ticks, but its next tick did something: " + d);
      }
      apply(n, r, d);
      apply(n, r, r.learner.onTick());
    }
  }

  /**
   * The most ticks a shell hands its roles at once after a pause: enough for every lease and
   * election deadline to pass, as the actor shell's TickClock caps them.
   */
  static int catchUpCap(GroupConfig config) {
    return 2 * Math.max(config.leaseTicks(), config.electionTimeoutTicks() + config.electionJitterTicks());
  }

  /** Runs {@code action} now, or once the node resumes if it is paused. */
  private void whenRunning(Node n, Runnable action) {
    if (n.paused) {
      n.held.add(action);
    } else {
      action.run();
    }
  }

  private void pause(Node n) {
    pauses++;
    n.paused = true;
    n.missedTicks = 0;
    long length = FaultMix.TICK + rng.nextLong(mix.maxPause());
    log("pause n" + n.id + " for " + length / FaultMix.TICK + " ticks");
    int incarnation = n.incarnation;
    schedule(length, () -> resume(n, incarnation));
  }

  /**
   * The node's shell wakes up: first each role gets the ticks it missed, capped (or none, in a
   * shell that forgets them); then the applications next to it may read at once, before the
   * backlog of messages that queued up; the backlog follows, in arrival order, after what the node
   * just sent itself. Actors of one node have their own mailboxes, so nothing orders a colocated
   * application's read after messages from peers still waiting in the node gateway's mailbox.
   */
  private void resume(Node n, int incarnation) {
    if (!n.up || n.incarnation != incarnation || !n.paused) {
      return;
    }
    n.paused = false;
    long missed = n.missedTicks;
    n.missedTicks = 0;
    long burst = protocol.catchesUpTicksAfterPause() ? Math.min(missed, catchUpCap(nodeConfig(n))) : 0;
    log("resume n" + n.id + " after " + missed + " missed ticks, catching up " + burst + ", then " + n.held.size()
        + " queued inputs");
    for (long i = 0; i < burst; i++) {
      events++;
      tickRoles(n);
    }
    if (!healed) {
      colocatedReadsAfterResume(n);
    }
    List<Runnable> backlog = new ArrayList<>(n.held);
    n.held.clear();
    for (Runnable action : backlog) {
      queue.add(new Scheduled(now + 1, order++, () -> {
        if (n.up && n.incarnation == incarnation) {
          whenRunning(n, action);
        }
      }));
    }
  }

  private static GroupConfig nodeConfig(Node n) {
    return n.replicas.values().iterator().next().config;
  }

  private void crash(Node n) {
    log("crash n" + n.id);
    crashes++;
    n.up = false;
    n.incarnation++;
    n.paused = false;
    n.held.clear();
    n.waiters.clear();
    n.readWaiters.clear();
    for (Replica r : n.replicas.values()) {
      int pending = r.pendingWrites.size();
      int surviving = pending > 0 && rng.nextDouble() < mix.survivingUnsyncedWrites() ? rng.nextInt(pending + 1) : 0;
      for (int i = 0; i < surviving; i++) {
        r.makeDurable(r.pendingWrites.pollFirst().records);
      }
      if (trace != null) {
        log("n" + n.id + " " + r.group + " crash keeps " + surviving + " of " + pending + " unsynced writes, loses "
            + r.pendingWrites);
      }
      if (!r.pendingWrites.isEmpty()) {
        tornWrites++; // the first lost write was cut short: its CRC fails and recovery drops it
      }
      r.pendingWrites.clear();
    }
  }

  private void restart(Node n) {
    if (n.up) {
      return;
    }
    log("restart n" + n.id);
    start(n);
  }

  // ---- carrying out decisions ----

  private void apply(Node n, Replica r, Decision d) {
    if (d.isEmpty()) {
      return;
    }
    if (!d.toPersist().isEmpty()) {
      PendingWrite w = new PendingWrite(d.toPersist());
      r.pendingWrites.addLast(w);
      long latency = mix.diskLatency() * (n.slowDisk ? 10 : 1) / 2 + rng.nextLong(mix.diskLatency() + 1);
      r.diskFreeAt = Math.max(r.diskFreeAt, now) + latency;
      int incarnation = n.incarnation;
      queue.add(new Scheduled(r.diskFreeAt, order++, () -> writeDone(n, r, incarnation)));
    }
    for (Outbound o : d.sendNow()) {
      send(n, r.group, o);
    }
    if (!d.sendAfterPersist().isEmpty()) {
      if (protocol.repliesBeforePersist() || r.pendingWrites.isEmpty()) {
        d.sendAfterPersist().forEach(o -> send(n, r.group, o));
      } else {
        r.pendingWrites.peekLast().held.addAll(d.sendAfterPersist());
      }
    }
    for (Message.Proposal p : d.chosen()) {
      if (trace != null) {
        log("n" + n.id + " learned " + r.group + "/" + p.instance() + " " + p.value());
      }
      checker.learned(r.group, n.id, p.instance(), p.value());
    }
    if (r.proposer.isLeader() != r.wasLeader) {
      r.wasLeader = !r.wasLeader;
      if (r.wasLeader) {
        leaderChanges++;
        log("n" + n.id + " leads " + r.group + " at ballot " + r.proposer.ballot());
      }
    }
    for (Applied a : d.applied()) {
      checker.applied(r.group, n.id, a);
      if (a.outcome() == Applied.Outcome.DUPLICATE) {
        duplicatesAnswered++;
      }
      Integer client = n.waiters.remove(waiterKey(r.group, a.clientId(), a.sequence()));
      if (client != null) {
        toClient(n, client, new ClientReply(a.sequence(), a.outcome(), a.result()));
      }
    }
    for (ReadOutcome o : d.reads()) {
      ReadWaiter w = n.readWaiters.remove(o.readId());
      if (w == null) {
        continue;
      }
      if (o.served()) {
        checker.leaseRead(r.group, n.id, w.floor(), o.appliedThrough(), o.result());
      }
      toClient(n, w.client(), new ClientReadReply(o.readId(), o.served(), o.appliedThrough(), o.leaderHint()));
    }
    for (Refusal f : d.refused()) {
      Integer client = n.waiters.remove(waiterKey(r.group, f.command().clientId(), f.command().sequence()));
      if (client != null) {
        toClient(n, client, new ClientRefused(f.command().sequence(), f.leaderHint()));
      }
    }
    if (d.fetchSnapshotFrom() >= 0) {
      send(n, r.group, d.fetchSnapshotFrom(), new FetchCheckpoint());
    }
    Membership m = r.learner.membership();
    if (m.catchingUp().contains(n.id) && now - r.promotionAskedAt >= 50 * FaultMix.TICK) {
      // As the actor shell does: a learner that has applied the change naming it asks to vote.
      r.promotionAskedAt = now;
      ClientCommand promote = ClientCommand.membership(nextAdminClient++, 1, new Membership.Change(m.epoch(), m.promoting(n.id)));
      checker.proposed(r.group, promote);
      log("n" + n.id + " " + r.group + " has caught up and asks to vote: " + m);
      apply(n, r, r.proposer.onClientCommand(promote));
    }
    if (r.learner.nextToApply() != r.reportedPrefix) {
      r.reportedPrefix = r.learner.nextToApply();
      checker.reachedPrefix(r.group, n.id, r.reportedPrefix, r.stateMachine.hash());
      maybeCheckpoint(n, r);
    }
  }

  private static String waiterKey(String group, long clientId, long sequence) {
    return group + "/" + clientId + "/" + sequence;
  }

  private void writeDone(Node n, Replica r, int incarnation) {
    if (!n.up || n.incarnation != incarnation) {
      return;
    }
    PendingWrite w = r.pendingWrites.pollFirst();
    r.makeDurable(w.records); // the disk finished the write even if the process is paused
    if (trace != null) {
      log("n" + n.id + " " + r.group + " durable " + w.records);
    }
    whenRunning(n, () -> {
      for (Outbound o : w.held) {
        send(n, r.group, o);
      }
      maybeSnapshotAcceptor(n, r);
    });
  }

  /**
   * After a write that leaves none pending, the acceptor holds exactly its durable state, so a
   * shell may snapshot it then. The snapshot counts only once the snapshot store made it durable.
   */
  private void maybeSnapshotAcceptor(Node n, Replica r) {
    if (mix.acceptorSnapshotPerWrite() == 0 || r.snapshotting || !r.pendingWrites.isEmpty()
        || rng.nextDouble() >= mix.acceptorSnapshotPerWrite()) {
      return;
    }
    List<AcceptorRecord> records = r.acceptor.snapshotRecords();
    List<AcceptorRecord> durable = r.durableState.snapshotRecords();
    if (!records.equals(durable)) {
      checker.raise("acceptor snapshot: node " + n.id + " of " + r.group + " with no write pending holds "
          + records + " but its durable writes rebuild " + durable);
      return;
    }
    int covered = r.durable.size();
    r.snapshotting = true;
    int incarnation = n.incarnation;
    schedule(mix.diskLatency() + rng.nextLong(mix.diskLatency() + 1), () -> {
      if (!n.up || n.incarnation != incarnation) {
        return; // the node crashed first: the snapshot was never completed
      }
      whenRunning(n, () -> {
        r.snapshotting = false;
        r.snapshots.add(new StoredSnapshot(records, covered));
        if (r.snapshots.size() > KEPT_SNAPSHOTS) {
          r.snapshots.remove(0);
        }
      });
    });
  }

  private void maybeCheckpoint(Node n, Replica r) {
    long at = r.learner.nextToApply();
    if (mix.checkpointEvery() == 0 || r.checkpointing || at - Math.max(r.checkpointInstance, 0) < mix.checkpointEvery()) {
      return;
    }
    storeCheckpoint(n, r, r.learner.checkpoint().encode(), at);
  }

  /** Writes a checkpoint (temp file, fsync, rename) and, once durable, lets the log below it go. */
  private void storeCheckpoint(Node n, Replica r, byte[] bytes, long instance) {
    r.checkpointing = true;
    int incarnation = n.incarnation;
    schedule(mix.diskLatency() + rng.nextLong(mix.diskLatency() + 1), () -> {
      if (!n.up || n.incarnation != incarnation) {
        return;
      }
      whenRunning(n, () -> {
        r.checkpointing = false;
        if (instance > r.checkpointInstance) {
          r.checkpoint = bytes;
          r.checkpointInstance = instance;
          apply(n, r, r.learner.onCheckpointDurable(instance));
          apply(n, r, r.acceptor.onCheckpointDurable(instance));
        }
      });
    });
  }

  // ---- network ----

  private void send(Node from, String group, Outbound o) {
    send(from, group, o.to(), o.message());
  }

  private void send(Node from, String group, int to, Object payload) {
    if (to == from.id) {
      queue.add(new Scheduled(now + 1, order++, () -> deliver(new Envelope(group, from.id, to, payload, false, from.incarnation))));
      return;
    }
    if (blocked.contains(link(from.id, to)) || rng.nextDouble() < loss()) {
      return;
    }
    int copies = rng.nextDouble() < duplication() ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      Object p = payload;
      boolean corrupted = false;
      if (payload instanceof Message m && rng.nextDouble() < corruption()) {
        Object c = corrupt(m);
        corrupted = c != m;
        p = c;
      }
      Envelope e = new Envelope(group, from.id, to, p, corrupted, -1);
      schedule(delay(), () -> deliver(e));
    }
  }

  private void toClient(Node from, int client, Object payload) {
    if (rng.nextDouble() < loss()) {
      return;
    }
    Client c = clients.get(client);
    schedule(delay(), () -> clientReceives(c, payload));
  }

  private long delay() {
    long max = healed ? Math.min(mix.maxDelay(), 2_000) : mix.maxDelay();
    return mix.minDelay() + rng.nextLong(max - mix.minDelay() + 1);
  }

  private double loss() {
    return healed ? 0 : mix.loss();
  }

  private double duplication() {
    return healed ? 0 : mix.duplication();
  }

  private double corruption() {
    return healed ? 0 : mix.corruption();
  }

  private static long link(int from, int to) {
    return (long) from << 32 | to;
  }

  /** A copy of {@code m} with one bit of one carried value flipped, or {@code m} if it carries none. */
  private Object corrupt(Message m) {
    if (m instanceof Message.Accept a && !a.proposals().isEmpty()) {
      List<Message.Proposal> ps = new ArrayList<>(a.proposals());
      int i = rng.nextInt(ps.size());
      ps.set(i, new Message.Proposal(ps.get(i).instance(), flip(ps.get(i).value())));
      return new Message.Accept(a.from(), a.ballot(), ps, a.leaseTick());
    }
    if (m instanceof Message.Chosen c) {
      List<Message.ChosenEntry> es = new ArrayList<>(c.entries());
      for (int i = 0; i < es.size(); i++) {
        Message.ChosenEntry e = es.get(i);
        if (e.value() != null) {
          es.set(i, new Message.ChosenEntry(e.instance(), e.ballot(), flip(e.value())));
          return new Message.Chosen(c.from(), es, c.horizon());
        }
      }
      return m;
    }
    if (m instanceof Message.CatchUpReply c && !c.entries().isEmpty()) {
      List<Message.Proposal> ps = new ArrayList<>(c.entries());
      int i = rng.nextInt(ps.size());
      ps.set(i, new Message.Proposal(ps.get(i).instance(), flip(ps.get(i).value())));
      return new Message.CatchUpReply(c.from(), ps, c.horizon());
    }
    if (m instanceof Message.Promise p && !p.accepted().isEmpty()) {
      List<Message.AcceptedValue> vs = new ArrayList<>(p.accepted());
      int i = rng.nextInt(vs.size());
      Message.AcceptedValue v = vs.get(i);
      vs.set(i, new Message.AcceptedValue(v.instance(), v.ballot(), flip(v.value())));
      return new Message.Promise(p.from(), p.ballot(), vs, p.truncatedBelow());
    }
    return m;
  }

  private Value flip(Value v) {
    byte[] b = v.bytes().clone();
    int bit = rng.nextInt(b.length * 8);
    b[bit / 8] ^= (byte) (1 << (bit % 8));
    return Value.fromWire(b, v.crc());
  }

  private void deliver(Envelope e) {
    Node n = nodes.get(e.to());
    if (!n.up || (e.incarnation() >= 0 && e.incarnation() != n.incarnation) || blocked.contains(link(e.from(), e.to()))) {
      return;
    }
    whenRunning(n, () -> handle(n, e));
  }

  private void handle(Node n, Envelope e) {
    events++;
    Replica r = n.replicas.get(e.group());
    Object p = e.payload();
    if (trace != null) {
      log(e.group() + " n" + e.from() + "->n" + e.to() + " " + p);
    }
    try {
      if (p instanceof Message.ToAcceptor m) {
        apply(n, r, r.acceptor.handle(m));
      } else if (p instanceof Message.ToProposer m) {
        if (m instanceof Message.Promise pm && pm.continuedFrom() >= 0) {
          promisePages++;
        }
        if (m instanceof Message.TimeoutNow && !r.proposer.isLeader()) {
          handoverCampaigns++;
        }
        apply(n, r, r.proposer.handle(m));
      } else if (p instanceof Message.ToLearner m) {
        apply(n, r, r.learner.handle(m));
      } else if (p instanceof ClientRequest c) {
        n.waiters.put(waiterKey(r.group, c.command().clientId(), c.command().sequence()), c.client());
        apply(n, r, r.proposer.onClientCommand(c.command()));
      } else if (p instanceof ClientReadRequest c) {
        n.readWaiters.put(c.readId(), new ReadWaiter(c.client(), c.floor()));
        apply(n, r, r.proposer.handle(new Message.ClientRead(n.id, c.readId(), READ_QUERY)));
      } else if (p instanceof FetchCheckpoint) {
        if (r.checkpoint != null) {
          send(n, r.group, e.from(), new CheckpointData(r.checkpoint));
        }
      } else if (p instanceof CheckpointData c) {
        Checkpoint cp = Checkpoint.decode(c.bytes());
        if (cp.nextInstance() > r.learner.nextToApply()) {
          checkpointsInstalled++;
          log("n" + n.id + " installs checkpoint of " + r.group + " at " + cp.nextInstance());
          apply(n, r, r.learner.install(cp));
          storeCheckpoint(n, r, c.bytes(), cp.nextInstance());
        }
      } else {
        throw new IllegalStateException("undeliverable " + p);
      }
    } catch (CorruptValueException ex) {
      if (e.corrupted()) {
        corruptionsDetected++;
      } else {
        checker.raise("checksum failure on a message that was not corrupted: " + ex.getMessage());
      }
    } catch (RuntimeException ex) {
      java.io.StringWriter sw = new java.io.StringWriter();
      ex.printStackTrace(new java.io.PrintWriter(sw));
      checker.raise("node " + n.id + " failed handling " + p + ": " + sw);
    }
  }

  // ---- clients ----

  private void nextOperation(Client c) {
    if (healed || c.busy() || c.colocatedReader) {
      return;
    }
    if (rng.nextDouble() < mix.readShare()) {
      c.readId = c.clientId * 1_000_000 + ++c.reads;
      c.readFloor = checker.readFloor(c.group);
    } else {
      byte[] payload = new byte[8 + rng.nextInt(24)];
      rng.nextBytes(payload);
      c.current = new ClientCommand(c.clientId, ++c.sequence, payload);
      checker.proposed(c.group, c.current);
    }
    attempt(c);
  }

  private void attempt(Client c) {
    if (!c.busy()) {
      return;
    }
    int target = c.hint >= 0 && rng.nextBoolean() ? c.hint : rng.nextInt(nodes.size());
    int attempt = ++c.attempt;
    Object request = c.current != null
        ? new ClientRequest(c.index, c.current)
        : new ClientReadRequest(c.index, c.readId, c.readFloor);
    if (rng.nextDouble() >= loss()) {
      Envelope e = new Envelope(c.group, -1, target, request, false, -1);
      schedule(delay(), () -> deliver(e));
    }
    schedule(CLIENT_TIMEOUT, () -> {
      if (c.attempt == attempt) {
        attempt(c);
      }
    });
  }

  /**
   * The applications next to a node that resumes from a pause read from it at once (their threads
   * were stopped too): the first thing a resumed leader may be asked is a lease read.
   */
  private void colocatedReadsAfterResume(Node n) {
    for (Client c : clients) {
      if (c.colocatedReader && !c.busy() && rng.nextDouble() < mix.readAfterResume()) {
        c.readId = c.clientId * 1_000_000 + ++c.reads;
        c.readFloor = checker.readFloor(c.group);
        int attempt = ++c.attempt;
        handle(n, new Envelope(c.group, -1, n.id, new ClientReadRequest(c.index, c.readId, c.readFloor), false, -1));
        schedule(CLIENT_TIMEOUT, () -> {
          if (c.attempt == attempt) {
            attempt(c);
          }
        });
      }
    }
  }

  private void retrySoon(Client c) {
    int attempt = ++c.attempt;
    schedule(FaultMix.TICK + rng.nextLong(3 * FaultMix.TICK), () -> {
      if (c.attempt == attempt) {
        attempt(c);
      }
    });
  }

  private void clientReceives(Client c, Object payload) {
    if (payload instanceof ClientReply r) {
      if (c.current == null || r.sequence() != c.current.sequence()) {
        return; // a late answer to something already acknowledged
      }
      if (r.outcome() == Applied.Outcome.EXPIRED) {
        checker.raise("client " + c.clientId + " was told its only outstanding command #" + r.sequence() + " expired");
        return;
      }
      checker.acknowledged(c.group, c.clientId, r.sequence(), r.result());
      c.current = null;
      c.attempt++;
      schedule(rng.nextLong(5 * FaultMix.TICK), () -> nextOperation(c));
    } else if (payload instanceof ClientRefused r) {
      if (c.current != null && r.sequence() == c.current.sequence()) {
        c.hint = r.leaderHint();
        retrySoon(c);
      }
    } else if (payload instanceof ClientReadReply r) {
      if (r.readId() != c.readId) {
        return;
      }
      if (r.served()) {
        checker.readCompleted(c.group, r.appliedThrough());
        c.readId = -1;
        c.attempt++;
        schedule(rng.nextLong(5 * FaultMix.TICK), () -> nextOperation(c));
      } else {
        c.hint = r.leaderHint();
        retrySoon(c);
      }
    }
  }

  // ---- faults ----

  private void faultClock() {
    if (healed) {
      return;
    }
    if (rng.nextDouble() < mix.crashPerTick()) {
      Node n = nodes.get(rng.nextInt(nodes.size()));
      if (n.up) {
        crash(n);
        schedule(FaultMix.TICK + rng.nextLong(mix.maxDowntime()), () -> {
          if (!healed) {
            restart(n);
          }
        });
      }
    }
    if (!partitioned && rng.nextDouble() < mix.partitionPerTick()) {
      partition();
    }
    if (mix.pausePerTick() > 0 && rng.nextDouble() < mix.pausePerTick()) {
      Node n = rng.nextDouble() < mix.pauseLeaderShare() ? leaderOf(groups.get(rng.nextInt(groups.size()))) : null;
      if (n == null) {
        n = nodes.get(rng.nextInt(nodes.size()));
      }
      if (n.up && !n.paused) {
        pause(n);
      }
    }
    if (rng.nextDouble() < mix.slowDiskPerTick()) {
      Node n = nodes.get(rng.nextInt(nodes.size()));
      n.slowDisk = !n.slowDisk;
    }
    // Drawn only when handovers are in the mix, so the other seeds keep the faults they had.
    if (mix.transferPerTick() > 0 && rng.nextDouble() < mix.transferPerTick()) {
      String group = groups.get(rng.nextInt(groups.size()));
      Node leader = leaderOf(group);
      if (leader != null && !leader.paused) {
        Replica r = leader.replicas.get(group);
        List<Integer> members = r.proposer.membership().voters();
        int to = members.get(rng.nextInt(members.size()));
        if (to != leader.id) {
          transfers++;
          log("n" + leader.id + " " + group + " is asked to hand leadership to n" + to);
          apply(leader, r, r.proposer.transferLeadership(to));
        }
      }
    }
    if (mix.membershipPerTick() > 0 && rng.nextDouble() < mix.membershipPerTick()) {
      changeMembership(groups.get(rng.nextInt(groups.size())));
    }
    schedule(FaultMix.TICK, this::faultClock);
  }

  /**
   * An operator asks the leader of {@code group} to make every node a voter, a learner or neither,
   * at random (at least one voter), mostly against the membership the leader knows, sometimes
   * against an older one (which must be refused and change nothing). Sent once, never retried.
   */
  private void changeMembership(String group) {
    Node leader = leaderOf(group);
    if (leader == null || leader.paused) {
      return;
    }
    Replica r = leader.replicas.get(group);
    Membership current = r.proposer.membership();
    List<Integer> voters = new ArrayList<>();
    List<Integer> learners = new ArrayList<>();
    for (Node n : nodes) {
      int roll = rng.nextInt(4);
      if (roll < 2) {
        voters.add(n.id);
      } else if (roll == 2) {
        learners.add(n.id);
      }
    }
    if (voters.isEmpty()) {
      voters.add(learners.isEmpty() ? nodes.get(rng.nextInt(nodes.size())).id : learners.remove(0));
    }
    List<Integer> catchingUp = new ArrayList<>();
    for (int l : learners) {
      if (rng.nextBoolean()) {
        catchingUp.add(l); // to become a voter once caught up, as GroupClient.addMember asks
      }
    }
    long epoch = rng.nextInt(5) == 0 ? Math.max(0, current.epoch() - 1) : current.epoch();
    ClientCommand change = ClientCommand.membership(nextAdminClient++, 1,
        new Membership.Change(epoch, new Membership(0, voters, learners, catchingUp)));
    checker.proposed(group, change);
    membershipChanges++;
    log("n" + leader.id + " " + group + " is asked to change " + current + " to voters " + voters + ", learners "
        + learners + ", catching up " + catchingUp + " (against epoch " + epoch + ")");
    apply(leader, r, r.proposer.onClientCommand(change));
  }

  /** The membership changes that took effect, summed over the groups (the highest epoch any node applied). */
  private long membershipEpochs() {
    long sum = 0;
    for (String g : groups) {
      long max = 0;
      for (Node n : nodes) {
        max = Math.max(max, n.replicas.get(g).learner.membership().epoch());
      }
      sum += max;
    }
    return sum;
  }

  /** The membership of {@code group} that the node furthest along applied. */
  private Membership latestMembership(String group) {
    Learner furthest = null;
    for (Node n : nodes) {
      Learner l = n.replicas.get(group).learner;
      if (furthest == null || l.nextToApply() > furthest.nextToApply()) {
        furthest = l;
      }
    }
    return furthest.membership();
  }

  /** The node that leads {@code group} and holds a lease, or else any node that believes it leads, or null. */
  private Node leaderOf(String group) {
    Node leader = null;
    for (Node n : nodes) {
      Proposer p = n.replicas.get(group).proposer;
      if (n.up && p.isLeader() && (leader == null || p.hasLease())) {
        leader = n;
      }
    }
    return leader;
  }

  private void partition() {
    partitioned = true;
    partitions++;
    int n = nodes.size();
    switch (rng.nextInt(3)) {
      case 0 -> { // symmetric: a minority is cut off from the rest
        Set<Integer> side = new HashSet<>();
        int size = 1 + rng.nextInt(n / 2);
        while (side.size() < size) {
          side.add(rng.nextInt(n));
        }
        for (int a = 0; a < n; a++) {
          for (int b = 0; b < n; b++) {
            if (side.contains(a) != side.contains(b)) {
              blocked.add(link(a, b));
            }
          }
        }
        log("partition " + side + " | rest");
      }
      case 1 -> { // one-way links
        int links = 1 + rng.nextInt(n);
        for (int i = 0; i < links; i++) {
          int a = rng.nextInt(n);
          int b = rng.nextInt(n);
          if (a != b) {
            blocked.add(link(a, b));
          }
        }
        log("one-way partition");
      }
      default -> { // the leader of a group is isolated
        String g = groups.get(rng.nextInt(groups.size()));
        int leader = rng.nextInt(n);
        for (Node node : nodes) {
          if (node.up && node.replicas.get(g).proposer.isLeader()) {
            leader = node.id;
          }
        }
        for (int b = 0; b < n; b++) {
          if (b != leader) {
            blocked.add(link(leader, b));
            blocked.add(link(b, leader));
          }
        }
        log("leader n" + leader + " of " + g + " isolated");
      }
    }
    schedule(FaultMix.TICK + rng.nextLong(mix.maxPartition()), () -> {
      blocked.clear();
      partitioned = false;
      log("partition healed");
    });
  }

  private void heal() {
    healed = true;
    healedAt = now;
    blocked.clear();
    log("heal");
    for (Node n : nodes) {
      n.slowDisk = false;
      resume(n, n.incarnation);
      restart(n);
    }
    for (Client c : clients) {
      if (c.busy()) {
        attempt(c);
      }
    }
  }

  private boolean livenessReached() {
    for (Client c : clients) {
      if (c.busy()) {
        return false;
      }
    }
    for (String g : groups) {
      long target = checker.highestChosen(g) + 1;
      Membership m = latestMembership(g);
      for (Node n : nodes) {
        // A node the group removed hears of it no more: only its members must catch up.
        if (m.includes(n.id) && (!n.up || n.replicas.get(g).learner.nextToApply() < target)) {
          return false;
        }
      }
    }
    return true;
  }

  private String livenessReport() {
    StringBuilder b = new StringBuilder();
    for (Client c : clients) {
      if (c.busy()) {
        b.append("client ").append(c.clientId).append(" of ").append(c.group)
            .append(c.current != null ? " waits for #" + c.current.sequence() : " waits for a read").append("; ");
      }
    }
    for (String g : groups) {
      b.append(g).append(" highest chosen ").append(checker.highestChosen(g)).append(", applied:");
      for (Node n : nodes) {
        Replica r = n.replicas.get(g);
        b.append(" n").append(n.id).append('=').append(r.learner.nextToApply())
            .append(r.proposer.isLeader() ? "(leader)" : "");
      }
      b.append("; ");
    }
    return b.toString();
  }
}
