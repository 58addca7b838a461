package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.GroupProtocol.ChangeMembership;
import io.synod.actors.GroupProtocol.Done;
import io.synod.actors.GroupProtocol.MembershipChanged;
import io.synod.actors.GroupProtocol.MembershipOp;
import io.synod.actors.GroupProtocol.MembershipRefused;
import io.synod.actors.GroupProtocol.MembershipReply;
import io.synod.actors.GroupProtocol.MembershipTimedOut;
import io.synod.actors.GroupProtocol.ProposeReply;
import io.synod.actors.GroupProtocol.RefusalKind;
import io.synod.actors.GroupProtocol.Refused;
import io.synod.actors.GroupProtocol.Stopped;
import io.synod.actors.GroupProtocol.TimedOut;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Membership;
import java.security.SecureRandom;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A group's membership on one node, and the workflow of a change asked there (docs/protocol.md,
 * "Membership changes"), for the group's {@link GroupCoordinator}: it holds the membership as this
 * node's learner applied it, turns a {@link ChangeMembership} into a change command of this node's
 * own session (one change at a time), hands leadership away first when the leader itself is to be
 * removed, waits for an added voter to catch up and be promoted, and answers the change once it
 * took effect, was refused, or its deadline passed. A learner named as catching up asks, from its
 * own node, to become a voter.
 */
final class MembershipChanges {

  /** What it needs of the coordinator. */
  interface Coordinator {
    /**
     * Has the leader order {@code command}, re-submitted now and then, its answer going to {@code
     * replyTo} (a {@link TimedOut} at {@code deadline} at the latest).
     */
    void submit(ClientCommand command, long deadline, ActorRef<ProposeReply> replyTo);

    /** Asks the proposer to hand leadership to {@code node}. */
    void handOver(int node);

    /** The node this node sees as the leader, or -1. */
    int leader();
  }

  /** The answer to a membership-change command this node submitted. */
  record ChangeAnswered(ProposeReply reply) implements GroupCommand {}

  private final ActorContext<GroupCommand> ctx;
  private final GroupConfig config;
  private final Peers peers;
  private final LongSupplier nanoTime;
  private final long retryNanos;
  private final Coordinator coordinator;
  private Membership membership;
  /** The membership change asked at this node and under way, or null: one at a time. */
  private ChangeMembership change;
  /** Whether {@link #change} was chosen and now waits for its node to catch up and become a voter. */
  private boolean awaitingPromotion;
  /** Whether {@link #change} removes the leader and waits for leadership to move to another voter first. */
  private boolean handingOverFirst;
  /** Where {@link #change} hands leadership before removing the leader. */
  private int handOverTo = -1;
  /** The client id of this node's membership-change commands, and the last sequence used. */
  private final long adminClientId = new SecureRandom().nextLong();
  private long adminSequence;
  private final ActorRef<ProposeReply> changeAnswers;
  private final ActorRef<ProposeReply> promotionAnswers;
  /** When this node last asked to become a voter (it retries at most every retry interval). */
  private long promotionAskedAt = Long.MIN_VALUE / 2;

  /** {@code retryNanos}: how often a learner that has caught up asks again to become a voter. */
  MembershipChanges(ActorContext<GroupCommand> ctx, GroupConfig config, Peers peers, LongSupplier nanoTime,
      long retryNanos, Coordinator coordinator) {
    this.ctx = ctx;
    this.config = config;
    this.peers = peers;
    this.nanoTime = nanoTime;
    this.retryNanos = retryNanos;
    this.coordinator = coordinator;
    this.membership = config.initialMembership();
    this.changeAnswers = ctx.messageAdapter(ProposeReply.class, ChangeAnswered::new);
    // (One adapter per message class: the answers to this node's own promotion, whose effect shows in
    // the membership, go to an actor that ignores them.)
    this.promotionAnswers = ctx.spawn(Behaviors.ignore(), "promotion-answers");
  }

  /** The group's membership as this node's learner last applied it. */
  Membership current() {
    return membership;
  }

  /** Whether a change asked at this node waits for its answer. */
  boolean underWay() {
    return change != null;
  }

  /** Starts change {@code c}, or refuses it at once. */
  void change(ChangeMembership c) {
    String group = "group '" + config.group() + "': ";
    if (!peers.knows(c.node())) {
      c.replyTo().tell(new MembershipRefused(group + "node " + c.node() + " is unknown: this node has addresses for "
          + peers.nodeIds() + " only", RefusalKind.BAD_REQUEST));
      return;
    }
    if (change != null) {
      c.replyTo().tell(new MembershipRefused(group + "a change (" + change.op() + " node " + change.node()
          + ") is under way; ask again once it has ended", RefusalKind.CONFLICT));
      return;
    }
    Membership target;
    try {
      target = switch (c.op()) {
        case ADD_VOTER -> membership.adding(c.node(), true);
        case ADD_LEARNER -> membership.adding(c.node(), false);
        case REMOVE -> membership.removing(c.node());
      };
    } catch (IllegalArgumentException e) {
      c.replyTo().tell(new MembershipRefused(group + e.getMessage() + "; membership: " + membership,
          RefusalKind.BAD_REQUEST));
      return;
    }
    change = c;
    awaitingPromotion = false;
    if (c.op() == MembershipOp.REMOVE && c.node() == coordinator.leader() && membership.isVoter(c.node())) {
      // Removing the leader: hand leadership to a remaining voter first, then remove it.
      handingOverFirst = true;
      handOverTo = target.voters().contains(config.self()) ? config.self() : target.voters().get(0);
      coordinator.handOver(handOverTo);
      return;
    }
    submitChange(target, c.deadlineNanos(), changeAnswers);
  }

