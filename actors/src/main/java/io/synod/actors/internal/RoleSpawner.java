package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.SynodSettings;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.StateMachine;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Spawns the roles of one life of a group as children of its coordinator, each set up from the
 * node's settings: the checkpoint role first, the acceptor, proposer and learner once it has said
 * that the group may run (see {@link RolesStarting}). The coordinator connects and watches them.
 */
final class RoleSpawner {

  /** The checkpoint role's actor name. */
  static final String CHECKPOINTS = "checkpoints";

  private final ActorContext<GroupCommand> ctx;
  private final GroupConfig config;
  private final long incarnation;
  private final SynodSettings settings;
  private final Supplier<StateMachine> stateMachines;
  private final Peers peers;
  private final LongSupplier nanoTime;
  private final GroupRoutes routes;

  RoleSpawner(ActorContext<GroupCommand> ctx, GroupConfig config, long incarnation, SynodSettings settings,
      Supplier<StateMachine> stateMachines, Peers peers, LongSupplier nanoTime, GroupRoutes routes) {
    this.ctx = ctx;
    this.config = config;
    this.incarnation = incarnation;
    this.settings = settings;
    this.stateMachines = stateMachines;
    this.peers = peers;
    this.nanoTime = nanoTime;
    this.routes = routes;
  }

  /** {@code resume}: an operator resumed the group after it stopped for good. */
  ActorRef<CheckpointActor.Command> checkpoints(boolean resume) {
    return ctx.spawn(CheckpointActor.create(config, incarnation, ctx.getSelf(), resume, peers,
        new CheckpointActor.TransferSettings(settings.checkpoint().chunkBytes(), settings.checkpoint().transferRetry(),
            10), stateMachines, settings.persistence()), CHECKPOINTS);
  }

  ActorRef<AcceptorActor.Command> acceptor() {
    return ctx.spawn(AcceptorActor.create(config, incarnation, settings.checkpoint().acceptorSnapshotEvery(),
        settings.tickInterval(), nanoTime, routes::send, settings.persistence()), "acceptor");
  }

  ActorRef<ProposerActor.Command> proposer() {
    return ctx.spawn(ProposerActor.create(config, settings.tickInterval(), nanoTime, routes, ctx.getSelf()),
        "proposer");
  }

  /** The learner, with a fresh state machine: it rebuilds the group's state. */
  ActorRef<LearnerActor.Command> learner() {
    Duration tick = settings.tickInterval();
    long intervalTicks = Math.max(1, settings.checkpoint().interval().toNanos() / tick.toNanos());
    Duration timer = settings.catchUpRetry().dividedBy(2).compareTo(tick) > 0 ? settings.catchUpRetry().dividedBy(2)
        : tick;
    return ctx.spawn(LearnerActor.create(config, tick, timer, nanoTime, stateMachines.get(),
        new LearnerActor.Policy(settings.checkpoint().everyInstances(), settings.checkpoint().everyBytes(),
            intervalTicks), routes, ctx.getSelf()), "learner");
  }
}
