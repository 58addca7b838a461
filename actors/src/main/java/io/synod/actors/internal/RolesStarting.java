package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.GroupProtocol;
import io.synod.paxos.GroupConfig;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * A group's coordinator while the group's checkpoint role, the first of its roles to start,
 * decides whether the group may run on this node ({@link StartVerdict}): nothing else of the group
 * runs meanwhile, so a group stopped for good, or configured with other members than it began
 * with, never votes, campaigns or applies. Requests wait (stashed, up to the stash's bound; a leader
 * and membership question is answered at once); peers' messages, and what the roles of an earlier
 * start sent before they stopped, are dropped (the protocol tolerates lost messages). If the
 * coordinator stops meanwhile, whoever waits is told why. Then the coordinator starts the
 * other roles ({@link GroupCoordinator.MayRun}) or keeps the group down ({@link
 * GroupCoordinator.StaysDown}, {@link RolesDown}); an operator's resumption that started this is
 * answered only then, once the lift is durable.
 */
final class RolesStarting {

  /** What it needs of the coordinator it stands in for. */
  interface Coordinator extends RoleSupervisor.Coordinator {
    /** The group may run: start its other roles; returns the coordinator's behaviour while they run. */
    Behavior<GroupCommand> rolesMayRun();

    /** Why the coordinator stopped, once it has. */
    String stopReason();
  }

  private final GroupConfig config;
  private final StashBuffer<GroupCommand> stash;
  private final RoleSupervisor supervisor;
  private final Coordinator coordinator;
  /** The operator who resumed the group, to answer, or null. */
  private final ActorRef<GroupProtocol.ResumeReply> resumedBy;

  RolesStarting(GroupConfig config, StashBuffer<GroupCommand> stash, RoleSupervisor supervisor,
      Coordinator coordinator, ActorRef<GroupProtocol.ResumeReply> resumedBy) {
    this.config = config;
    this.stash = stash;
    this.supervisor = supervisor;
    this.coordinator = coordinator;
    this.resumedBy = resumedBy;
  }

  Behavior<GroupCommand> behavior() {
    return Behaviors.receive(GroupCommand.class)
        .onMessageEquals(GroupCoordinator.MayRun.INSTANCE, this::onMayRun)
        .onMessage(GroupCoordinator.StaysDown.class, this::onStaysDown)
        .onMessage(GroupCoordinator.JournalFailed.class, f -> supervisor.journalFailed(f.failure(), coordinator))
        .onMessage(GroupCoordinator.Inbound.class, m -> Behaviors.same())
        .onMessage(GroupCoordinator.Transfer.class, m -> Behaviors.same())
        // What the roles of an earlier start sent before they stopped: theirs, not the new roles'.
        .onMessage(GroupCoordinator.LeaderChanged.class, m -> Behaviors.same())
        .onMessage(GroupCoordinator.Answered.class, m -> Behaviors.same())
        .onMessage(GroupCoordinator.MembershipNow.class, m -> Behaviors.same())
        .onMessage(LearnerQueries.StatusAnswered.class, m -> Behaviors.same())
        .onMessage(LearnerQueries.DigestAnswered.class, m -> Behaviors.same())
        .onMessage(MembershipChanges.ChangeAnswered.class, m -> Behaviors.same())
        .onMessage(GroupProtocol.Resume.class, this::onResume)
        .onMessage(GroupProtocol.Leader.class, this::onLeader)
        .onMessage(GroupProtocol.GetMembership.class, this::onGetMembership)
        .onSignal(Terminated.class, this::onRoleStopped)
        .onSignal(PostStop.class, this::onStopped)
        .onAnyMessage(this::stashWhileStarting)
        .build();
  }

  private Behavior<GroupCommand> onMayRun() {
    Behavior<GroupCommand> running = coordinator.rolesMayRun(); // the roles exist before the operator hears
    answerResume(true, "group '" + config.group() + "' on node " + config.self() + " resumed: it runs again from its"
        + " checkpoint and journal");
    return running;
  }

  private Behavior<GroupCommand> onStaysDown(GroupCoordinator.StaysDown down) {
    answerResume(false, "group '" + config.group() + "' on node " + config.self() + " stays stopped: "
        + down.reason() + "; to run it: " + down.remedy());
    return stash.unstashAll(supervisor.staysDown(down, coordinator));
  }

  /** The checkpoint role failed before it decided: the roles start again after the back-off. */
  private Behavior<GroupCommand> onRoleStopped(Terminated t) {
    answerResume(false, "group '" + config.group() + "' on node " + config.self() + ": "
        + RoleFailure.of(t).describe() + " as it started; it starts again after a back-off (see its status)");
    return stash.unstashAll(supervisor.roleStopped(t, coordinator));
  }

  private Behavior<GroupCommand> onResume(GroupProtocol.Resume r) {
    r.replyTo().tell(new GroupProtocol.ResumeReply(false, "group '" + config.group() + "' on node " + config.self()
        + " is starting; ask again once its status says whether it runs"));
    return Behaviors.same();
  }

  /** No leader is known while the roles start. */
  private Behavior<GroupCommand> onLeader(GroupProtocol.Leader l) {
    l.replyTo().tell(-1);
    return Behaviors.same();
  }

  private Behavior<GroupCommand> onGetMembership(GroupProtocol.GetMembership g) {
    g.replyTo().tell(coordinator.membership());
    return Behaviors.same();
  }

  private Behavior<GroupCommand> stashWhileStarting(GroupCommand m) {
    if (!stash.isFull()) {
      stash.stash(m);
    } else {
      RequestRefusal.refuse(m, config, "too many requests while the group starts on node " + config.self());
    }
    return Behaviors.same();
  }

  /** The coordinator stopped while the roles started: whoever waits is told why. */
  private Behavior<GroupCommand> onStopped(PostStop s) {
    String why = "it stopped on node " + config.self() + " as it started: " + coordinator.stopReason();
    stash.forEach(m -> RequestRefusal.refuse(m, config, why));
    answerResume(false, why);
    return Behaviors.same();
  }

  private void answerResume(boolean resumed, String detail) {
    if (resumedBy != null) {
      resumedBy.tell(new GroupProtocol.ResumeReply(resumed, detail));
    }
  }
}
