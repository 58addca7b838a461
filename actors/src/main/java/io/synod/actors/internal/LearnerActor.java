package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.GroupStatus;
import io.synod.actors.StateDigest;
import io.synod.paxos.Checkpoint;
import io.synod.paxos.CorruptValueException;
import io.synod.paxos.Decision;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Learner;
import io.synod.paxos.Message;
import io.synod.paxos.StateMachine;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The learner of one group on one node: it owns the application's state machine through the core
 * {@link Learner}, applies chosen values in order, reports applied commands and served reads to the
 * coordinator, and catches up from peers. It starts by waiting for the {@link CheckpointActor} to
 * hand over the last durable checkpoint, so no read is served from a state older than what this
 * node had applied before a restart.
 *
 * <p>Checkpoints are taken here, on the checkpoint policy (every {@code everyInstances} applied
 * instances, when the values the learner keeps reach {@code everyBytes}, or after {@code
 * intervalTicks} when anything was applied since), one at a time: the
 * {@link CheckpointActor} stores it and answers {@link CheckpointDurable} or {@link
 * CheckpointFailed}.
 */
final class LearnerActor {

  sealed interface Command {}

  record Deliver(Message.ToLearner message) implements Command {}

  /**
   * The last durable checkpoint of this node, or null: where the learner starts; {@code
   * checkpoints} is the actor that stores the checkpoints the learner takes from now on.
   */
  record Restore(Checkpoint checkpoint, ActorRef<CheckpointActor.Command> checkpoints) implements Command {}

  /** Node {@code from}'s checkpoint, fetched and stored durably here: jump to it. */
  record Install(Checkpoint checkpoint, int from) implements Command {}

  /**
   * Node {@code from}'s checkpoint, fetched and checked but not stored yet: compare its checksum
   * chain with what this learner holds ({@link Learner#checkChainOf}), then have the checkpoint
   * actor store it (a mismatch fails the learner, and the group stops here for good).
   */
  record CheckChain(Checkpoint checkpoint, int from) implements Command {}

  record CheckpointDurable(long nextInstance) implements Command {}

  record CheckpointFailed(long nextInstance) implements Command {}

  /**
   * A checkpoint fetched from node {@code peer} was refused ({@code reason}) and not stored: this
   * learner keeps its state and asks to catch up again later.
   */
  record CheckpointRefused(int peer, String reason) implements Command {}

  /** Every instance below the answer is applied here. */
  record AskApplied(ActorRef<Long> replyTo) implements Command {}

  /** A read of this node's state as it is (possibly stale): see {@link Learner#readLocal}. */
  record LocalRead(byte[] query, ActorRef<io.synod.paxos.ReadOutcome> replyTo) implements Command {}

  /** This node's view of the group, with the leader the coordinator knows. */
  record AskStatus(int leader, ActorRef<GroupStatus> replyTo) implements Command {}

  /** A CRC32 of the state machine's snapshot and the session table at the applied instance. */
  record AskDigest(ActorRef<StateDigest> replyTo) implements Command {}

  enum Tick implements Command {
    INSTANCE
  }

  private static final int STASH = 10_000;

  /** When to take a checkpoint. */
  record Policy(long everyInstances, long everyBytes, long intervalTicks) {}

  /**
   * How often a learner that is not behind looks at its clock (for the checkpoint interval), at
   * most: 100 idle groups waking every few milliseconds cost a node a fifth of a core.
   */
  static final Duration IDLE_TIMER = Duration.ofSeconds(1);

