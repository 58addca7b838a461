package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.paxos.Decision;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Message;
import io.synod.paxos.PeerLiveness;
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
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The proposer of one group on one node: it feeds the core {@link Proposer} its messages, client
 * commands and reads, and ticks from a {@link TickClock}. Before every input the clock's due ticks
 * are handed over first, so a lease is judged against the time the input is handled, also right
 * after a long pause; and the wall-clock time, which stamps the values this node proposes as leader
 * (the log's time, by which sessions expire). Between inputs it sleeps until the core has something to do ({@link
 * Proposer#ticksUntilDue}: the next heartbeat, resend or election deadline) rather than waking at
 * every tick, so an idle group costs little. Refused commands and answered reads go to the
 * coordinator. Its messages leave through an {@link Outbox}, so the commands of many clients reach
 * each acceptor as one Accept.
 */
final class ProposerActor extends AbstractBehavior<ProposerActor.Command> {

  sealed interface Command {}

  record Deliver(Message.ToProposer message) implements Command {}

  record Submit(io.synod.paxos.ClientCommand command) implements Command {}

  record Read(long readId, byte[] query) implements Command {}

  /** Hand leadership to member {@code to} (this node leads), or ask the leader to. */
  record Transfer(int to) implements Command {}

  /** News of a peer's node from the node's failure detector ({@link NodeLiveness}). */
  record PeerNewsArrived(PeerLiveness.News news) implements Command {}

  /** Who this node believes leads (itself included), or -1. */
  record AskLeader(ActorRef<Integer> replyTo) implements Command {}

  enum Tick implements Command {
    INSTANCE
  }

  /** Sends what the inputs handled since the last flush produced (see {@link Outbox}). */
  private enum Flush implements Command {
    INSTANCE
  }

  private final TimerScheduler<Command> timers;
  private final GroupConfig config;
  private final Proposer proposer;
  private final LongSupplier nanoTime;
  /** When the scheduled {@link Tick} fires, while one is scheduled. */
  private long wakeAt;
  private final TickClock clock;
  private final GroupRoutes routes;
  private final ActorRef<GroupCommand> coordinator;
  private int leaderSeen = -1;
  private boolean leaseSeen;
  /** The proposer's check-quorum step-downs already logged. */
  private long quorumLossesSeen;
  private final Outbox outbox;

  static Behavior<Command> create(GroupConfig config, Duration tickInterval, LongSupplier nanoTime,
      GroupRoutes routes, ActorRef<GroupCommand> coordinator) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ProposerActor actor = new ProposerActor(ctx, timers, config,
          new TickClock(tickInterval, TickClock.capFor(config), nanoTime), nanoTime, routes, coordinator);
      actor.sleepUntilDue();
      return actor;
    }));
  }

  private ProposerActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, GroupConfig config,
      TickClock clock, LongSupplier nanoTime, GroupRoutes routes, ActorRef<GroupCommand> coordinator) {
    super(ctx);
    this.timers = timers;
    this.config = config;
    this.proposer = new Proposer(config, new SplittableRandom());
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.routes = routes;
    this.coordinator = coordinator;
    this.outbox = new Outbox(config.tuning().maxBatchBytes());
  }

  /**
   * Wakes this actor when the core next has something to do. A wake already set for an earlier
   * time is kept (waking early costs one look at the clock; rescheduling at every input would cost
   * more): it sets the next one.
   */
  private void sleepUntilDue() {
    long delay = clock.nanosUntil(proposer.ticksUntilDue());
    long at = nanoTime.getAsLong() + delay;
    if (!timers.isTimerActive(Tick.INSTANCE) || at - wakeAt < 0) {
      wakeAt = at;
      timers.startSingleTimer(Tick.INSTANCE, Duration.ofNanos(delay));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, () -> {
          catchUpTicks();
          sleepUntilDue();
          return this;
        })
        .onMessage(Deliver.class, d -> handle(() -> proposer.handle(d.message())))
        .onMessage(Submit.class, s -> handle(() -> proposer.onClientCommand(s.command())))
        .onMessage(PeerNewsArrived.class, n -> handle(() -> proposer.onPeerNews(n.news())))
        .onMessage(Transfer.class, t -> {
          if (!proposer.membership().isVoter(t.to())) { // the coordinator refuses these before they get here
            getContext().getLog().warn("group '{}': ignoring a handover to node {}, not a voter", config.group(), t.to());
            return this;
          }
          return handle(() -> proposer.transferLeadership(t.to()));
        })
        .onMessage(Read.class, r -> handle(() -> proposer.handle(new Message.ClientRead(config.self(), r.readId(),
            r.query()))))
        .onMessageEquals(Flush.INSTANCE, () -> {
          outbox.drain().forEach(routes::send);
          return this;
        })
        .onMessage(AskLeader.class, a -> {
          catchUpTicks();
          a.replyTo().tell(currentLeader());
          sleepUntilDue();
          return this;
        })
        .build();
  }

  /**
   * An input: the ticks that came due first, then the input (the supplier runs after them), then
   * the next wake-up, which the input may have brought closer.
   */
  private ProposerActor handle(java.util.function.Supplier<Decision> input) {
    catchUpTicks();
    carryOut(input.get());
    sleepUntilDue();
    return this;
  }

  private int currentLeader() {
    return proposer.isLeader() ? config.self() : proposer.leaderHint();
  }

  private void catchUpTicks() {
    proposer.onWallClock(System.currentTimeMillis());
    proposer.onTicks(clock.due(), this::carryOut);
  }

  private void carryOut(Decision d) {
    // Inputs already in the mailbox are handled before the flush: their messages travel together.
    if (outbox.add(d.sendNow())) {
      getContext().getSelf().tell(Flush.INSTANCE);
    }
    if (!d.refused().isEmpty() || !d.reads().isEmpty()) {
      coordinator.tell(new GroupCoordinator.Answered(d.applied(), d.refused(), d.reads()));
    }
    if (proposer.quorumLosses() != quorumLossesSeen) {
      quorumLossesSeen = proposer.quorumLosses();
      getContext().getLog().warn("group '{}': node {} stops leading: it heard from no majority of its voters within"
          + " an election timeout (check-quorum; {} time(s) so far)", config.group(), config.self(), quorumLossesSeen);
    }
    int leader = currentLeader();
    boolean lease = proposer.hasLease();
    if (leader != leaderSeen || lease != leaseSeen) {
      if (leader == config.self() && leader != leaderSeen) {
        getContext().getLog().info("group '{}': node {} leads (ballot {})", config.group(), config.self(),
            proposer.ballot());
      } else if (leader != leaderSeen) {
        getContext().getLog().debug("group '{}': node {} sees leader {}", config.group(), config.self(), leader);
      }
      leaderSeen = leader;
      leaseSeen = lease;
      coordinator.tell(new GroupCoordinator.LeaderChanged(leader, lease));
    }
  }
}
