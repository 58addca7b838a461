package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.GroupStatus;
import io.synod.actors.StateDigest;
import io.synod.actors.SynodSettings;
import io.synod.paxos.Applied;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Message;
import io.synod.paxos.ReadOutcome;
import io.synod.paxos.Refusal;
import io.synod.paxos.StateMachine;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The public face of one group on one node (DESIGN.md, "Actors and remoting"): it registers the
 * group with the node's {@link NodeGateway}, then spawns and owns the group's {@link ProposerActor},
 * {@link AcceptorActor}, {@link LearnerActor} and {@link CheckpointActor}, hands them what arrives
 * from other nodes, and answers clients: a command once the learner has applied it, a read once it
 * is served. It re-submits a waiting command now and then (a leader that was deposed drops what it
 * carried; the exactly-once sessions make the retry harmless) and answers it {@link TimedOut} at the
 * client's deadline, saying how many members this node heard from recently.
 *
 * <p>If any of its roles fails (a journal write that fails, replicas that diverge) the whole group
 * stops on this node, loudly, and every waiting client is told so.
 */
public final class GroupCoordinator {

  public sealed interface Command extends GroupCommand {}

  /** A client command; the answer is a {@link ProposeReply}, at the latest at {@code deadlineNanos}. */
  public record Propose(io.synod.paxos.Command command, long deadlineNanos, ActorRef<ProposeReply> replyTo)
      implements Command {}

  /** A linearizable read under the leader's lease; refused (with a leader hint) without one. */
  public record Read(byte[] query, long deadlineNanos, ActorRef<ReadOutcome> replyTo) implements Command {}

  /** Which node this node believes leads the group (itself included), or -1 if it knows none. */
  public record Leader(ActorRef<Integer> replyTo) implements Command {}

  /** Every instance below the answer is applied to this node's state machine. */
  public record AppliedThrough(ActorRef<Long> replyTo) implements Command {}

  /** This node's view of the group. */
  public record Status(ActorRef<GroupStatus> replyTo) implements Command {}

  /** A checksum of this node's replicated state, with the instance it reflects. */
  public record Digest(ActorRef<StateDigest> replyTo) implements Command {}

  /**
   * Hand leadership to member {@code to}: asked at any node, carried out by the leader. The answer
   * comes once this node sees {@code to} lead, or at {@code deadlineNanos} at the latest.
   */
  public record TransferLeadership(int to, long deadlineNanos, ActorRef<TransferReply> replyTo) implements Command {}

  /** How a leadership transfer ended, as this node saw it. */
  public sealed interface TransferReply {}

  /** Node {@code leader} leads now. */
  public record Transferred(int leader) implements TransferReply {}

  /** The request was refused, changing nothing: {@code reason} says why. */
  public record TransferRefused(String reason) implements TransferReply {}

  /** {@code to} did not take over by the deadline; {@code leader} leads as far as this node knows (-1: none). */
  public record TransferTimedOut(int to, int leader) implements TransferReply {}

  /** Tell {@code watcher} this node's view of the leadership now and at every change. */
  public record WatchLeadership(ActorRef<io.synod.actors.Leadership> watcher) implements Command {}

  /** Stop telling {@code watcher}. */
  public record UnwatchLeadership(ActorRef<io.synod.actors.Leadership> watcher) implements Command {}

  /** A watcher stopped. */
  private record WatcherGone(ActorRef<io.synod.actors.Leadership> watcher) implements Command {}

  /** A protocol message for one of this node's roles of this group, from the gateway. */
  public record Inbound(Message message) implements Command {}

  /** A checkpoint transfer message from a peer, from the gateway. */
  record Transfer(NodeGateway.Command message) implements Command {}

  /** The gateway accepted this group. */
  enum Registered implements Command {
    INSTANCE
  }

  /** The gateway refused this group (it runs already on this node). */
  record RegistrationRefused(String reason) implements Command {}

  /** From the proposer: it now sees {@code leader} as the leader, and holds the lease or not. */
  record LeaderChanged(int leader, boolean leaseHeld) implements Command {}

  /** From the proposer or learner: commands applied or refused, reads answered. */
  record Answered(List<Applied> applied, List<Refusal> refused, List<ReadOutcome> reads) implements Command {}

  private enum Sweep implements Command {
    INSTANCE
  }

  /** What a proposer is told: applied (or answered again, or expired), refused, timed out, or stopped. */
  public sealed interface ProposeReply {}

