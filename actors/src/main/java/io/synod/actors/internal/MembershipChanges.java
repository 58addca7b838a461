package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.GroupProtocol.ChangeMembership;
import io.synod.actors.GroupProtocol.Done;
import io.synod.actors.GroupProtocol.MembershipChanged;
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
import io.synod.paxos.Reconfiguration;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The shell of a group's membership changes on one node, for the group's {@link GroupCoordinator}:
 * the workflow itself is the core's {@link Reconfiguration} (docs/protocol.md, "Membership
 * changes"); this class feeds it what the coordinator sees (a {@link ChangeMembership} asked here,
 * the leader, the membership the learner applied, the log's answers, the sweep, a failure) and
 * carries out what it decides: submitting commands through the coordinator, handing leadership
 * over, answering the asker with the reply records of {@link io.synod.actors.GroupProtocol}.
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
  }

  /** The answer to a membership-change command this node submitted. */
  record ChangeAnswered(long sequence, ProposeReply reply) implements GroupCommand {}

  private final ActorContext<GroupCommand> ctx;
  private final GroupConfig config;
  private final Peers peers;
  private final LongSupplier nanoTime;
  private final Coordinator coordinator;
  private final Reconfiguration<ActorRef<MembershipReply>> workflow;
  private final ActorRef<ProposeReply> promotionAnswers;

  /** {@code retryNanos}: how often a learner that has caught up asks again to become a voter. */
  MembershipChanges(ActorContext<GroupCommand> ctx, GroupConfig config, Peers peers, LongSupplier nanoTime,
      long retryNanos, Coordinator coordinator) {
    this.ctx = ctx;
    this.config = config;
    this.peers = peers;
    this.nanoTime = nanoTime;
    this.coordinator = coordinator;
    // The client id of this node's membership-change commands: drawn afresh at every start.
    this.workflow = new Reconfiguration<>(config, new SecureRandom().nextLong(), retryNanos);
    // The answers to this node's own promotion, whose effect shows in the membership, go to an actor
    // that ignores them.
    this.promotionAnswers = ctx.spawn(Behaviors.ignore(), "promotion-answers");
  }

  /**
   * Where the answer to change command {@code sequence} goes: a one-shot actor that hands it back
   * with the command's sequence (the coordinator answers every command once, at its deadline at the
   * latest), so a late answer to an earlier change cannot be taken for the answer to this one.
   */
  private ActorRef<ProposeReply> answersTo(long sequence) {
    ActorRef<GroupCommand> self = ctx.getSelf();
    return ctx.spawnAnonymous(Behaviors.receive(ProposeReply.class)
        .onAnyMessage(reply -> {
          self.tell(new ChangeAnswered(sequence, reply));
          return Behaviors.stopped();
        })
        .build());
  }

  /** The group's membership as this node's learner last applied it. */
  Membership current() {
    return workflow.membership();
  }

  /** Whether a change asked at this node waits for its answer. */
  boolean underWay() {
    return workflow.underWay();
  }

  /** Starts change {@code c}, or refuses it at once. */
  void change(ChangeMembership c) {
    Reconfiguration.Op op = switch (c.op()) {
      case ADD_VOTER -> Reconfiguration.Op.ADD_VOTER;
      case ADD_LEARNER -> Reconfiguration.Op.ADD_LEARNER;
      case REMOVE -> Reconfiguration.Op.REMOVE;
    };
    carryOut(workflow.onAsked(new Reconfiguration.Request<>(op, c.node(), c.deadlineNanos(), c.replyTo()),
        peers.nodeIds()));
  }

  /** This node now sees {@code leader} lead: a leader being removed that has handed over is removed now. */
  void leaderChanged(int leader) {
    carryOut(workflow.onLeader(leader));
  }

  /** The log's answer to the change command: the change took effect, was refused, or its outcome is unknown. */
  void answered(ChangeAnswered a) {
    ProposeReply reply = a.reply();
    Reconfiguration.Answer answer;
    if (reply instanceof Done d) {
      answer = new Reconfiguration.Done(a.sequence(), d.applied().result());
    } else if (reply instanceof Refused r) {
      answer = new Reconfiguration.LeaderRefused(a.sequence(), r.refusal().reason());
    } else if (reply instanceof TimedOut t) {
      answer = new Reconfiguration.NotChosen(a.sequence(), t.reachable(), t.members());
    } else if (reply instanceof Stopped st) {
      answer = new Reconfiguration.GroupStopped(st.reason());
    } else {
      throw new IllegalStateException("unknown answer " + reply);
    }
    carryOut(workflow.onAnswer(answer));
  }

  /** From the learner: the group's membership now. */
  void membershipNow(Membership now) {
    carryOut(workflow.onMembership(now, nanoTime.getAsLong()));
  }

  /** At the coordinator's sweep: asks again to vote or for the handover, or answers a change whose deadline passed. */
  void sweep(long now) {
    carryOut(workflow.onSweep(now));
  }

  /** The group's roles here stopped: the change under way is answered that its outcome is unknown. */
  void fail(String reason) {
    carryOut(workflow.onFailure(reason));
  }

  private void carryOut(List<Reconfiguration.Effect<ActorRef<MembershipReply>>> effects) {
    for (Reconfiguration.Effect<ActorRef<MembershipReply>> e : effects) {
      if (e instanceof Reconfiguration.Submit<ActorRef<MembershipReply>> s) {
        coordinator.submit(s.command(), s.deadline(), answersTo(s.command().sequence()));
      } else if (e instanceof Reconfiguration.Promote<ActorRef<MembershipReply>> p) {
        ctx.getLog().info("group '{}': node {} has caught up and asks to become a voter", config.group(), config.self());
        coordinator.submit(p.command(), p.deadline(), promotionAnswers);
      } else if (e instanceof Reconfiguration.HandOver<ActorRef<MembershipReply>> h) {
        coordinator.handOver(h.to());
      } else if (e instanceof Reconfiguration.Reply<ActorRef<MembershipReply>> r) {
        r.asker().tell(reply(r.outcome()));
      }
    }
  }

  /** The reply record that tells the asker {@code outcome}. */
  private static MembershipReply reply(Reconfiguration.Outcome outcome) {
    if (outcome instanceof Reconfiguration.Changed c) {
      return new MembershipChanged(c.membership());
    } else if (outcome instanceof Reconfiguration.Refused r) {
      return new MembershipRefused(r.reason(), switch (r.kind()) {
        case BAD_REQUEST -> RefusalKind.BAD_REQUEST;
        case CONFLICT -> RefusalKind.CONFLICT;
        case OVERLOADED -> RefusalKind.OVERLOADED;
        case UNAVAILABLE -> RefusalKind.UNAVAILABLE;
      });
    }
    return new MembershipTimedOut(((Reconfiguration.TimedOut) outcome).state());
  }
}
