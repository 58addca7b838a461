package io.synod.actors.internal;

import io.synod.actors.SynodSettings;
import io.synod.paxos.Acceptor;
import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.CorruptValueException;
import io.synod.paxos.Decision;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Message;
import io.synod.paxos.Outbound;
import io.synod.paxos.Value;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The acceptor of one group on one node, as a Pekko Persistence {@link EventSourcedBehavior}: it
 * feeds each input to the core {@link Acceptor}, sends the decision's {@code sendNow} messages at
 * once, persists its records and only then sends its {@code sendAfterPersist} messages ("persist,
 * then reply"). Recovery is Pekko's replay of the records into a fresh core acceptor (which then
 * refuses prepares for a lease period, covering any lease it granted before the restart); once it
 * has recovered, it tells the node's proposer the ballot it promised, so that a restarted proposer
 * campaigns above it ({@link Message.PromiseRecovered}).
 *
 * <p>Writes are batched: the records of every input handled before the next {@link Write} (which
 * the first of them schedules, behind whatever is already in the mailbox) go to the journal as one
 * atomic write, up to {@link #MAX_WRITE_BYTES}, and all their replies leave once it is durable. While a write is in flight Pekko
 * stashes further inputs; when they are unstashed they again share one write. So one fsync serves
 * every Accept that arrived meanwhile, rather than one each, and a reply never leaves before the
 * records it rests on, or any earlier ones, are durable.
 *
 * <p>Messages leave through {@code outbox}; the group's coordinator decides how they reach their
 * node. A value that fails its checksum is reported and the message dropped.
 *
 * <p>The journal stays short: every {@code snapshotEvery} events the acceptor's state (its promise
 * and the values it accepted at or above its truncation point, see {@link
 * Acceptor#snapshotRecords()}) is saved as a snapshot and the events before it are deleted. A
 * durable checkpoint makes the acceptor forget the instances below it ({@link CheckpointDurable}),
 * so the snapshots hold only the instances no checkpoint covers yet.
 */
public final class AcceptorActor
    extends EventSourcedBehavior<AcceptorActor.Command, AcceptorRecord, AcceptorActor.State> {

  /** What the acceptor actor accepts. */
  public sealed interface Command {}

  /** A protocol message for this acceptor. */
  public record Deliver(Message.ToAcceptor message) implements Command {}

  /** A checkpoint covering every instance below {@code instance} is durable. */
  public record CheckpointDurable(long instance) implements Command {}

  /** Writes the records of the inputs handled since the last write, as one. */
  private enum Write implements Command {
    INSTANCE
  }

  /** The core acceptor; mutated only by this actor's handlers. */
  public static final class State {
    final Acceptor acceptor;

    State(Acceptor acceptor) {
      this.acceptor = acceptor;
    }
  }

  private final GroupConfig config;
  private final PersistenceId persistenceId;
  private final Consumer<Outbound> outbox;
  private final ActorContext<Command> context;
  private final int snapshotEvery;
  private final SynodSettings.PersistenceSettings persistence;

  /**
   * The acceptor's time: the core acceptor only counts ticks (for leases and its restart grace),
   * so rather than a timer, the ticks of {@code nanoTime} that came due are handed over before each
   * input, which makes a lease as long as it should be also after this JVM was paused.
   */
  private final TickClock clock;
  /** Records of inputs already handled, for the next write; with the replies that must wait for it. */
  private final List<AcceptorRecord> unwritten = new java.util.ArrayList<>();
  private final List<Outbound> afterWrite = new java.util.ArrayList<>();
  /** The values' bytes in {@link #unwritten}, counted as the core counts its splits. */
  private long unwrittenBytes;

  /**
   * At most about this many bytes of values go into one journal write: once the records waiting
   * reach it, they are written at once rather than at the next {@link Write}. Under overload many
   * Accepts of large values wait in the mailbox (or in Pekko's stash during a write), and one write
   * of them all outgrew what the journal can hold in one record (the benchmark's 100 KB rows).
   */
  static final long MAX_WRITE_BYTES = 4L << 20;

  /**
   * The acceptor of life {@code incarnation} of the group (see {@link PersistenceIds}); {@code
   * persistence} names the journal and snapshot store it uses, not the actor system's defaults.
   */
  public static Behavior<Command> create(GroupConfig config, long incarnation, int snapshotEvery,
      Duration tickInterval, LongSupplier nanoTime, Consumer<Outbound> outbox,
      SynodSettings.PersistenceSettings persistence) {
    if (snapshotEvery < 1) {
      throw new IllegalArgumentException("snapshotEvery must be >= 1, got " + snapshotEvery);
    }
    // The clock starts now, not when the actor starts: the grace period covers the whole start.
    TickClock clock = new TickClock(tickInterval, TickClock.capFor(config), nanoTime);
    PersistenceId id = PersistenceIds.acceptor(config.group(), config.self(), incarnation);
    return Behaviors.setup(ctx -> new AcceptorActor(config, id, snapshotEvery, clock, outbox, persistence, ctx));
  }

  /** One journal stream per group, life and node: the node's journal holds every group's. */
  private AcceptorActor(GroupConfig config, PersistenceId persistenceId, int snapshotEvery, TickClock clock,
      Consumer<Outbound> outbox, SynodSettings.PersistenceSettings persistence, ActorContext<Command> context) {
    super(persistenceId);
    this.persistenceId = persistenceId;
    this.persistence = persistence;
    this.config = config;
    this.clock = clock;
    this.snapshotEvery = snapshotEvery;
    this.outbox = outbox;
    this.context = context;
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
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 1).withDeleteEventsOnSnapshot();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        // Pekko snapshots right after a write completes, before it handles the next input, so the
        // state holds nothing that is not yet durable. Were that ever not so, the snapshot would
        // claim records the journal lacks: refuse rather than store it.
        if (!unwritten.isEmpty()) {
          throw new IllegalStateException("acceptor " + persistenceId.id()
              + " asked for a snapshot while " + unwritten.size() + " records are not yet written");
        }
        // Taken on the actor's thread: an immutable copy, as the store writes it later.
        return new AcceptorSnapshot(state.acceptor.snapshotRecords());
      }

      @Override
      public State fromJournal(Object from) {
        if (!(from instanceof AcceptorSnapshot snapshot)) {
          throw new IllegalStateException("acceptor " + persistenceId.id()
              + " found a snapshot of type " + from.getClass().getName() + ", not an AcceptorSnapshot");
        }
        return new State(Acceptor.recover(config, snapshot.records()));
      }
    };
  }

  @Override
  public State emptyState() {
    return new State(Acceptor.recover(config, List.of()));
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::onRecovered).build();
  }

  /** Recovered: the local proposer learns the ballot this node promised, to campaign above it. */
  private void onRecovered(State state) {
    state.acceptor.onRecovered().sendNow().forEach(outbox);
  }

  @Override
  public CommandHandler<Command, AcceptorRecord, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Deliver.class, (state, c) -> deliver(catchUp(state), c.message()))
        .onCommand(CheckpointDurable.class,
            (state, c) -> carryOut(catchUp(state).acceptor.onCheckpointDurable(c.instance())))
        .onCommand(Write.class, (state, c) -> write())
        .onAnyCommand(this::foreign);
  }

  /**
   * Something that is none of this actor's commands: only a peer sending to this actor's path,
   * around the node gateway, can deliver it (and only as a type that may arrive on its own, e.g.
   * an acceptor record). Ignored, so that it cannot make the acceptor fail.
   */
  private Effect<AcceptorRecord, State> foreign(State state, Object message) {
    context.getLog().debug("ignoring a {} that reached the acceptor around the node gateway",
        message.getClass().getName());
    return Effect().none();
  }

  private State catchUp(State state) {
    state.acceptor.onTicks(clock.due()); // only counts time: nothing to send or persist
    return state;
  }

  private Effect<AcceptorRecord, State> deliver(State state, Message.ToAcceptor message) {
    Decision d;
    try {
      d = state.acceptor.handle(message);
    } catch (CorruptValueException e) {
      context.getLog().error("dropping a message with a corrupt value: {}", e.getMessage());
      return Effect().none();
    }
    return carryOut(d);
  }

  private Effect<AcceptorRecord, State> carryOut(Decision d) {
    d.sendNow().forEach(outbox);
    if (d.toPersist().isEmpty() && unwritten.isEmpty()) {
      // Nothing new to write and nothing earlier waiting (no write is in flight while a command is
      // handled: Pekko stashes inputs during a persist).
      d.sendAfterPersist().forEach(outbox);
      return Effect().none();
    }
    if (unwritten.isEmpty()) {
      context.getSelf().tell(Write.INSTANCE);
    }
    unwritten.addAll(d.toPersist());
    afterWrite.addAll(d.sendAfterPersist());
    for (AcceptorRecord r : d.toPersist()) {
      unwrittenBytes += bytes(r);
    }
    // Large enough: write now (the Write already on its way finds nothing, or what came after).
    return unwrittenBytes >= MAX_WRITE_BYTES ? write() : Effect().none();
  }

  private static long bytes(AcceptorRecord r) {
    long n = Value.ENTRY_OVERHEAD_BYTES;
    if (r instanceof AcceptorRecord.AcceptedValues a) {
      for (Message.Proposal p : a.proposals()) {
        n += Value.ENTRY_OVERHEAD_BYTES + p.value().bytes().length;
      }
    }
    return n;
  }

  private Effect<AcceptorRecord, State> write() {
    if (unwritten.isEmpty()) {
      return Effect().none();
    }
    List<AcceptorRecord> records = List.copyOf(unwritten);
    List<Outbound> replies = List.copyOf(afterWrite);
    unwritten.clear();
    afterWrite.clear();
    unwrittenBytes = 0;
    return Effect().persist(records).thenRun(s -> replies.forEach(outbox));
  }

  @Override
  public EventHandler<State, AcceptorRecord> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, record) -> {
      state.acceptor.replay(List.of(record)); // idempotent for records this acceptor just wrote
      return state;
    });
  }
}