  /**
   * @param timerInterval how often the learner looks at its clock while it is behind: its ticks
   *     only time catch-up retries and the checkpoint interval, so it need not wake at every tick
   *     (the clock hands over every tick that came due), and while it is not behind it wakes only
   *     every {@link #IDLE_TIMER} (or every checkpoint interval, if shorter)
   */
  static Behavior<Command> create(GroupConfig config, Duration tickInterval, Duration timerInterval,
      LongSupplier nanoTime,
      StateMachine stateMachine, Policy policy, GroupRoutes routes, ActorRef<GroupCommand> coordinator) {
    return Behaviors.withStash(STASH, stash -> Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Learner learner = new Learner(config, stateMachine, new SplittableRandom());
      return Behaviors.receive(Command.class)
          .onMessage(Restore.class, r -> {
            Duration interval = tickInterval.multipliedBy(policy.intervalTicks());
            Duration idle = Collections.max(List.of(timerInterval,
                Collections.min(List.of(IDLE_TIMER, interval))));
            Running running = new Running(ctx, config, learner, policy, routes, coordinator, r.checkpoints(),
                new TickClock(tickInterval, TickClock.capFor(config), nanoTime), timers, timerInterval, idle);
            if (r.checkpoint() != null) {
              running.restore(r.checkpoint());
            }
            running.reportMembership();
            running.pace();
            return stash.unstashAll(running.behavior());
          })
          .onAnyMessage(m -> {
            if (!stash.isFull()) { // beyond that, drop: peers resend what matters
              stash.stash(m);
            }
            return Behaviors.same();
          })
          .build();
    })));
  }

  private static final class Running {
    private final ActorContext<Command> ctx;
    private final GroupConfig config;
    private final Learner learner;
    private final Policy policy;
    private final GroupRoutes routes;
    private final ActorRef<GroupCommand> coordinator;
    private final ActorRef<CheckpointActor.Command> checkpoints;
    private final TickClock clock;
    private long lastCheckpoint;
    /** Where the last checkpoint was taken, durable or not: a failed one is retried only on the policy. */
    private long lastAttempt;
    /** The learner's log bytes when the last checkpoint failed (0 after a durable one): retried only after as many more. */
    private long bytesAfterFailure;
    private long ticksSinceCheckpoint;
    private boolean checkpointInFlight;
    private final TimerScheduler<Command> timers;
    private final Duration behindTimer;
    private final Duration idleTimer;
    /** Whether the timer runs at {@code behindTimer}; null before it first runs. */
    private Boolean fast;
    /** The membership last told to the coordinator. */
    private io.synod.paxos.Membership reported;
    /** Peers' checkpoints refused since this learner started, and why the last one was ("" if none). */
    private long checkpointsRefused;
    private String lastRefusal = "";

    Running(ActorContext<Command> ctx, GroupConfig config, Learner learner, Policy policy, GroupRoutes routes,
        ActorRef<GroupCommand> coordinator, ActorRef<CheckpointActor.Command> checkpoints,
        TickClock clock, TimerScheduler<Command> timers, Duration behindTimer, Duration idleTimer) {
      this.timers = timers;
      this.behindTimer = behindTimer;
      this.idleTimer = idleTimer;
      this.ctx = ctx;
      this.config = config;
      this.learner = learner;
      this.policy = policy;
      this.routes = routes;
      this.coordinator = coordinator;
      this.checkpoints = checkpoints;
      this.clock = clock;
    }

    private Behavior<Command> checkChain(CheckChain c) {
      learner.checkChainOf(c.checkpoint(), c.from());
      checkpoints.tell(new CheckpointActor.ChainChecked(c.checkpoint(), c.from()));
      return Behaviors.same();
    }

    void restore(Checkpoint c) {
      lastCheckpoint = c.nextInstance(); // first: it is durable, the policy must not take it again
      lastAttempt = lastCheckpoint;
      carryOut(learner.install(c));
      carryOut(learner.onCheckpointDurable(c.nextInstance()));
      ctx.getLog().info("group '{}': node {} restored its checkpoint; instances below {} are applied", config.group(),
          config.self(), c.nextInstance());
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Deliver.class, d -> {
            try {
              carryOut(learner.handle(d.message()));
            } catch (CorruptValueException e) {
              ctx.getLog().error("group '{}': dropping a message with a corrupt value: {}", config.group(),
                  e.getMessage());
            }
            return Behaviors.same();
          })
          .onMessageEquals(Tick.INSTANCE, () -> {
            int due = clock.due();
            if (due > 0) {
              ticksSinceCheckpoint += due;
              carryOut(learner.onTicks(due));
            }
            pace();
            return Behaviors.same();
          })
          .onMessage(Install.class, i -> {
            carryOut(learner.install(i.checkpoint(), i.from()));
            reportMembership();
            ctx.getLog().info("group '{}': node {} installed a peer's checkpoint; instances below {} are applied",
                config.group(), config.self(), i.checkpoint().nextInstance());
            return Behaviors.same();
          })
          .onMessage(CheckChain.class, this::checkChain)
          .onMessage(CheckpointDurable.class, c -> {
            checkpointInFlight = false;
            bytesAfterFailure = 0;
            lastCheckpoint = Math.max(lastCheckpoint, c.nextInstance());
            carryOut(learner.onCheckpointDurable(c.nextInstance()));
            return Behaviors.same();
          })
          .onMessage(CheckpointFailed.class, c -> {
            // Another one when the policy next comes due, counted from this attempt.
            checkpointInFlight = false;
            bytesAfterFailure = learner.logBytes();
            return Behaviors.same();
          })
          .onMessage(CheckpointRefused.class, this::checkpointRefused)
          .onMessage(LocalRead.class, r -> {
            r.replyTo().tell(learner.readLocal(0, r.query()));
            return Behaviors.same();
          })
          .onMessage(AskApplied.class, a -> {
            a.replyTo().tell(learner.nextToApply());
            return Behaviors.same();
          })
          .onMessage(AskStatus.class, a -> {
            a.replyTo().tell(new GroupStatus(config.group(), config.self(), a.leader(), learner.nextToApply(),
                Math.max(learner.horizon(), learner.nextToApply()), lastCheckpoint, checkpointsRefused, lastRefusal, 0,
                null, -1, null));
            return Behaviors.same();
          })
          .onMessage(AskDigest.class, a -> {
            Checkpoint c = learner.checkpoint();
            CRC32 crc = new CRC32();
            crc.update(c.state());
            crc.update(c.sessions());
            a.replyTo().tell(new StateDigest(config.group(), config.self(), c.nextInstance(), crc.getValue()));
            return Behaviors.same();
          })
          .build();
    }

    private Behavior<Command> checkpointRefused(CheckpointRefused r) {
      checkpointsRefused++;
      lastRefusal = "from node " + r.peer() + ": " + r.reason();
      return Behaviors.same();
    }

    /**
     * Runs the timer fast while the learner is behind, slowly otherwise. It speeds up as soon as an
     * input leaves the learner behind (see {@link #carryOut}), and slows down only on a tick, so
     * that a learner briefly behind at every input under load does not restart its timer each time.
     */
    void pace() {
      boolean behind = learner.isBehind();
      if (fast == null || fast != behind) {
        fast = behind;
        timers.startTimerAtFixedRate(Tick.INSTANCE, behind ? behindTimer : idleTimer);
      }
    }

    /** Tells the coordinator the group's membership when it first knows it and whenever it changes. */
    void reportMembership() {
      if (!learner.membership().equals(reported)) {
        reported = learner.membership();
        coordinator.tell(new GroupCoordinator.MembershipNow(reported));
      }
    }

    private void carryOut(Decision d) {
      d.sendNow().forEach(routes::send);
      if (!d.applied().isEmpty()) {
        reportMembership(); // before the answers: a client told its change is done finds it in place
      }
      if (!d.applied().isEmpty() || !d.reads().isEmpty()) {
        coordinator.tell(new GroupCoordinator.Answered(d.applied(), d.refused(), d.reads()));
      }
      if (d.fetchSnapshotFrom() >= 0) {
        checkpoints.tell(new CheckpointActor.Fetch(d.fetchSnapshotFrom()));
      }
      maybeCheckpoint();
      if (fast != null && !fast && learner.isBehind()) {
        pace();
      }
    }

    private void maybeCheckpoint() {
      long applied = learner.nextToApply();
      if (checkpointInFlight || applied <= lastCheckpoint) {
        return;
      }
      if (applied - lastAttempt >= policy.everyInstances() || ticksSinceCheckpoint >= policy.intervalTicks()
          || learner.logBytes() - bytesAfterFailure >= policy.everyBytes()) {
        checkpointInFlight = true;
        ticksSinceCheckpoint = 0;
        lastAttempt = applied;
        checkpoints.tell(new CheckpointActor.Store(learner.checkpoint()));
      }
    }
  }
}
