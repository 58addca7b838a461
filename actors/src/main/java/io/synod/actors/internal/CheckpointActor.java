package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.SynodSettings;
import io.synod.paxos.Checkpoint;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Learner;
import io.synod.paxos.StateMachine;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The checkpoints of one group on one node. It stores each checkpoint the learner takes in the
 * snapshot store of {@code synod.group.snapshot-plugin-id} (by default Synod's: temp file, fsync,
 * atomic rename) and, only once it is durable, tells the learner and the acceptor, which then
 * forget the instances below it. It is the first of a group's roles to start: once it has
 * recovered it decides whether the group may run on this node ({@link StartVerdict}), and only then
 * does the coordinator start the others; it hands the last durable checkpoint to the learner before
 * the learner does anything else.
 *
 * <p>So it also keeps the group's stop for good ({@link StopMark}): when replicas are found to
 * diverge, the coordinator has it record the stop before it stops, and at a later start the group
 * stays down until an operator resumes it. And it records the membership the group began with at
 * its first start ({@link Founded}), and keeps the group down at a later start whose configured
 * members differ.
 *
 * <p>It also moves checkpoints between nodes: it serves its latest one to a lagging peer in chunks,
 * and when the learner finds that a peer has truncated the instances it still lacks, it fetches
 * that peer's checkpoint chunk by chunk (pulling the next chunk only when one arrives, retrying a
 * lost one), checks its CRC32, checks that this node could install it (see {@link
 * Learner#checkInstallable}: restored into a fresh state machine), has the learner compare its
 * checksum chain with what it holds ({@link Learner#checkChainOf}), and only then stores it as its
 * own and has the learner install it, in-process. A checkpoint that fails a check is refused: the
 * node keeps its own state, the learner is told (it shows in the group's status), and that peer is
 * not asked again for a while nor fetched from again at the same instance; the learner keeps
 * asking, so a newer checkpoint, or another peer's, is fetched later.
 *
 * <p>Pekko Persistence holds it: each checkpoint is a small {@link CheckpointTaken} event followed by
 * a snapshot of {@link StoredCheckpoint} (which carries the stop, if any); the retention keeps the
 * last two snapshots and deletes the events before them.
 */
final class CheckpointActor extends EventSourcedBehavior<CheckpointActor.Command, CheckpointEvent, StoredCheckpoint> {

  sealed interface Command {}

  /** The learner took this checkpoint: store it. */
  record Store(Checkpoint checkpoint) implements Command {}

  /** The learner compared the chain of node {@code from}'s checkpoint with its own: store it. */
  record ChainChecked(Checkpoint checkpoint, int from) implements Command {}

  /** The group stops on this node for good, {@code reason} says why: record it, then stop. */
  record StopForGood(String reason) implements Command {}

  /** The learner needs the checkpoint of node {@code peer}. */
  record Fetch(int peer) implements Command {}

  /** A {@link SnapshotRequest} or {@link SnapshotChunk} from a peer. */
  record Transfer(NodeGateway.Command message) implements Command {}

  enum RetryFetch implements Command {
    INSTANCE
  }

  /**
   * The group may run once these are durable (see {@link StartVerdict}): written one event each, so
   * that each gets its own snapshot and the retention keeps two.
   */
  private record RecordThenRun(List<CheckpointEvent> events) implements Command {}

  /** The coordinator started the group's other roles (the group may run): the learner starts. */
  record RolesStarted(ActorRef<LearnerActor.Command> learner, ActorRef<AcceptorActor.Command> acceptor)
      implements Command {}

  /** Node {@code peer}'s checkpoint may be fetched again (after a refusal). */
  private record Unmute(int peer) implements Command {}

  /** How checkpoints move between nodes. */
  record TransferSettings(int chunkBytes, Duration retry, int maxStalls) {}

  /**
   * A checkpoint on its way to durability, the node it came from (a peer's is then installed), and
   * the sequence number of its event, whose snapshot makes it durable.
   */
  private record Incoming(Checkpoint checkpoint, byte[] encoded, boolean fromPeer, int from, long sequenceNr) {}

  /** A checkpoint being fetched from {@code peer}. */
  private static final class Download {
    final int peer;
    long instance = -1;
    /** What the peer says the checkpoint weighs: a claim, never used to size anything. */
    int total = -1;
    /** Grows by the chunks that arrive in order, so it holds no more than the peer really sent. */
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int stalls;
    boolean progressed;

    Download(int peer) {
      this.peer = peer;
    }
  }

  private final GroupConfig config;
  private final long incarnation;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  /** The group's learner and acceptor, once they started ({@link RolesStarted}); null before. */
  private ActorRef<LearnerActor.Command> learner;
  private ActorRef<AcceptorActor.Command> acceptor;
  private final ActorRef<GroupCommand> coordinator;
  /** Whether an operator resumed the group: a stop recorded before is lifted at recovery. */
  private final boolean resume;
  private final Peers peers;
  private final TransferSettings transfer;
  /** Makes a fresh state machine each call, to check a peer's checkpoint on. */
  private final Supplier<StateMachine> stateMachines;
  private final SynodSettings.PersistenceSettings persistence;
  /** The instance of each peer's checkpoint this node refused: not fetched again. */
  private final Map<Integer, Long> refused = new HashMap<>();
  /** Peers whose checkpoint was just refused: not asked until their {@link Unmute}. */
  private final Set<Integer> muted = new HashSet<>();
  private Incoming incoming;
  private Download download;
  /** The last checkpoint known durable (the state may hold a newer one whose snapshot failed). */
  private long durable;

  /**
   * The checkpoints of life {@code incarnation} of the group (stored under its {@link
   * PersistenceIds}, and fetched only from that life on the peers).
   *
   * @param stateMachines makes a fresh state machine at each call (the group's own maker): a peer's
   *     checkpoint is restored into one before this node takes it
   * @param coordinator told, once this role recovered, whether the group may run here ({@link
   *     GroupCoordinator.MayRun}, after which it starts the other roles and says so with {@link
   *     RolesStarted}) or not ({@link GroupCoordinator.StaysDown}; see {@link StartVerdict})
   * @param resume whether an operator resumed the group: a stop recorded before is lifted instead
   */
  static Behavior<Command> create(GroupConfig config, long incarnation, ActorRef<GroupCommand> coordinator,
      boolean resume, Peers peers, TransferSettings transfer, Supplier<StateMachine> stateMachines,
      SynodSettings.PersistenceSettings persistence) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new CheckpointActor(config, incarnation, ctx, timers,
        coordinator, resume, peers, transfer, stateMachines, persistence)));
  }

  private CheckpointActor(GroupConfig config, long incarnation, ActorContext<Command> ctx,
      TimerScheduler<Command> timers, ActorRef<GroupCommand> coordinator, boolean resume, Peers peers,
      TransferSettings transfer, Supplier<StateMachine> stateMachines, SynodSettings.PersistenceSettings persistence) {
    super(PersistenceIds.checkpoint(config.group(), config.self(), incarnation));
    this.coordinator = coordinator;
    this.resume = resume;
    this.incarnation = incarnation;
    this.stateMachines = stateMachines;
    this.persistence = persistence;
    this.config = config;
    this.ctx = ctx;
    this.timers = timers;
    this.peers = peers;
    this.transfer = transfer;
  }

  @Override
  public String journalPluginId() {
    return persistence.journalPluginId();
  }

  @Override
  public String snapshotPluginId() {
    return persistence.snapshotPluginId();
  }

  @Override
  public StoredCheckpoint emptyState() {
    return StoredCheckpoint.NONE;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // A snapshot after every event; keep the last two (the store falls back to the older if the
    // newer is damaged) and delete the events before them.
    return RetentionCriteria.snapshotEvery(1, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public CommandHandler<Command, CheckpointEvent, StoredCheckpoint> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Store.class, (state, c) -> store(state, c.checkpoint(), config.self()))
        .onCommand(ChainChecked.class, (state, c) -> store(state, c.checkpoint(), c.from()))
        .onCommand(StopForGood.class, (state, c) -> Effect().persist(new StopMark(c.reason())).thenStop())
        .onCommand(RecordThenRun.class, (state, r) -> recordThenRun(r.events()))
        .onCommand(RolesStarted.class, this::rolesStarted)
        .onCommand(Fetch.class, (state, f) -> fetch(state, f.peer()))
        .onCommand(Transfer.class, this::onTransfer)
        .onCommand(RetryFetch.class, (state, r) -> retryFetch())
        .onCommand(Unmute.class, (state, u) -> {
          muted.remove(u.peer());
          return Effect().none();
        })
        .onAnyCommand(this::foreign);
  }

  private Effect<CheckpointEvent, StoredCheckpoint> onTransfer(StoredCheckpoint state, Transfer t) {
    if (learner == null) {
      return Effect().none(); // the group does not run here (yet): peers ask another node
    }
    if (t.message() instanceof SnapshotRequest r) {
      serve(state, r);
      return Effect().none();
    }
    return received(state, (SnapshotChunk) t.message());
  }

  /** Writes the first of {@code events}, then the next, ...; once the last is durable, the group may run. */
  private Effect<CheckpointEvent, StoredCheckpoint> recordThenRun(List<CheckpointEvent> events) {
    List<CheckpointEvent> rest = events.subList(1, events.size());
    return Effect().persist(events.get(0)).thenRun(s -> {
      if (rest.isEmpty()) {
        mayRun();
      } else {
        ctx.getSelf().tell(new RecordThenRun(List.copyOf(rest)));
      }
    });
  }

  /**
   * None of this actor's commands: only a peer sending to this actor's path, around the node
   * gateway, can deliver it. Ignored, so that it cannot make the checkpoint actor fail.
   */
  private Effect<CheckpointEvent, StoredCheckpoint> foreign(StoredCheckpoint state, Object message) {
    ctx.getLog().debug("ignoring a {} that reached the checkpoint actor around the node gateway",
        message.getClass().getName());
    return Effect().none();
  }

  /** Stores {@code c}, taken by node {@code from}: this node's learner, or a peer's. */
  private Effect<CheckpointEvent, StoredCheckpoint> store(StoredCheckpoint state, Checkpoint c, int from) {
    boolean fromPeer = from != config.self();
    if (incoming != null) {
      // One at a time; the learner's policy (or the next SnapshotAvailable) asks again.
      if (!fromPeer) {
        learner.tell(new LearnerActor.CheckpointFailed(c.nextInstance()));
      }
      return Effect().none();
    }
    if (c.nextInstance() <= durable) {
      if (!fromPeer) {
        learner.tell(new LearnerActor.CheckpointDurable(durable));
      }
      return Effect().none();
    }
    incoming = new Incoming(c, c.encode(), fromPeer, from, lastSequenceNumber(ctx) + 1);
    return Effect().persist(new CheckpointTaken(c.nextInstance()));
  }

  @Override
  public EventHandler<StoredCheckpoint, CheckpointEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(CheckpointTaken.class, this::taken)
        .onEvent(StopMark.class, (state, mark) -> state.withStop(mark.reason()))
        .onEvent(Founded.class, (state, founded) -> state.withFounders(founded.membership()))
        .build();
  }

  private StoredCheckpoint taken(StoredCheckpoint state, CheckpointTaken e) {
    Incoming in = incoming;
    if (in != null && in.checkpoint().nextInstance() == e.nextInstance()) {
      return state.withCheckpoint(e.nextInstance(), in.encoded());
    }
    // Replayed after a crash before its snapshot was written: that checkpoint never became
    // durable and nobody was told it was; the last snapshot stands.
    return state;
  }

  @Override
  public SignalHandler<StoredCheckpoint> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .onSignal(SnapshotCompleted.class, (state, done) -> onCheckpointStored(state, done.metadata().sequenceNr()))
        .onSignal(SnapshotFailed.class, this::onCheckpointNotStored)
        .build();
  }

  /**
   * Recovered: whether the group may run here ({@link StartVerdict}); if so, once what it records is
   * durable, the coordinator starts the other roles.
   */
  private void onRecovered(StoredCheckpoint state) {
    durable = state.nextInstance();
    StartVerdict verdict = StartVerdict.of(config.group(), state, config.initialMembership(), resume);
    if (!verdict.mayRun()) {
      coordinator.tell(new GroupCoordinator.StaysDown(verdict.reason(), verdict.remedy(), verdict.resumable()));
    } else if (verdict.toRecord().isEmpty()) {
      mayRun();
    } else {
      ctx.getSelf().tell(new RecordThenRun(verdict.toRecord()));
    }
  }

  private void mayRun() {
    if (resume) {
      ctx.getLog().warn("group '{}' on node {} resumed by an operator; it had stopped for good before",
          config.group(), config.self());
    }
    coordinator.tell(GroupCoordinator.MayRun.INSTANCE);
  }

  /** The other roles started: the learner starts from the last durable checkpoint (none before the first). */
  private Effect<CheckpointEvent, StoredCheckpoint> rolesStarted(StoredCheckpoint state, RolesStarted started) {
    learner = started.learner();
    acceptor = started.acceptor();
    restoreLearner(state);
    return Effect().none();
  }

  private void restoreLearner(StoredCheckpoint state) {
    Checkpoint restored = state.nextInstance() == 0 ? null : Checkpoint.decode(state.encoded());
    learner.tell(new LearnerActor.Restore(restored, ctx.getSelf()));
  }

  /** A checkpoint is durable: learner and acceptor may forget what it covers (and the learner installs a peer's). */
  private void onCheckpointStored(StoredCheckpoint state, long sequenceNr) {
    Incoming in = incoming;
    // A snapshot of an earlier event (a stop mark, the founders) completing now says nothing of it.
    if (in == null || sequenceNr < in.sequenceNr() || in.checkpoint().nextInstance() != state.nextInstance()) {
      return;
    }
    incoming = null;
    long at = state.nextInstance();
    durable = at;
    if (in.fromPeer()) {
      learner.tell(new LearnerActor.Install(in.checkpoint(), in.from()));
    }
    learner.tell(new LearnerActor.CheckpointDurable(at));
    acceptor.tell(new AcceptorActor.CheckpointDurable(at));
    ctx.getLog().info("group '{}': node {} stored a checkpoint{} of {} bytes; instances below {} are covered",
        config.group(), config.self(), in.fromPeer() ? " fetched from a peer" : "", in.encoded().length, at);
  }

  /** Storing a checkpoint failed: the learner keeps its log and takes another later. */
  private void onCheckpointNotStored(StoredCheckpoint state, SnapshotFailed failed) {
    Incoming in = incoming;
    if (in == null || failed.metadata().sequenceNr() < in.sequenceNr()) {
      // After a stop mark or the founders: the event stays in the journal, which is enough.
      ctx.getLog().warn("group '{}': node {} could not snapshot its checkpoint role's state: {}", config.group(),
          config.self(), failed.getFailure().toString());
      return;
    }
    incoming = null;
    ctx.getLog().error("group '{}': node {} could not store its checkpoint: {}", config.group(), config.self(),
        failed.getFailure().toString());
    if (!in.fromPeer()) {
      learner.tell(new LearnerActor.CheckpointFailed(in.checkpoint().nextInstance()));
    }
  }

  // ---- serving peers ----

  private void serve(StoredCheckpoint state, SnapshotRequest r) {
    if (state.nextInstance() == 0 || r.offset() > state.encoded().length) {
      return; // nothing to give; the peer will ask someone else
    }
    int end = (int) Math.min((long) r.offset() + transfer.chunkBytes(), state.encoded().length);
    peers.send(r.from(), new SnapshotChunk(config.group(), incarnation, config.self(), state.nextInstance(),
        state.encoded().length,
        r.offset(), Arrays.copyOfRange(state.encoded(), r.offset(), end)));
  }

  // ---- fetching from a peer ----

  private Effect<CheckpointEvent, StoredCheckpoint> fetch(StoredCheckpoint state, int peer) {
    if (download != null || peer == config.self() || !peers.knows(peer) || muted.contains(peer)) {
      return Effect().none(); // one download at a time; a stalled one is abandoned by retryFetch
    }
    download = new Download(peer);
    ctx.getLog().info("group '{}': node {} is behind node {}'s checkpoint and fetches it", config.group(),
        config.self(), peer);
    request();
    timers.startTimerAtFixedRate(RetryFetch.INSTANCE, transfer.retry());
    return Effect().none();
  }

  private void request() {
    peers.send(download.peer, new SnapshotRequest(config.group(), incarnation, config.self(), download.bytes.size()));
  }

  private Effect<CheckpointEvent, StoredCheckpoint> retryFetch() {
    if (download == null) {
      timers.cancel(RetryFetch.INSTANCE);
    } else if (download.progressed) {
      download.progressed = false;
      download.stalls = 0;
    } else if (++download.stalls > transfer.maxStalls()) {
      ctx.getLog().warn("group '{}': node {} gives up fetching node {}'s checkpoint after {} silent retries",
          config.group(), config.self(), download.peer, transfer.maxStalls());
      endDownload();
    } else {
      request();
    }
    return Effect().none();
  }

  private void endDownload() {
    download = null;
    timers.cancel(RetryFetch.INSTANCE);
  }

  private Effect<CheckpointEvent, StoredCheckpoint> received(StoredCheckpoint state, SnapshotChunk chunk) {
    Download d = download;
    if (d == null || chunk.from() != d.peer) {
      return Effect().none();
    }
    if (chunk.instance() != d.instance || chunk.total() != d.total) {
      if (chunk.offset() != 0) {
        // The peer took a newer checkpoint mid-transfer: start over on that one.
        d.instance = -1;
        d.bytes.reset();
        request();
        return Effect().none();
      }
      if (refused.getOrDefault(d.peer, -1L) == chunk.instance()) {
        // Still the checkpoint this node refused: wait for a newer one, or another peer's.
        ctx.getLog().debug("group '{}': node {} still offers the checkpoint below {} that node {} refused",
            config.group(), d.peer, chunk.instance(), config.self());
        endDownload();
        mute(d.peer);
        return Effect().none();
      }
      d.instance = chunk.instance();
      d.total = chunk.total();
      d.bytes.reset();
    }
    if (chunk.offset() != d.bytes.size()) {
      return Effect().none(); // a duplicate or a late answer to a retry
    }
    d.bytes.writeBytes(chunk.bytes());
    d.progressed = true;
    if (d.bytes.size() < d.total) {
      request();
      return Effect().none();
    }
    endDownload();
    Checkpoint c = null;
    try {
      c = Checkpoint.decode(d.bytes.toByteArray());
      if (c.nextInstance() != d.instance) {
        throw new IllegalArgumentException("checkpoint: it covers the instances below " + c.nextInstance()
            + ", the transfer said below " + d.instance);
      }
      Learner.checkInstallable(config, c, stateMachines.get());
    } catch (RuntimeException e) { // a check failed, or the application's constructor or restore threw
      // A transfer that arrived damaged may arrive whole next time; an intact checkpoint refused once
      // would be refused again.
      refuse(d.peer, d.instance, e, c != null);
      return Effect().none();
    }
    // Stored only once the learner compared its chain with what it holds (ChainChecked).
    learner.tell(new LearnerActor.CheckChain(c, d.peer));
    return Effect().none();
  }

  /**
   * Refuses node {@code peer}'s checkpoint below {@code instance}: this node keeps its own state and
   * checkpoint, and the learner, told of it, keeps asking to catch up; with {@code forGood}, that
   * checkpoint is not fetched again.
   */
  private void refuse(int peer, long instance, RuntimeException why, boolean forGood) {
    String reason = why instanceof IllegalArgumentException ? why.getMessage() : why.toString();
    ctx.getLog().warn("group '{}': node {} refuses node {}'s checkpoint below instance {} and keeps its own state: {}",
        config.group(), config.self(), peer, instance, reason);
    if (forGood) {
      refused.put(peer, instance);
    }
    mute(peer);
    learner.tell(new LearnerActor.CheckpointRefused(peer, reason));
  }

  /** Asks {@code peer} for no checkpoint for as long as a silent transfer would be retried. */
  private void mute(int peer) {
    muted.add(peer);
    timers.startSingleTimer(new Unmute(peer), new Unmute(peer), transfer.retry().multipliedBy(transfer.maxStalls()));
  }
}
