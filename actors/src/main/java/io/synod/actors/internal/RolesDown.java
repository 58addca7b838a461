package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.GroupProtocol;
import io.synod.actors.GroupStatus;
import io.synod.actors.Leadership;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Membership;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A group's coordinator while the group's roles on this node are down after a failure (README,
 * "Group restarts"): it waits until the roles that still ran have stopped, then for the back-off
 * ({@link RestartBackoff}), and then has the coordinator start them again from the journal. The
 * coordinator, and so the actor that clients and the node's gateway hold, stays. Meanwhile every
 * request is answered at once that the group is restarting here, and when the next attempt is due
 * (a {@link io.synod.actors.GroupStoppedException} for the client); the status says the same;
 * peers' protocol messages are dropped (the protocol tolerates lost messages); leadership watchers
 * stay, told that this node knows no leader.
 *
 * <p>Down for good ({@code forGood} not null: replicas were found to diverge, now or before the
 * node's last start, or the group's configured members differ from those it began with), it starts
 * them again only when an operator resumes the group ({@link GroupProtocol.Resume}; not for members
 * that differ, which only the node's configuration can fix), and until then every answer, the
 * status's {@code stopped} among them, says why.
 *
 * <p>Nothing the old roles sent can reach the new ones' coordinator as if it were theirs: a local
 * send is in the coordinator's mailbox at once, so everything the old roles sent is there before
 * the last of them has stopped, and the timer that ends this state starts only then; each such
 * message arrives here first and is dropped.
 */
final class RolesDown {

  /** What it needs of the coordinator it stands in for. */
  interface Coordinator {
    /**
     * Starts the roles again; returns the coordinator's behaviour while they start. {@code resumedBy}:
     * the operator who resumed the group after it stopped for good (the lift is recorded before it
     * runs, and they are answered then), or null.
     */
    Behavior<GroupCommand> startRoles(ActorRef<GroupProtocol.ResumeReply> resumedBy);

    /** The group's membership as the roles last applied it. */
    Membership membership();
  }

  /**
   * Why the roles stay down for good: {@code reason}; whether an operator's resumption lifts it
   * ({@code resumable}; otherwise {@code remedy} says what does); whether the checkpoint role, among
   * those stopping, records the stop ({@code recording}).
   */
  record ForGood(String reason, boolean resumable, String remedy, boolean recording) {}

  /** The back-off is over: start the roles. */
  private enum Due implements GroupCommand {
    INSTANCE
  }

  private final ActorContext<GroupCommand> ctx;
  private final TimerScheduler<GroupCommand> timers;
  private final GroupConfig config;
  private final RestartBackoff backoff;
  private final LeadershipWatchers watchers;
  private final RoleSupervisor supervisor;
  private final RoleSupervisor.Coordinator coordinator;
  private final LongSupplier nanoTime;
  private final Set<ActorRef<?>> stopping;
  /** Why the roles are down for good, or null while they are to start again. */
  private final ForGood forGood;
  /** Why the stop could not be recorded, or null. */
  private String notRecorded;
  /** An operator's resumption asked while the roles were still stopping, or null. */
  private GroupProtocol.Resume resume;

  /**
   * {@code stopping}: the old roles that have not stopped yet (the coordinator stopped them); {@code
   * forGood}: why they stay down for good, or null if they are to start again after the back-off.
   */
  RolesDown(ActorContext<GroupCommand> ctx, TimerScheduler<GroupCommand> timers, GroupConfig config,
      RestartBackoff backoff, LeadershipWatchers watchers, RoleSupervisor supervisor,
      RoleSupervisor.Coordinator coordinator, LongSupplier nanoTime, List<ActorRef<?>> stopping, ForGood forGood) {
    this.ctx = ctx;
    this.timers = timers;
    this.config = config;
    this.backoff = backoff;
    this.watchers = watchers;
    this.supervisor = supervisor;
    this.coordinator = coordinator;
    this.nanoTime = nanoTime;
    this.stopping = new HashSet<>(stopping);
    this.forGood = forGood;
  }

  Behavior<GroupCommand> behavior() {
    if (stopping.isEmpty()) {
      startTimer();
    }
    return Behaviors.receive(GroupCommand.class)
        .onMessageEquals(Due.INSTANCE, this::due)
        .onMessage(GroupCoordinator.JournalFailed.class, f -> supervisor.journalFailed(f.failure(), coordinator))
        .onMessage(GroupProtocol.Status.class, s -> answer(s.replyTo(), status()))
        .onMessage(GroupProtocol.GetMembership.class, g -> answer(g.replyTo(), coordinator.membership()))
        .onMessage(GroupProtocol.Resume.class, this::onResume)
        .onMessage(GroupProtocol.WatchLeadership.class, this::onWatchLeadership)
        .onMessage(GroupProtocol.UnwatchLeadership.class, this::onUnwatchLeadership)
        .onMessage(GroupCoordinator.WatcherGone.class, this::onWatcherGone)
        // Every other request: refused at once, saying why (a command, a read, a digest, a handover, ...).
        .onMessage(GroupProtocol.Request.class, this::refuse)
        .onSignal(Terminated.class, this::roleStopped)
        // Peers' protocol messages and checkpoint transfers, and what the old roles sent: dropped.
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /** An operator resumes a group stopped for good, once its roles have stopped (and recorded the stop). */
  private Behavior<GroupCommand> onResume(GroupProtocol.Resume r) {
    if (forGood == null) {
      r.replyTo().tell(new GroupProtocol.ResumeReply(false, reason() + "; it was not stopped for good, so there is"
          + " nothing to resume"));
      return Behaviors.same();
    }
    if (!forGood.resumable()) {
      r.replyTo().tell(new GroupProtocol.ResumeReply(false, reason() + "; a resumption cannot change that: "
          + forGood.remedy()));
      return Behaviors.same();
    }
    if (!stopping.isEmpty()) {
      if (resume != null) {
        resume.replyTo().tell(new GroupProtocol.ResumeReply(false, "group '" + config.group() + "' on node "
            + config.self() + ": asked to resume again before its roles had stopped; the later request goes on"));
      }
      resume = r; // carried out once the roles have stopped
      return Behaviors.same();
    }
    return resume(r);
  }

  private Behavior<GroupCommand> resume(GroupProtocol.Resume r) {
    ctx.getLog().warn("group '{}' on node {}: an operator resumes it after it stopped for good ({}); its roles start"
        + " again from the journal", config.group(), config.self(), forGood.reason());
    return coordinator.startRoles(r.replyTo());
  }

  /** A watcher is told at once that this node knows no leader while its roles are down. */
  private Behavior<GroupCommand> onWatchLeadership(GroupProtocol.WatchLeadership w) {
    watchers.watch(w.watcher(), new Leadership(config.group(), config.self(), -1, false));
    return Behaviors.same();
  }

  private Behavior<GroupCommand> onUnwatchLeadership(GroupProtocol.UnwatchLeadership w) {
    watchers.unwatch(w.watcher());
    return Behaviors.same();
  }

  private Behavior<GroupCommand> onWatcherGone(GroupCoordinator.WatcherGone w) {
    watchers.gone(w.watcher());
    return Behaviors.same();
  }

  private Behavior<GroupCommand> refuse(GroupProtocol.Request r) {
    RequestRefusal.refuse(r, config, reason());
    return Behaviors.same();
  }

  private <T> Behavior<GroupCommand> answer(ActorRef<T> replyTo, T answer) {
    replyTo.tell(answer);
    return Behaviors.same();
  }

  private Behavior<GroupCommand> roleStopped(Terminated t) {
    stopping.remove(t.getRef());
    RoleFailure failure = RoleFailure.of(t);
    if (failure.journalFailure() != null) {
      return supervisor.journalFailed(failure.journalFailure(), coordinator);
    }
    if (forGood != null && forGood.recording() && failure.role().equals(RoleSpawner.CHECKPOINTS) && failure.cause() != null) {
      notRecorded = failure.describe();
      ctx.getLog().error("group '{}' on node {}: its stop could not be recorded ({}); it stays down in this process,"
          + " but starts again when the node restarts", config.group(), config.self(), notRecorded);
    }
    if (stopping.isEmpty()) {
      if (resume != null) {
        return resume(resume);
      }
      startTimer();
    }
    return Behaviors.same();
  }

  private void startTimer() {
    if (forGood != null) {
      return; // down for good
    }
    timers.startSingleTimer(Due.INSTANCE, Due.INSTANCE, Duration.ofNanos(backoff.nanosUntilDue(nanoTime.getAsLong())));
  }

  private Behavior<GroupCommand> due() {
    backoff.restarted(nanoTime.getAsLong());
    ctx.getLog().info("group '{}' on node {}: starting its roles again from the journal (restart {})", config.group(),
        config.self(), backoff.restarts());
    return coordinator.startRoles(null);
  }

  private GroupStatus status() {
    if (forGood != null) {
      return new GroupStatus(config.group(), config.self(), -1, -1, -1, -1, 0, "", backoff.restarts(), stoppedFor(), -1,
          stoppedFor());
    }
    return new GroupStatus(config.group(), config.self(), -1, -1, -1, -1, 0, "", backoff.restarts(), backoff.lastFailure(),
        backoff.restartInMillis(nanoTime.getAsLong()), null);
  }

  /** Why the roles are down for good, and whether that is recorded. */
  private String stoppedFor() {
    return notRecorded == null ? forGood.reason() : forGood.reason() + " (this stop could not be recorded, "
        + notRecorded + ": the group starts again when the node restarts)";
  }

  /** What a client is told: the group is restarting here, why, and when it tries next; or why it stopped for good. */
  private String reason() {
    if (forGood != null) {
      return "it stopped on node " + config.self() + " for good: " + stoppedFor();
    }
    return "its roles on node " + config.self() + " are restarting after a failure (" + backoff.lastFailure()
        + "); the next attempt is in " + backoff.restartInMillis(nanoTime.getAsLong()) + " ms";
  }
}
