package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.paxos.Decision;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Message;
import io.synod.paxos.Proposer;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The proposer of one group on one node: it feeds the core {@link Proposer} its messages, client
 * commands and reads, and ticks from a {@link TickClock}. Before every input the clock's due ticks
 * are handed over first, so a lease is judged against the time the input is handled, also right
 * after a long pause. Refused commands and answered reads go to the coordinator. Its messages leave
 * through an {@link Outbox}, so the commands of many clients reach each acceptor as one Accept.
 */
final class ProposerActor extends AbstractBehavior<ProposerActor.Command> {

  sealed interface Command {}

  record Deliver(Message.ToProposer message) implements Command {}

  record Submit(io.synod.paxos.Command command) implements Command {}

  record Read(long readId, byte[] query) implements Command {}

  /** Who this node believes leads (itself included), or -1. */
  record AskLeader(ActorRef<Integer> replyTo) implements Command {}

  enum Tick implements Command {
    INSTANCE
  }

  /** Sends what the inputs handled since the last flush produced (see {@link Outbox}). */
  private enum Flush implements Command {
    INSTANCE
  }

  private final GroupConfig config;
  private final Proposer proposer;
  private final TickClock clock;
  private final GroupRoutes routes;
  private final ActorRef<GroupCommand> coordinator;
  private int leaderSeen = -1;
  private final Outbox outbox;

  static Behavior<Command> create(GroupConfig config, Duration tickInterval, LongSupplier nanoTime,
      GroupRoutes routes, ActorRef<GroupCommand> coordinator) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerAtFixedRate(Tick.INSTANCE, tickInterval);
      return new ProposerActor(ctx, config, new TickClock(tickInterval, TickClock.capFor(config), nanoTime), routes,
          coordinator);
    }));
  }

  private ProposerActor(ActorContext<Command> ctx, GroupConfig config, TickClock clock, GroupRoutes routes,
      ActorRef<GroupCommand> coordinator) {
    super(ctx);
    this.config = config;
    this.proposer = new Proposer(config, new SplittableRandom());
    this.clock = clock;
    this.routes = routes;
    this.coordinator = coordinator;
    this.outbox = new Outbox(config.maxBatchBytes());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, () -> {
          catchUpTicks();
          return this;
        })
        .onMessage(Deliver.class, d -> {
          catchUpTicks();
          carryOut(proposer.handle(d.message()));
          return this;
        })
        .onMessage(Submit.class, s -> {
          catchUpTicks();
          carryOut(proposer.onClientCommand(s.command()));
          return this;
        })
        .onMessage(Read.class, r -> {
          catchUpTicks();
          carryOut(proposer.handle(new Message.ClientRead(config.self(), r.readId(), r.query())));
          return this;
        })
        .onMessageEquals(Flush.INSTANCE, () -> {
          outbox.drain().forEach(routes::send);
          return this;
        })
        .onMessage(AskLeader.class, a -> {
          catchUpTicks();
          a.replyTo().tell(currentLeader());
          return this;
        })
        .build();
  }

  private int currentLeader() {
    return proposer.isLeader() ? config.self() : proposer.leaderHint();
  }

  private void catchUpTicks() {
    for (int n = clock.due(); n > 0; n--) {
      carryOut(proposer.onTick());
    }
  }

  private void carryOut(Decision d) {
    // Inputs already in the mailbox are handled before the flush: their messages travel together.
    if (outbox.add(d.sendNow())) {
      getContext().getSelf().tell(Flush.INSTANCE);
    }
    if (!d.refused().isEmpty() || !d.reads().isEmpty()) {
      coordinator.tell(new GroupCoordinator.Answered(d.applied(), d.refused(), d.reads()));
    }
    int leader = currentLeader();
    if (leader != leaderSeen) {
      if (leader == config.self()) {
        getContext().getLog().info("group '{}': node {} leads (ballot {})", config.group(), config.self(),
            proposer.ballot());
      } else {
        getContext().getLog().debug("group '{}': node {} sees leader {}", config.group(), config.self(), leader);
      }
      leaderSeen = leader;
      coordinator.tell(new GroupCoordinator.LeaderChanged(leader));
    }
  }
}
