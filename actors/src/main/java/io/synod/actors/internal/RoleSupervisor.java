package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.GroupStatus;
import io.synod.actors.SynodSettings;
import io.synod.paxos.GroupConfig;
import io.synod.persistence.JournalFailedException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * What a group's coordinator does when one of the group's roles on its node stops (README, "Group
 * restarts"): most failures pass, so the roles go down ({@link RolesDown}) and start again from the
 * journal after a back-off ({@link RestartBackoff}); a failed journal or replicas that diverge do
 * not ({@link RoleFailure#permanent}), so the group stops for good. A failed journal is reported to
 * the node ({@link JournalFailures}), whose other groups then stop too, and the coordinator stops;
 * replicas that diverge leave the roles down for good, the coordinator answering every request
 * with why. Each failure is logged: WARN for one that is retried, ERROR for one that stops the
 * group.
 */
final class RoleSupervisor {

  /** What it needs of the coordinator. */
  interface Coordinator extends RolesDown.Coordinator {
    /**
     * The roles failed, {@code reason} says how: answer everyone waiting, forget the leader, stop
     * the roles that still run and return them. With {@code stopForGood} not null, the checkpoint
     * role first records that the group stopped here for good, and why, then stops.
     */
    List<ActorRef<?>> rolesFailed(ActorRef<?> failed, String reason, String stopForGood);

    /** Stops the group for good, telling whoever waits {@code reason}. */
    Behavior<GroupCommand> stop(String reason);
  }

  private final ActorContext<GroupCommand> ctx;
  private final TimerScheduler<GroupCommand> timers;
  private final GroupConfig config;
  private final LongSupplier nanoTime;
  private final JournalFailures journalFailures;
  private final LeadershipWatchers watchers;
  private final RestartBackoff backoff;

  RoleSupervisor(ActorContext<GroupCommand> ctx, TimerScheduler<GroupCommand> timers, GroupConfig config,
      SynodSettings.RestartSettings settings, LongSupplier nanoTime, JournalFailures journalFailures,
      LeadershipWatchers watchers) {
    this.ctx = ctx;
    this.timers = timers;
    this.config = config;
    this.nanoTime = nanoTime;
    this.journalFailures = journalFailures;
    this.watchers = watchers;
    this.backoff = new RestartBackoff(settings, new SplittableRandom(), nanoTime.getAsLong());
  }

  /** Role {@code t.getRef()} stopped: the coordinator's next behaviour. */
  Behavior<GroupCommand> roleStopped(Terminated t, Coordinator coordinator) {
    RoleFailure failure = RoleFailure.of(t);
    if (failure.journalFailure() != null) {
      return journalFailed(failure.journalFailure(), coordinator);
    }
    if (failure.divergence()) {
      ctx.getLog().error("group '{}' stops on node {} for good: {} (a restart would only hide that replicas diverge)",
          config.group(), config.self(), failure.describe(), failure.cause());
      // The coordinator stays, answering every request with why (its status too), as while the roles
      // restart; the stop is recorded, so that the group stays stopped after a restart of the node.
      List<ActorRef<?>> stopping = coordinator.rolesFailed(t.getRef(),
          "it stopped on node " + config.self() + " for good: " + failure.describe(), failure.describe());
      return new RolesDown(ctx, timers, config, backoff, watchers, this, coordinator, nanoTime, stopping,
          new RolesDown.ForGood(failure.describe(), true, "", true)).behavior();
    }
    long delayNanos = backoff.failed(nanoTime.getAsLong(), failure.describe());
    ctx.getLog().warn("group '{}' on node {}: {}; its roles start again from the journal in {} ms ({} failure(s) in a"
        + " row, restarted {} time(s) so far)", config.group(), config.self(), failure.describe(),
        delayNanos / 1_000_000, backoff.failuresInARow(), backoff.restarts());
    List<ActorRef<?>> stopping = coordinator.rolesFailed(t.getRef(),
        "its roles on node " + config.self() + " are restarting after a failure (" + failure.describe() + ")", null);
    return new RolesDown(ctx, timers, config, backoff, watchers, this, coordinator, nanoTime, stopping, null)
        .behavior();
  }

  /**
   * The group may not run on this node, as its checkpoint role found at the start ({@code
   * down.reason()}: it stopped here for good before, or its configured members differ from those it
   * began with): its checkpoint role, the only one started, stops, and the group stays down.
   */
  Behavior<GroupCommand> staysDown(GroupCoordinator.StaysDown down, Coordinator coordinator) {
    ctx.getLog().error("group '{}' does not start on node {}: {}. To run it: {}", config.group(), config.self(),
        down.reason(), down.remedy());
    List<ActorRef<?>> stopping = coordinator.rolesFailed(null,
        "it stopped on node " + config.self() + " for good: " + down.reason(), null);
    return new RolesDown(ctx, timers, config, backoff, watchers, this, coordinator, nanoTime, stopping,
        new RolesDown.ForGood(down.reason(), down.resumable(), down.remedy(), false)).behavior();
  }

  /** The node's journal failed: the group stops for good, and the node hears of it. */
  Behavior<GroupCommand> journalFailed(JournalFailedException failure, Coordinator coordinator) {
    String reason = "the node's journal failed: " + RoleFailure.oneLine(failure);
    journalFailures.report(failure, config.self(), ctx.getLog());
    ctx.getLog().error("group '{}' stops on node {} for good: {}", config.group(), config.self(), reason);
    return coordinator.stop(reason);
  }

  /** {@code status}, from the running learner, with how the roles have fared. */
  GroupStatus withRestarts(GroupStatus status) {
    return new GroupStatus(status.group(), status.node(), status.leader(), status.appliedThrough(),
        status.chosenThrough(), status.checkpoint(), status.checkpointsRefused(), status.lastCheckpointRefusal(),
        backoff.restarts(), backoff.lastFailure(), -1, null);
  }
}
