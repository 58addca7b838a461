package io.synod.actors.internal;

import io.synod.paxos.Acceptor;
import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.CorruptValueException;
import io.synod.paxos.Decision;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Message;
import io.synod.paxos.Outbound;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The acceptor of one group on one node, as a Pekko Persistence {@link EventSourcedBehavior}: it
 * feeds each input to the core {@link Acceptor}, sends the decision's {@code sendNow} messages at
 * once, persists its records as one atomic write and only then sends its {@code sendAfterPersist}
 * messages ("persist, then reply"). While a write is in flight Pekko stashes further inputs, so a
 * reply that rests on an earlier write never leaves before it is durable. Recovery is Pekko's
 * replay of the records into a fresh core acceptor (which then refuses prepares for a lease
 * period, covering any lease it granted before the restart).
 *
 * <p>Messages leave through {@code outbox}; the group's coordinator decides how they reach their
 * node. A value that fails its checksum is reported and the message dropped.
 */
public final class AcceptorActor
    extends EventSourcedBehavior<AcceptorActor.Command, AcceptorRecord, AcceptorActor.State> {

  /** What the acceptor actor accepts. */
  public sealed interface Command {}

  /** A protocol message for this acceptor. */
  public record Deliver(Message.ToAcceptor message) implements Command {}

  /** One tick of the core's clock. */
  public enum Tick implements Command {
    INSTANCE
  }

  /** A checkpoint covering every instance below {@code instance} is durable. */
  public record CheckpointDurable(long instance) implements Command {}

  /** The core acceptor; mutated only by this actor's handlers. */
  public static final class State {
    final Acceptor acceptor;

    State(Acceptor acceptor) {
      this.acceptor = acceptor;
    }
  }

  private final GroupConfig config;
  private final Consumer<Outbound> outbox;
  private final ActorContext<Command> context;

  public static Behavior<Command> create(GroupConfig config, Consumer<Outbound> outbox) {
    return Behaviors.setup(ctx -> new AcceptorActor(config, outbox, ctx));
  }

  /** One journal stream per group and node: the node's journal holds every group's. */
  public static PersistenceId persistenceId(String group, int node) {
    return PersistenceId.of("synod-acceptor", group + "@" + node, "|");
  }

  private AcceptorActor(GroupConfig config, Consumer<Outbound> outbox, ActorContext<Command> context) {
    super(persistenceId(config.group(), config.self()));
    this.config = config;
    this.outbox = outbox;
    this.context = context;
  }

  @Override
  public State emptyState() {
    return new State(Acceptor.recover(config, List.of()));
  }

  @Override
  public CommandHandler<Command, AcceptorRecord, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Deliver.class, (state, c) -> deliver(state, c.message()))
        .onCommand(Tick.class, (state, c) -> carryOut(state.acceptor.onTick()))
        .onCommand(CheckpointDurable.class, (state, c) -> carryOut(state.acceptor.onCheckpointDurable(c.instance())))
        .build();
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
    if (d.toPersist().isEmpty()) {
      // Nothing new to write, and nothing earlier is pending: Pekko stashes inputs during a persist.
      d.sendAfterPersist().forEach(outbox);
      return Effect().none();
    }
    return Effect().persist(d.toPersist()).thenRun(s -> d.sendAfterPersist().forEach(outbox));
  }

  @Override
  public EventHandler<State, AcceptorRecord> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, record) -> {
      state.acceptor.replay(List.of(record)); // idempotent for records this acceptor just wrote
      return state;
    });
  }
}
