package io.synod.actors.internal;

import io.synod.paxos.Applied;
import io.synod.paxos.Decision;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Learner;
import io.synod.paxos.Message;
import io.synod.paxos.Outbound;
import io.synod.paxos.Proposer;
import io.synod.paxos.ReadOutcome;
import io.synod.paxos.Refusal;
import io.synod.paxos.StateMachine;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The public face of one group on one node: it owns the group's core {@link Proposer} and {@link
 * Learner} (which it drives directly) and its {@link AcceptorActor} (a child, because the acceptor
 * persists), ticks them all every {@code tickInterval}, routes every message the roles emit (to
 * this node's roles through its own mailbox, to other nodes through {@code remote}), and answers
 * clients once the learner has applied their command.
 *
 * <p>Messages for this node are delivered through the mailbox rather than by a direct call, so one
 * input is fully handled before the next starts, as in the simulation.
 */
public final class GroupCoordinator extends AbstractBehavior<GroupCoordinator.Command> {

  public sealed interface Command {}

  /** A client command; the answer is a {@link ProposeReply}. */
  public record Propose(io.synod.paxos.Command command, ActorRef<ProposeReply> replyTo) implements Command {}

  /** A linearizable read under the leader's lease; refused (with a leader hint) elsewhere. */
  public record Read(long readId, byte[] query, ActorRef<ReadOutcome> replyTo) implements Command {}

  /** Which node this node believes leads the group (itself included), or -1 if it knows none. */
  public record Leader(ActorRef<Integer> replyTo) implements Command {}

  /** A protocol message for one of this node's roles of this group. */
  public record Inbound(Message message) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** What a proposer is told: applied (or answered again, or expired), or refused. */
  public sealed interface ProposeReply {}

  public record Done(Applied applied) implements ProposeReply {}

  public record Refused(Refusal refusal) implements ProposeReply {}

  private record CommandId(long clientId, long sequence) {}

  private final GroupConfig config;
  private final Consumer<Outbound> remote;
  private final Proposer proposer;
  private final Learner learner;
  private final ActorRef<AcceptorActor.Command> acceptor;
  private final Map<CommandId, ActorRef<ProposeReply>> waiting = new HashMap<>();
  private final Map<Long, ActorRef<ReadOutcome>> reads = new HashMap<>();

  public static Behavior<Command> create(GroupConfig config, Duration tickInterval, StateMachine stateMachine,
      Consumer<Outbound> remote) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerAtFixedRate(Tick.INSTANCE, tickInterval);
      return new GroupCoordinator(ctx, config, stateMachine, remote);
    }));
  }

  private GroupCoordinator(ActorContext<Command> ctx, GroupConfig config, StateMachine stateMachine,
      Consumer<Outbound> remote) {
    super(ctx);
    this.config = config;
    this.remote = remote;
    SplittableRandom random = new SplittableRandom();
    this.proposer = new Proposer(config, random.split());
    this.learner = new Learner(config, stateMachine, random.split());
    ActorRef<Command> self = ctx.getSelf();
    this.acceptor = ctx.spawn(AcceptorActor.create(config, o -> {
      if (o.to() == config.self()) {
        self.tell(new Inbound(o.message()));
      } else {
        remote.accept(o);
      }
    }), "acceptor");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Inbound.class, in -> deliver(in.message()))
        .onMessageEquals(Tick.INSTANCE, this::tick)
        .onMessage(Propose.class, this::propose)
        .onMessage(Read.class, this::read)
        .onMessage(Leader.class, l -> {
          l.replyTo().tell(proposer.isLeader() ? config.self() : proposer.leaderHint());
          return this;
        })
        .build();
  }

  private Behavior<Command> deliver(Message m) {
    if (m instanceof Message.ToAcceptor a) {
      acceptor.tell(new AcceptorActor.Deliver(a));
    } else if (m instanceof Message.ToProposer p) {
      carryOut(proposer.handle(p));
    } else if (m instanceof Message.ToLearner l) {
      carryOut(learner.handle(l));
    }
    return this;
  }

  private Behavior<Command> tick() {
    acceptor.tell(AcceptorActor.Tick.INSTANCE);
    carryOut(proposer.onTick());
    carryOut(learner.onTick());
    return this;
  }

  private Behavior<Command> propose(Propose p) {
    waiting.put(new CommandId(p.command().clientId(), p.command().sequence()), p.replyTo());
    carryOut(proposer.onClientCommand(p.command()));
    return this;
  }

  private Behavior<Command> read(Read r) {
    reads.put(r.readId(), r.replyTo());
    carryOut(proposer.handle(new Message.ClientRead(config.self(), r.readId(), r.query())));
    return this;
  }

  /** Carries out a proposer's or learner's decision (they never persist). */
  private void carryOut(Decision d) {
    for (Outbound o : d.sendNow()) {
      route(o);
    }
    for (Applied a : d.applied()) {
      ActorRef<ProposeReply> to = waiting.remove(new CommandId(a.clientId(), a.sequence()));
      if (to != null) {
        to.tell(new Done(a));
      }
    }
    for (Refusal r : d.refused()) {
      ActorRef<ProposeReply> to = waiting.remove(new CommandId(r.command().clientId(), r.command().sequence()));
      if (to != null) {
        to.tell(new Refused(r));
      }
    }
    for (ReadOutcome o : d.reads()) {
      ActorRef<ReadOutcome> to = reads.remove(o.readId());
      if (to != null) {
        to.tell(o);
      }
    }
    if (d.fetchSnapshotFrom() >= 0) {
      getContext().getLog().warn("group '{}' needs the checkpoint of node {}: installing checkpoints from peers is "
          + "not built yet", config.group(), d.fetchSnapshotFrom());
    }
  }

  private void route(Outbound o) {
    if (o.to() == config.self()) {
      getContext().getSelf().tell(new Inbound(o.message()));
    } else {
      remote.accept(o);
    }
  }
}