  public record Done(Applied applied) implements ProposeReply {}

  public record Refused(Refusal refusal) implements ProposeReply {}

  /** No answer by the deadline; {@code reachable} members (this one included) were heard from recently. */
  public record TimedOut(int reachable, int members) implements ProposeReply {}

  public record Stopped(String reason) implements ProposeReply {}

  private record CommandId(long clientId, long sequence) {}

  private record PendingRead(long deadline, ActorRef<ReadOutcome> replyTo) {}

  private static final class Waiting {
    final io.synod.paxos.Command command;
    final long deadline;
    final ActorRef<ProposeReply> replyTo;
    long lastSent;

    Waiting(io.synod.paxos.Command command, long deadline, ActorRef<ProposeReply> replyTo, long lastSent) {
      this.command = command;
      this.deadline = deadline;
      this.replyTo = replyTo;
      this.lastSent = lastSent;
    }
  }

  private static final int STASH = 10_000;

  /**
   * The coordinator of {@code config.group()} on node {@code config.self()}; {@code stateMachine}
   * is called once, after the group is registered, for the state machine the learner will own.
   */
  public static Behavior<GroupCommand> create(GroupConfig config, SynodSettings settings, Supplier<StateMachine> stateMachine,
      Peers peers, ActorRef<NodeGateway.Command> gateway, LongSupplier nanoTime) {
    return Behaviors.withStash(STASH, stash -> Behaviors.setup(ctx -> {
      gateway.tell(new NodeGateway.Register(config.group(), config.members(), ctx.getSelf()));
      return Behaviors.receive(GroupCommand.class)
          .onMessageEquals(Registered.INSTANCE, () -> Behaviors.withTimers(timers ->
              stash.unstashAll(new Running(ctx, timers, config, settings, stateMachine.get(), peers, nanoTime)
                  .behavior())))
          .onMessage(RegistrationRefused.class, r -> {
            ctx.getLog().error("group '{}' cannot start on node {}: {}", config.group(), config.self(), r.reason());
            stash.forEach(m -> refuse(m, r.reason()));
            return Behaviors.stopped();
          })
          .onAnyMessage(m -> {
            if (!stash.isFull()) {
              stash.stash(m);
            } else {
              refuse(m, "too many requests while the group starts");
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  private static void refuse(GroupCommand m, String reason) {
    if (m instanceof Propose p) {
      p.replyTo().tell(new Stopped(reason));
    }
  }

  private static final class Running {
    private final ActorContext<GroupCommand> ctx;
    private final GroupConfig config;
    private final LongSupplier nanoTime;
    private final long retryNanos;
    private final long reachableNanos;
    private final GroupRoutes routes;
    private final TimerScheduler<GroupCommand> timers;
    private final Duration retryInterval;
    private final ActorRef<ProposerActor.Command> proposer;
    private final ActorRef<LearnerActor.Command> learner;
    private final ActorRef<CheckpointActor.Command> checkpoints;
    private final Map<CommandId, Waiting> waiting = new HashMap<>();
    private final Map<Long, PendingRead> reads = new HashMap<>();
    private final List<TransferLeadership> transfers = new java.util.ArrayList<>();
    private final Map<Integer, Long> lastHeard = new HashMap<>();
    private long nextReadId;
    private int leader = -1;
    private boolean leaseHeld;
    private final java.util.Set<ActorRef<io.synod.actors.Leadership>> watchers = new java.util.LinkedHashSet<>();
    private String stopReason = "the group was stopped";

    Running(ActorContext<GroupCommand> ctx, TimerScheduler<GroupCommand> timers, GroupConfig config, SynodSettings settings,
        StateMachine stateMachine, Peers peers, LongSupplier nanoTime) {
      this.ctx = ctx;
      this.config = config;
      this.nanoTime = nanoTime;
      Duration tick = settings.tickInterval();
      this.retryNanos = settings.client().retryInterval().toNanos();
      this.reachableNanos = settings.electionTimeout().plus(settings.electionJitter()).multipliedBy(2).toNanos();
      this.routes = new GroupRoutes(config.self(), peers.outbound(config.group(), config.self()));
      ActorRef<AcceptorActor.Command> acceptor = ctx.spawn(
          AcceptorActor.create(config, settings.checkpoint().acceptorSnapshotEvery(), tick, nanoTime, routes::send),
          "acceptor");
      this.proposer = ctx.spawn(ProposerActor.create(config, tick, nanoTime, routes, ctx.getSelf()), "proposer");
      long intervalTicks = Math.max(1, settings.checkpoint().interval().toNanos() / tick.toNanos());
      Duration learnerTimer = settings.catchUpRetry().dividedBy(2).compareTo(tick) > 0
          ? settings.catchUpRetry().dividedBy(2) : tick;
      this.learner = ctx.spawn(LearnerActor.create(config, tick, learnerTimer, nanoTime, stateMachine,
          new LearnerActor.Policy(settings.checkpoint().everyInstances(),
              settings.checkpoint().everyBytes(), intervalTicks), routes, ctx.getSelf()),
          "learner");
      routes.connect(acceptor, proposer, learner);
      this.checkpoints = ctx.spawn(CheckpointActor.create(config, learner, acceptor, peers,
          new CheckpointActor.TransferSettings(settings.checkpoint().chunkBytes(), settings.checkpoint().transferRetry(),
              10)), "checkpoints");
      for (ActorRef<?> child : List.of(acceptor, proposer, learner, checkpoints)) {
        ctx.watch(child);
      }
      this.timers = timers;
      this.retryInterval = settings.client().retryInterval();
    }

    /** The sweep runs only while someone waits: an idle group costs no timer here. */
    private void sweepWhileWaiting() {
      if (!timers.isTimerActive(Sweep.INSTANCE)) {
        timers.startTimerAtFixedRate(Sweep.INSTANCE, retryInterval);
      }
    }

    Behavior<GroupCommand> behavior() {
      return Behaviors.receive(GroupCommand.class)
          .onMessage(Inbound.class, in -> {
            lastHeard.put(in.message().from(), nanoTime.getAsLong());
            routes.deliverHere(in.message());
            return Behaviors.same();
          })
          .onMessage(Transfer.class, t -> {
            checkpoints.tell(new CheckpointActor.Transfer(t.message()));
            return Behaviors.same();
          })
          .onMessage(Propose.class, this::propose)
          .onMessage(Read.class, r -> {
            long id = nextReadId++;
            reads.put(id, new PendingRead(r.deadlineNanos(), r.replyTo()));
            sweepWhileWaiting();
            proposer.tell(new ProposerActor.Read(id, r.query()));
            return Behaviors.same();
          })
          .onMessage(Leader.class, l -> {
            l.replyTo().tell(leader);
            return Behaviors.same();
          })
          .onMessage(AppliedThrough.class, a -> {
            learner.tell(new LearnerActor.AskApplied(a.replyTo()));
            return Behaviors.same();
          })
          .onMessage(Status.class, st -> {
            learner.tell(new LearnerActor.AskStatus(leader, st.replyTo()));
            return Behaviors.same();
          })
          .onMessage(Digest.class, d -> {
            learner.tell(new LearnerActor.AskDigest(d.replyTo()));
            return Behaviors.same();
          })
          .onMessage(TransferLeadership.class, this::transfer)
          .onMessage(LeaderChanged.class, c -> {
            leader = c.leader();
            leaseHeld = c.leaseHeld();
            transfers.removeIf(t -> {
              if (t.to() == leader) {
                t.replyTo().tell(new Transferred(leader));
                return true;
              }
              return false;
            });
            io.synod.actors.Leadership now = leadership();
            watchers.forEach(w -> w.tell(now));
            return Behaviors.same();
          })
          .onMessage(WatchLeadership.class, w -> {
            if (watchers.add(w.watcher())) {
              ctx.watchWith(w.watcher(), new WatcherGone(w.watcher()));
            }
            w.watcher().tell(leadership());
            return Behaviors.same();
          })
          .onMessage(UnwatchLeadership.class, w -> {
            if (watchers.remove(w.watcher())) {
              ctx.unwatch(w.watcher());
            }
            return Behaviors.same();
          })
          .onMessage(WatcherGone.class, w -> {
            watchers.remove(w.watcher());
            return Behaviors.same();
          })
          .onMessage(Answered.class, this::answered)
          .onMessageEquals(Sweep.INSTANCE, this::sweep)
          .onMessageEquals(Registered.INSTANCE, Behaviors::same)
          .onSignal(Terminated.class, t -> {
            stopReason = "its " + t.getRef().path().name() + " stopped"
                + (t instanceof org.apache.pekko.actor.typed.ChildFailed f ? " after a failure: " + f.getCause() : "");
            ctx.getLog().error("group '{}' stops on node {}: {}", config.group(), config.self(), stopReason);
            return Behaviors.stopped();
          })
          .onSignal(PostStop.class, s -> {
            // Watchers learn that this node no longer leads (nor holds a lease) here.
            io.synod.actors.Leadership gone = new io.synod.actors.Leadership(config.group(), config.self(), -1, false);
            watchers.forEach(w -> w.tell(gone));
            transfers.forEach(t -> t.replyTo().tell(new TransferRefused("group '" + config.group()
                + "' stopped on node " + config.self() + ": " + stopReason)));
            for (Waiting w : waiting.values()) {
              w.replyTo.tell(new Stopped(stopReason));
            }
            waiting.clear();
            // A refused read goes through the log, where the client learns that the group stopped.
            reads.forEach((id, r) -> r.replyTo().tell(new ReadOutcome(id, false, -1, null, -1)));
            reads.clear();
            return Behaviors.same();
          })
          .build();
    }

    private io.synod.actors.Leadership leadership() {
      return new io.synod.actors.Leadership(config.group(), config.self(), leader, leaseHeld && leader == config.self());
    }

    private Behavior<GroupCommand> transfer(TransferLeadership t) {
      if (!config.members().contains(t.to())) {
        t.replyTo().tell(new TransferRefused("node " + t.to() + " is not a member of group '" + config.group()
            + "', whose members are " + config.members()));
      } else if (t.to() == leader) {
        t.replyTo().tell(new Transferred(leader));
      } else if (transfers.stream().anyMatch(other -> other.to() != t.to())) {
        t.replyTo().tell(new TransferRefused("a handover of group '" + config.group() + "' to node "
            + transfers.get(0).to() + " is under way; ask again once it has ended"));
      } else {
        transfers.add(t);
        sweepWhileWaiting();
        proposer.tell(new ProposerActor.Transfer(t.to()));
      }
      return Behaviors.same();
    }

    private Behavior<GroupCommand> propose(Propose p) {
      CommandId id = new CommandId(p.command().clientId(), p.command().sequence());
      waiting.put(id, new Waiting(p.command(), p.deadlineNanos(), p.replyTo(), nanoTime.getAsLong()));
      sweepWhileWaiting();
      proposer.tell(new ProposerActor.Submit(p.command()));
      return Behaviors.same();
    }

    private Behavior<GroupCommand> answered(Answered a) {
      for (Applied applied : a.applied()) {
        Waiting w = waiting.remove(new CommandId(applied.clientId(), applied.sequence()));
        if (w != null) {
          w.replyTo.tell(new Done(applied));
        }
      }
      for (Refusal r : a.refused()) {
        Waiting w = waiting.remove(new CommandId(r.command().clientId(), r.command().sequence()));
        if (w != null) {
          w.replyTo.tell(new Refused(r));
        }
      }
      for (ReadOutcome o : a.reads()) {
        PendingRead to = reads.remove(o.readId());
        if (to != null) {
          to.replyTo().tell(o);
        }
      }
      return Behaviors.same();
    }

    private Behavior<GroupCommand> sweep() {
      long now = nanoTime.getAsLong();
      for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
        Waiting w = it.next();
        if (now - w.deadline >= 0) {
          it.remove();
          w.replyTo.tell(new TimedOut(reachable(now), config.members().size()));
        } else if (now - w.lastSent >= retryNanos) {
          w.lastSent = now;
          proposer.tell(new ProposerActor.Submit(w.command));
        }
      }
      // An unanswered read's client has given up by its deadline; forget it.
      reads.values().removeIf(r -> now - r.deadline() >= 0);
      transfers.removeIf(t -> {
        if (now - t.deadlineNanos() >= 0) {
          t.replyTo().tell(new TransferTimedOut(t.to(), leader));
          return true;
        }
        // Asked again until the deadline: the request or the leader's TimeoutNow may have been
        // lost, or the handover timed out and a third node was elected. A leader already handing
        // over ignores it.
        proposer.tell(new ProposerActor.Transfer(t.to()));
        return false;
      });
      if (waiting.isEmpty() && reads.isEmpty() && transfers.isEmpty()) {
        timers.cancel(Sweep.INSTANCE);
      }
      return Behaviors.same();
    }

    private int reachable(long now) {
      int n = 1;
      for (int m : config.members()) {
        Long heard = lastHeard.get(m);
        if (m != config.self() && heard != null && now - heard <= reachableNanos) {
          n++;
        }
      }
      return n;
    }
  }
}
