package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.GroupProtocol.AppliedThrough;
import io.synod.actors.GroupProtocol.ChangeMembership;
import io.synod.actors.GroupProtocol.Digest;
import io.synod.actors.GroupProtocol.Done;
import io.synod.actors.GroupProtocol.GetMembership;
import io.synod.actors.GroupProtocol.Leader;
import io.synod.actors.GroupProtocol.Propose;
import io.synod.actors.GroupProtocol.ProposeReply;
import io.synod.actors.GroupProtocol.Read;
import io.synod.actors.GroupProtocol.ReadLocal;
import io.synod.actors.GroupProtocol.Refused;
import io.synod.actors.GroupProtocol.Status;
import io.synod.actors.GroupProtocol.Stopped;
import io.synod.actors.GroupProtocol.TimedOut;
import io.synod.actors.GroupProtocol.TransferLeadership;
import io.synod.actors.GroupProtocol.UnwatchLeadership;
import io.synod.actors.GroupProtocol.WatchLeadership;
import io.synod.actors.GroupProtocol;
import io.synod.actors.Leadership;
import io.synod.actors.SynodSettings;
import io.synod.paxos.Applied;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Membership;
import io.synod.paxos.Message;
import io.synod.paxos.PeerLiveness;
import io.synod.paxos.ReadOutcome;
import io.synod.paxos.Refusal;
import io.synod.paxos.StateMachine;
import io.synod.persistence.JournalFailedException;
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
 * One group on one node, the actor that answers {@link GroupProtocol} (docs/protocol.md, "The actor
 * shells"): it registers the group with the node's {@link NodeGateway}, then spawns and owns the
 * group's {@link CheckpointActor} and, once that has said the group may run here ({@link
 * RolesStarting}), its {@link ProposerActor}, {@link AcceptorActor} and {@link LearnerActor}; it
 * hands them what arrives from other nodes, and answers clients: a command once
 * the learner has applied it, a read once it is served. It re-submits a waiting command now and
 * then (a leader that was deposed drops what it carried; the exactly-once sessions make the retry
 * harmless) and answers it {@link TimedOut} at the client's deadline, saying how many members this
 * node heard from recently.
 *
 * <p>If one of its roles fails (a journal write or replay that failed or timed out, e.g. on a
 * stalled disk), every waiting client is told so, the other roles are stopped, and they start
 * again from the journal after a back-off ({@link RolesDown}, {@link RestartBackoff}); the
 * coordinator itself stays, so clients and the gateway keep their reference. The group stops on
 * this node for good, loudly, only if the node's journal failed ({@link JournalFailedException}:
 * every group of the node stops, see {@link JournalFailures}), replicas diverge (the roles stay
 * down, the coordinator answering why, until an operator resumes the group: {@link
 * RoleSupervisor}), or its configured members differ from those it began with. A change
 * of the group's membership asked at this node is carried out by {@link MembershipChanges}.
 */
public final class GroupCoordinator {

  /** The coordinator's own messages (from its roles, the gateway, its timers); clients send {@link GroupProtocol}'s. */
  public sealed interface Command extends GroupCommand {}

  /** A group of this node met the journal's fail-stop: every group of the node stops. */
  record JournalFailed(JournalFailedException failure) implements Command {}

  /**
   * From the checkpoint role as it starts: the group may not run here, {@code reason} says why (it
   * stopped for good before, or its configured members differ from those it began with), {@code
   * remedy} what an operator can do, and {@code resumable} whether resuming the group is that.
   */
  record StaysDown(String reason, String remedy, boolean resumable) implements Command {}

  /** From the checkpoint role as it starts: the group may run here; start the other roles. */
  enum MayRun implements Command {
    INSTANCE
  }

  /** From the learner: the group's membership, at first and at every change. */
  record MembershipNow(Membership membership) implements Command {}

  /** A watcher stopped. */
  record WatcherGone(ActorRef<Leadership> watcher) implements Command {}

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

  /** From the node's failure detector ({@link NodeLiveness}): news of a peer, for the proposer. */
  record PeerNews(PeerLiveness.News news) implements Command {}

  /** From the proposer or learner: commands applied or refused, reads answered. */
  record Answered(List<Applied> applied, List<Refusal> refused, List<ReadOutcome> reads) implements Command {}

  private enum Sweep implements Command {
    INSTANCE
  }

  private record CommandId(long clientId, long sequence) {}

  private record PendingRead(long deadline, ActorRef<GroupProtocol.ReadReply> replyTo) {}