  /** This node now sees {@code leader} lead: a leader being removed that has handed over is removed now. */
  void leaderChanged(int leader) {
    if (change != null && handingOverFirst && leader >= 0 && leader != change.node()) {
      removeAfterHandover();
    }
  }

  /** The leader being removed has handed over: remove it now (against the membership as it is now). */
  private void removeAfterHandover() {
    handingOverFirst = false;
    try {
      submitChange(membership.removing(change.node()), change.deadlineNanos(), changeAnswers);
    } catch (IllegalArgumentException e) {
      reply(new MembershipRefused("group '" + config.group() + "': " + e.getMessage() + "; membership: " + membership,
          RefusalKind.BAD_REQUEST));
    }
  }

  /** Submits a change from the current membership to {@code target}, as a command of this node's own session. */
  private void submitChange(Membership target, long deadline, ActorRef<ProposeReply> replyTo) {
    ClientCommand command = ClientCommand.membership(adminClientId, ++adminSequence,
        new Membership.Change(membership.epoch(), target));
    coordinator.submit(command, deadline, replyTo);
  }

  /** The log's answer to the change command: the change took effect, was refused, or its outcome is unknown. */
  void answered(ChangeAnswered a) {
    ChangeMembership c = change;
    if (a.reply() instanceof Done d && d.applied().result() != null) {
      Membership.Outcome o = Membership.Outcome.ofResult(d.applied().result());
      if (c == null) {
        return;
      }
      if (o.refusal() != null) {
        reply(new MembershipRefused("group '" + config.group() + "': " + o.refusal(), RefusalKind.CONFLICT));
      } else if (c.op() == MembershipOp.ADD_VOTER && !o.membership().isVoter(c.node())) {
        awaitingPromotion = true; // it joins as a learner; it asks to vote once caught up
        if (membership.isVoter(c.node())) {
          reply(new MembershipChanged(membership));
        }
      } else {
        reply(new MembershipChanged(o.membership()));
      }
    } else if (c != null && a.reply() instanceof Done) {
      reply(new MembershipTimedOut("the change reached the log after this node's session had moved past it; it"
          + " was not answered (membership now: " + membership + ")"));
    } else if (c != null) {
      if (a.reply() instanceof Refused r) {
        reply(new MembershipRefused("group '" + config.group() + "': the leader refused the change: "
            + r.refusal().reason(), RefusalKind.OVERLOADED));
      } else if (a.reply() instanceof TimedOut t) {
        reply(new MembershipTimedOut("the change was not chosen in time (" + t.reachable() + " of " + t.members()
            + " voters reachable); it may still be"));
      } else if (a.reply() instanceof Stopped st) {
        reply(new MembershipRefused("group '" + config.group() + "' stopped: " + st.reason(), RefusalKind.UNAVAILABLE));
      }
    }
  }

  private void reply(MembershipReply r) {
    if (change != null) {
      change.replyTo().tell(r);
      change = null;
      awaitingPromotion = false;
      handingOverFirst = false;
    }
  }

  /** From the learner: the group's membership now. */
  void membershipNow(Membership now) {
    membership = now;
    if (change != null && awaitingPromotion && membership.isVoter(change.node())) {
      reply(new MembershipChanged(membership));
    }
    askToVoteIfCaughtUp();
  }

  /**
   * A learner named as catching up has, once its learner applied that change, the group's history
   * up to it: it asks to become a voter itself (again every retry interval until it is one).
   */
  void askToVoteIfCaughtUp() {
    long now = nanoTime.getAsLong();
    if (membership.catchingUp().contains(config.self()) && now - promotionAskedAt >= retryNanos) {
      promotionAskedAt = now;
      ctx.getLog().info("group '{}': node {} has caught up and asks to become a voter", config.group(), config.self());
      submitChange(membership.promoting(config.self()), now + retryNanos * 10, promotionAnswers);
    }
  }

  /** At the coordinator's sweep: asks for the handover again, or answers a change whose deadline passed. */
  void sweep(long now) {
    if (change != null && handingOverFirst && now - change.deadlineNanos() < 0) {
      coordinator.handOver(handOverTo); // again: as a handover asked by a client
    }
    if (change != null && now - change.deadlineNanos() >= 0) {
      change.replyTo().tell(new MembershipTimedOut(handingOverFirst
          ? "node " + change.node() + " still leads: leadership did not move to node " + handOverTo
              + " in time, and nothing was changed"
          : awaitingPromotion
          ? "node " + change.node() + " was added as a learner but has not caught up and become a voter yet; it"
              + " will once it has (membership now: " + membership + ")"
          : "the change was not chosen in time; it may still be (membership now: " + membership + ")"));
      change = null;
      awaitingPromotion = false;
      handingOverFirst = false;
    }
  }

  /** The group's roles here stopped: the change under way is answered that its outcome is unknown. */
  void fail(String reason) {
    if (change != null) {
      change.replyTo().tell(new MembershipRefused(reason + "; the change may or may not take effect",
          RefusalKind.UNAVAILABLE));
      change = null;
      awaitingPromotion = false;
      handingOverFirst = false;
    }
  }
}