  private static final class Waiting {
    final ClientCommand command;
    final long deadline;
    final ActorRef<ProposeReply> replyTo;
    long lastSent;

    Waiting(ClientCommand command, long deadline, ActorRef<ProposeReply> replyTo, long lastSent) {
      this.command = command;
      this.deadline = deadline;
      this.replyTo = replyTo;
      this.lastSent = lastSent;
    }
  }

  private static final int STASH = 10_000;

  /**
   * The coordinator of life {@code incarnation} of {@code config.group()} on node {@code
   * config.self()} (0 for a group the application spawns; see {@link GroupEnvelope}). {@code stateMachine}
   * makes a fresh state machine at each call: it is called each time the roles start (once the
   * group is registered, and again at every restart of the roles after a failure) for the state
   * machine the learner will own, and once more for each checkpoint fetched from a peer, which the
   * checkpoint role restores into the new machine to check it before taking it (that machine is
   * then dropped). The coordinator stops when {@code journalFailures} reports that the node's
   * journal failed, and reports there a failure it meets itself.
   */
  public static Behavior<GroupCommand> create(GroupConfig config, long incarnation, SynodSettings settings,
      Supplier<StateMachine> stateMachine, Peers peers, ActorRef<NodeGateway.Command> gateway, LongSupplier nanoTime,
      JournalFailures journalFailures) {
    return Behaviors.withStash(STASH, stash -> Behaviors.setup(ctx -> {
      // Any node with an address may be added to the group, so the gateway takes messages from all of them.
      gateway.tell(new NodeGateway.Register(config.group(), incarnation, peers.nodeIds(), ctx.getSelf()));
      ctx.pipeToSelf(journalFailures.failure(), (failure, never) -> new JournalFailed(failure));
      return Behaviors.receive(GroupCommand.class)
          .onMessageEquals(Registered.INSTANCE, () -> Behaviors.withTimers(timers ->
              stash.unstashAll(new Running(ctx, timers, stash, config, incarnation, settings, stateMachine, peers,
                  gateway, nanoTime, journalFailures).starting(null))))
          .onMessage(RegistrationRefused.class, r -> onRegistrationRefused(ctx, config, stash, r))
          .onAnyMessage(m -> stashWhileRegistering(config, stash, m))
          .build();
    }));
  }

  /** The group runs on this node already: it cannot start, and whoever asked meanwhile is told so. */
  private static Behavior<GroupCommand> onRegistrationRefused(ActorContext<GroupCommand> ctx, GroupConfig config,
      StashBuffer<GroupCommand> stash, RegistrationRefused r) {
    ctx.getLog().error("group '{}' cannot start on node {}: {}", config.group(), config.self(), r.reason());
    stash.forEach(m -> RequestRefusal.refuse(m, config, r.reason()));
    return Behaviors.stopped();
  }

  /** Until the gateway answers, everything waits (a bounded number of requests). */
  private static Behavior<GroupCommand> stashWhileRegistering(GroupConfig config, StashBuffer<GroupCommand> stash,
      GroupCommand m) {
    if (!stash.isFull()) {
      stash.stash(m);
    } else {
      RequestRefusal.refuse(m, config, "too many requests while the group starts on node " + config.self());
    }
    return Behaviors.same();
  }

  private static final class Running implements RolesStarting.Coordinator, MembershipChanges.Coordinator {
    private final ActorContext<GroupCommand> ctx;
    private final StashBuffer<GroupCommand> stash;
    private final GroupConfig config;
    private final LongSupplier nanoTime;
    private final long retryNanos;
    private final long reachableNanos;
    private final GroupRoutes routes;
    private final TimerScheduler<GroupCommand> timers;
    private final Duration retryInterval;
    private final LeadershipWatchers watchers;
    private final RoleSupervisor supervisor;
    private final RoleSpawner spawner;
    /** The roles of the current start: the checkpoint role ({@link #starting}), then the others ({@link #rolesMayRun}). */
    private List<ActorRef<?>> roles;
    private ActorRef<ProposerActor.Command> proposer;
    private ActorRef<LearnerActor.Command> learner;
    private ActorRef<CheckpointActor.Command> checkpoints;
    private final LearnerQueries queries;
    private final Map<CommandId, Waiting> waiting = new HashMap<>();
    private final Map<Long, PendingRead> reads = new HashMap<>();
    private final LeadershipTransfers transfers;
    private final Map<Integer, Long> lastHeard = new HashMap<>();
    /**
     * Read ids start at a random point for each life of the coordinator, so that a leader's late
     * answer to a read of an earlier life (its read index) can never be taken for a new read's.
     */
    private long nextReadId = java.util.concurrent.ThreadLocalRandom.current().nextLong(Long.MAX_VALUE / 2);
    private int leader = -1;
    private boolean leaseHeld;
    private String stopReason = "the group was stopped";
    private final Peers peers;
    private final ActorRef<NodeGateway.Command> gateway;
    private final MembershipChanges memberships;

    Running(ActorContext<GroupCommand> ctx, TimerScheduler<GroupCommand> timers, StashBuffer<GroupCommand> stash,
        GroupConfig config, long incarnation, SynodSettings settings, Supplier<StateMachine> stateMachines, Peers peers,
        ActorRef<NodeGateway.Command> gateway, LongSupplier nanoTime, JournalFailures journalFailures) {
      this.ctx = ctx;
      this.stash = stash;
      this.gateway = gateway;
      this.config = config;
      this.nanoTime = nanoTime;
      this.peers = peers;
      this.watchers = new LeadershipWatchers(ctx);
      this.supervisor = new RoleSupervisor(ctx, timers, config, settings.restart(), nanoTime, journalFailures, watchers);
      this.queries = new LearnerQueries(ctx);
      this.retryNanos = settings.client().retryInterval().toNanos();
      this.memberships = new MembershipChanges(ctx, config, peers, nanoTime, retryNanos, this);
      this.reachableNanos = settings.electionTimeout().plus(settings.electionJitter()).multipliedBy(2).toNanos();
      this.routes = new GroupRoutes(config.self(), peers.outbound(config.group(), incarnation, config.self()));
      this.timers = timers;
      this.retryInterval = settings.client().retryInterval();
      this.transfers = new LeadershipTransfers(config.group(), this::handOver);
      this.spawner = new RoleSpawner(ctx, config, incarnation, settings, stateMachines, peers, nanoTime, routes);
    }

    /**
     * Spawns the group's checkpoint role, the first to start (at the start, and again after a
     * failure), and waits for it to say whether the group may run ({@link RolesStarting}); {@code
     * resumedBy}: the operator who resumed the group after it stopped for good, or null.
     */
    Behavior<GroupCommand> starting(ActorRef<GroupProtocol.ResumeReply> resumedBy) {
      this.checkpoints = spawner.checkpoints(resumedBy != null);
      ctx.watch(checkpoints);
      this.roles = List.of(checkpoints);
      return new RolesStarting(config, stash, supervisor, this, resumedBy).behavior();
    }

    /** The group may run: spawns its other roles, connected and watched, and runs. */
    @Override
    public Behavior<GroupCommand> rolesMayRun() {
      ActorRef<AcceptorActor.Command> acceptor = spawner.acceptor();
      this.proposer = spawner.proposer();
      this.learner = spawner.learner();
      routes.connect(acceptor, proposer, learner);
      checkpoints.tell(new CheckpointActor.RolesStarted(learner, acceptor));
      this.roles = List.of(acceptor, proposer, learner, checkpoints);
      List.of(acceptor, proposer, learner).forEach(ctx::watch);
      return stash.unstashAll(behavior());
    }

    /** The sweep runs only while someone waits: an idle group costs no timer here. */
    private void sweepWhileWaiting() {
      if (!timers.isTimerActive(Sweep.INSTANCE)) {
        timers.startTimerAtFixedRate(Sweep.INSTANCE, retryInterval);
      }
    }

    Behavior<GroupCommand> behavior() {
      return Behaviors.receive(GroupCommand.class)
          .onMessage(Inbound.class, this::onInbound)
          .onMessage(Transfer.class, this::onTransfer)
          .onMessage(Propose.class, this::onPropose)
          .onMessage(Read.class, this::onRead)
          .onMessage(ReadLocal.class, this::onReadLocal)
          .onMessage(Leader.class, this::onLeader)
          .onMessage(AppliedThrough.class, this::onAppliedThrough)
          .onMessage(Status.class, this::onStatus)
          .onMessage(LearnerQueries.StatusAnswered.class, this::onStatusAnswered)
          .onMessage(Digest.class, this::onDigest)
          .onMessage(LearnerQueries.DigestAnswered.class, this::onDigestAnswered)
          .onMessage(JournalFailed.class, f -> supervisor.journalFailed(f.failure(), this))
          .onMessage(TransferLeadership.class, this::onTransferLeadership)
          .onMessage(GroupProtocol.Resume.class, this::onResume)
          .onMessage(LeaderChanged.class, this::onLeaderChanged)
          .onMessage(PeerNews.class, this::onPeerNews)
          .onMessage(WatchLeadership.class, this::onWatchLeadership)
          .onMessage(UnwatchLeadership.class, this::onUnwatchLeadership)
          .onMessage(WatcherGone.class, this::onWatcherGone)
          .onMessage(Answered.class, this::onAnswered)
          .onMessage(ChangeMembership.class, this::onChangeMembership)
          .onMessage(MembershipChanges.ChangeAnswered.class, this::onChangeAnswered)
          .onMessage(MembershipNow.class, this::onMembershipNow)
          .onMessage(GetMembership.class, this::onGetMembership)
          .onMessageEquals(Sweep.INSTANCE, this::onSweep)
          .onMessageEquals(Registered.INSTANCE, Behaviors::same)
          .onSignal(Terminated.class, t -> supervisor.roleStopped(t, this))
          .onSignal(PostStop.class, this::onPostStop)
          .build();
    }

    // ---- what arrives from peers ----

    private Behavior<GroupCommand> onInbound(Inbound in) {
      lastHeard.put(in.message().from(), nanoTime.getAsLong());
      routes.deliverHere(in.message());
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onTransfer(Transfer t) {
      checkpoints.tell(new CheckpointActor.Transfer(t.message()));
      return Behaviors.same();
    }

    // ---- clients' requests (GroupProtocol) ----

    private Behavior<GroupCommand> onPropose(Propose p) {
      submit(p.command(), p.deadlineNanos(), p.replyTo());
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onRead(Read r) {
      long id = nextReadId++;
      reads.put(id, new PendingRead(r.deadlineNanos(), r.replyTo()));
      sweepWhileWaiting();
      proposer.tell(new ProposerActor.Read(id, r.query()));
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onReadLocal(ReadLocal r) {
      learner.tell(new LearnerActor.LocalRead(r.query(), r.replyTo()));
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onLeader(Leader l) {
      l.replyTo().tell(leader);
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onAppliedThrough(AppliedThrough a) {
      learner.tell(new LearnerActor.AskApplied(a.replyTo()));
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onStatus(Status st) {
      queries.askStatus(learner, leader, st.replyTo());
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onStatusAnswered(LearnerQueries.StatusAnswered a) {
      queries.answered(a, supervisor::withRestarts);
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onDigest(Digest d) {
      queries.askDigest(learner, d.replyTo());
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onDigestAnswered(LearnerQueries.DigestAnswered a) {
      queries.answered(a);
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onGetMembership(GetMembership g) {
      g.replyTo().tell(memberships.current());
      return Behaviors.same();
    }

    // ---- leadership ----

    private Behavior<GroupCommand> onLeaderChanged(LeaderChanged c) {
      noteLeaderNow(c.leader());
      leaseHeld = c.leaseHeld();
      transfers.leaderIs(leader);
      watchers.tell(leadership());
      memberships.leaderChanged(leader);
      return Behaviors.same();
    }

    /**
     * This node stops leading with no other leader known: the node's failure detector tells its
     * peers, whose followers of a quiet group may be waiting for this leadership (see {@link
     * NodeLiveness}); a leader that makes way for a known one does not (that one tells them).
     */
    private void noteLeaderNow(int now) {
      if (leader == config.self() && now < 0) { // making way for a known leader is no news: it tells the followers
        gateway.tell(NodeGateway.LeadershipLost.INSTANCE);
      }
      leader = now;
    }

    private Behavior<GroupCommand> onPeerNews(PeerNews n) {
      if (proposer != null) {
        proposer.tell(new ProposerActor.PeerNewsArrived(n.news()));
      }
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onWatchLeadership(WatchLeadership w) {
      watchers.watch(w.watcher(), leadership());
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onUnwatchLeadership(UnwatchLeadership w) {
      watchers.unwatch(w.watcher());
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onWatcherGone(WatcherGone w) {
      watchers.gone(w.watcher());
      return Behaviors.same();
    }

    // ---- membership (MembershipChanges carries it out) ----

    private Behavior<GroupCommand> onChangeMembership(ChangeMembership c) {
      memberships.change(c);
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onChangeAnswered(MembershipChanges.ChangeAnswered a) {
      memberships.answered(a);
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onMembershipNow(MembershipNow m) {
      memberships.membershipNow(m.membership());
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onPostStop(PostStop s) {
      // Watchers learn that this node no longer leads (nor holds a lease) here.
      watchers.tell(new Leadership(config.group(), config.self(), -1, false));
      failWaiting("it stopped on node " + config.self() + ": " + stopReason);
      return Behaviors.same();
    }

    // ---- failures and restarts (RoleSupervisor decides) ----

    private Behavior<GroupCommand> onResume(GroupProtocol.Resume r) {
      r.replyTo().tell(new GroupProtocol.ResumeReply(false, "group '" + config.group() + "' runs on node "
          + config.self() + "; it did not stop, so there is nothing to resume"));
      return Behaviors.same();
    }

    @Override
    public List<ActorRef<?>> rolesFailed(ActorRef<?> failed, String reason, String stopForGood) {
      noteLeaderNow(-1);
      leaseHeld = false;
      watchers.tell(leadership());
      failWaiting(reason);
      timers.cancel(Sweep.INSTANCE);
      routes.connect(null, null, null);
      queries.askAgain();
      List<ActorRef<?>> stopping = roles.stream().filter(r -> !r.equals(failed)).toList();
      for (ActorRef<?> role : stopping) {
        if (stopForGood != null && role.equals(checkpoints)) {
          checkpoints.tell(new CheckpointActor.StopForGood(stopForGood)); // it stops once that is durable
        } else {
          ctx.stop(role);
        }
      }
      return stopping;
    }

    @Override
    public String stopReason() {
      return stopReason;
    }

    @Override
    public Behavior<GroupCommand> stop(String reason) {
      stopReason = reason;
      return Behaviors.stopped();
    }

    @Override
    public Behavior<GroupCommand> startRoles(ActorRef<GroupProtocol.ResumeReply> resumedBy) {
      return starting(resumedBy);
    }

    @Override
    public Membership membership() {
      return memberships.current();
    }

    @Override
    public void submit(ClientCommand command, long deadline, ActorRef<ProposeReply> replyTo) {
      waiting.put(new CommandId(command.clientId(), command.sequence()),
          new Waiting(command, deadline, replyTo, nanoTime.getAsLong()));
      sweepWhileWaiting();
      proposer.tell(new ProposerActor.Submit(command));
    }

    @Override
    public void handOver(int node) {
      sweepWhileWaiting();
      proposer.tell(new ProposerActor.Transfer(node));
    }

    /** Tells everyone who waits for an answer that none will come, {@code reason} saying why. */
    private void failWaiting(String reason) {
      transfers.fail(reason);
      for (Waiting w : waiting.values()) {
        w.replyTo.tell(new Stopped(reason));
      }
      waiting.clear();
      memberships.fail(reason);
      reads.forEach((id, r) -> r.replyTo().tell(new Stopped(reason)));
      reads.clear();
    }

    private Leadership leadership() {
      return new Leadership(config.group(), config.self(), leader, leaseHeld && leader == config.self());
    }

    private Behavior<GroupCommand> onTransferLeadership(TransferLeadership t) {
      transfers.ask(t, memberships.current(), leader); // a request that waits is handed over (handOver)
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onAnswered(Answered a) {
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
          to.replyTo().tell(new GroupProtocol.ReadResult(o));
        }
      }
      return Behaviors.same();
    }

    private Behavior<GroupCommand> onSweep() {
      long now = nanoTime.getAsLong();
      for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
        Waiting w = it.next();
        if (now - w.deadline >= 0) {
          it.remove();
          w.replyTo.tell(new TimedOut(reachable(now), memberships.current().voters().size()));
        } else if (now - w.lastSent >= retryNanos) {
          w.lastSent = now;
          proposer.tell(new ProposerActor.Submit(w.command));
        }
      }
      // An unanswered read's client has given up by its deadline; forget it.
      reads.values().removeIf(r -> now - r.deadline() >= 0);
      transfers.sweep(now, leader);
      memberships.sweep(now);
      if (waiting.isEmpty() && reads.isEmpty() && transfers.isEmpty() && !memberships.underWay()) {
        timers.cancel(Sweep.INSTANCE);
      }
      return Behaviors.same();
    }

    private int reachable(long now) {
      int n = 1;
      for (int m : memberships.current().voters()) {
        Long heard = lastHeard.get(m);
        if (m != config.self() && heard != null && now - heard <= reachableNanos) {
          n++;
        }
      }
      return n;
    }
  }
}
