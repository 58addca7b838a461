package io.synod.paxos;

import java.util.ArrayList;
import java.util.List;

/**
 * The workflow of a membership change asked at one node (docs/protocol.md, "Membership changes"),
 * and that node's own promotion from catching-up learner to voter. The log decides every change
 * ({@link Membership#apply}); this class decides what a node asks of the log and what it answers the
 * operator, as a pure function of its inputs, so the actor shell and the simulator run the same
 * workflow.
 *
 * <p>One change at a time per node. A change goes {@link Phase#IDLE} → ({@link Phase#HANDING_OVER}
 * →) {@link Phase#SUBMITTED} (→ {@link Phase#AWAITING_PROMOTION}) → {@link Phase#IDLE}: a bad request
 * or a second one while one is under way is refused at once; removing the leader hands leadership to
 * a remaining voter first (asked again at every sweep) and submits the removal once another node
 * leads; the change is submitted as a membership {@link ClientCommand} of this node's own admin
 * session; a voter added as a learner first is answered once it is a voter. Every change is answered
 * exactly once: by the log's answer, at its deadline saying how far it got, or when the group's roles
 * here fail.
 *
 * <p>Self-promotion: while the membership names this node as catching up (its learner applied the
 * change that added it, so it holds the group's history up to there), it asks to become a voter
 * itself, again every retry interval until it is one. Its effect shows in the membership, so the
 * answer to that command is not needed.
 *
 * <p>Inputs are method calls, each returning the {@link Effect}s the caller carries out, in order.
 * Time is a {@code long now} in the caller's units (nanoseconds in the shell, ticks in the
 * simulator), compared as {@code now - deadline >= 0}; the retry interval is in the same units. The
 * caller picks the admin session's client id (from its own source of randomness); this class
 * numbers its commands 1, 2, 3, ...
 *
 * @param <A> how the caller answers whoever asked for a change (a reply address, an operation id),
 *     opaque here and handed back in {@link Reply}
 */
public final class Reconfiguration<A> {

  /** What a membership change asks for. */
  public enum Op {
    /** Add a node as a learner that becomes a voter once it has caught up. */
    ADD_VOTER,
    /** Add a node as a learner only. */
    ADD_LEARNER,
    /** Remove a voter or a learner. */
    REMOVE
  }

  /** A change asked at this node, to be answered (at {@code deadline} at the latest) through {@code asker}. */
  public record Request<A>(Op op, int node, long deadline, A asker) {
    public Request {
      if (op == null) {
        throw new IllegalArgumentException("a membership change needs an op");
      }
    }
  }

  /** Where the change asked at this node stands. */
  public enum Phase {
    /** No change under way: the next request is taken. */
    IDLE,
    /** Removing the leader: waiting for leadership to move to another voter before submitting. */
    HANDING_OVER,
    /** The change command is submitted; waiting for the log's answer. */
    SUBMITTED,
    /** The log added the node as a learner; waiting for it to catch up and become a voter. */
    AWAITING_PROMOTION
  }

  /** How a change ended, as this node saw it. */
  public sealed interface Outcome permits Changed, Refused, TimedOut {}

  /** The change took effect: the group's membership is now {@code membership}. */
  public record Changed(Membership membership) implements Outcome {}

  /** The change was refused and nothing changed: {@code reason} says why, {@code kind} what sort of refusal. */
  public record Refused(String reason, Kind kind) implements Outcome {

    /** Why a change was refused. */
    public enum Kind {
      /** The request itself is wrong (unknown node, a voter already, the last voter). */
      BAD_REQUEST,
      /** Another change is under way here, or overtook this one. */
      CONFLICT,
      /** The leader refused the command (too much waiting): ask again later. */
      OVERLOADED,
      /** The group stopped. */
      UNAVAILABLE
    }
  }

  /** The change did not complete by its deadline; {@code state} says how far it got. */
  public record TimedOut(String state) implements Outcome {}

  /** What the caller carries out. */
  public sealed interface Effect<A> permits Submit, Promote, HandOver, Reply {}

  /**
   * Have the leader order {@code command} (re-submitted now and then), answering by {@code
   * deadline} at the latest; its answer comes back through {@link #onAnswer}.
   */
  public record Submit<A>(ClientCommand command, long deadline) implements Effect<A> {}

  /**
   * Have the leader order {@code command}, this node's request to become a voter, until {@code
   * deadline}; its answer is not needed (the membership shows its effect, and it is asked again).
   */
  public record Promote<A>(ClientCommand command, long deadline) implements Effect<A> {}

  /** Ask the proposer to hand leadership to node {@code to}. */
  public record HandOver<A>(int to) implements Effect<A> {}

  /** Answer {@code asker}: its change ended with {@code outcome}. */
  public record Reply<A>(A asker, Outcome outcome) implements Effect<A> {}

  /**
   * The answer to a command of a {@link Submit}. Every answer but {@link GroupStopped} names the
   * command's {@code sequence}: an answer to an earlier command, arriving after its change was
   * already answered (at its deadline) and the next change submitted, must not answer that one.
   */
  public sealed interface Answer permits Done, LeaderRefused, NotChosen, GroupStopped {}

  /**
   * Command {@code sequence} reached the log: {@code result} is its {@link
   * Membership.Outcome#result()}, or null if it was answered without one (the session had moved
   * past it).
   */
  public record Done(long sequence, byte[] result) implements Answer {}

  /** The leader refused to carry command {@code sequence}. */
  public record LeaderRefused(long sequence, Refusal.Reason reason) implements Answer {}

  /**
   * Command {@code sequence} was not chosen by its deadline; {@code reachable} of {@code members}
   * voters were heard from recently.
   */
  public record NotChosen(long sequence, int reachable, int members) implements Answer {}

  /** The group stopped before the command was answered. */
  public record GroupStopped(String reason) implements Answer {}

  private final String group;
  private final int self;
  private final long clientId;
  private final long retryInterval;
  private Membership membership;
  private int leader = -1;
  private Phase phase = Phase.IDLE;
  /** The change under way; null exactly when {@link #phase} is idle. */
  private Request<A> request;
  /** Where leadership goes before the leader is removed; meaningful while handing over. */
  private int handOverTo = -1;
  /** The sequence of this node's last admin command: its operator changes and its promotions share the session. */
  private long lastSequence;
  /** The sequence of the change command submitted last (answers to others are late). */
  private long submitted;
  /** When this node last asked to become a voter (it asks at most every retry interval). */
  private long promotionAskedAt = Long.MIN_VALUE / 2;

  /**
   * The workflow of node {@code config.self()} of group {@code config.group()}, from the group's
   * initial membership, its commands in session {@code clientId}; a learner that has caught up asks
   * to vote again every {@code retryInterval}.
   */
  public Reconfiguration(GroupConfig config, long clientId, long retryInterval) {
    if (retryInterval < 1) {
      throw new IllegalArgumentException("retryInterval must be >= 1, got " + retryInterval);
    }
    this.group = config.group();
    this.self = config.self();
    this.clientId = clientId;
    this.retryInterval = retryInterval;
    this.membership = config.initialMembership();
  }

  /** The group's membership as this node's learner last applied it. */
  public Membership membership() {
    return membership;
  }

  /** Where the change asked at this node stands. */
  public Phase phase() {
    return phase;
  }

  /** Whether a change asked at this node waits for its answer. */
  public boolean underWay() {
    return phase != Phase.IDLE;
  }

  /**
   * A change is asked at this node, which has addresses for {@code knownNodes}: it is refused at
   * once, or starts (by handing leadership over, or by submitting the change).
   */
  public List<Effect<A>> onAsked(Request<A> r, List<Integer> knownNodes) {
    if (!knownNodes.contains(r.node())) {
      return refuse(r, "node " + r.node() + " is unknown: this node has addresses for " + knownNodes + " only",
          Refused.Kind.BAD_REQUEST);
    }
    if (request != null) {
      return refuse(r, "a change (" + request.op() + " node " + request.node()
          + ") is under way; ask again once it has ended", Refused.Kind.CONFLICT);
    }
    Membership target;
    try {
      target = target(r);
    } catch (IllegalArgumentException e) {
      return refuse(r, e.getMessage() + "; membership: " + membership, Refused.Kind.BAD_REQUEST);
    }
    request = r;
    if (r.op() == Op.REMOVE && r.node() == leader && membership.isVoter(r.node())) {
      phase = Phase.HANDING_OVER;
      handOverTo = target.voters().contains(self) ? self : target.voters().get(0);
      return List.of(new HandOver<>(handOverTo));
    }
    phase = Phase.SUBMITTED;
    return List.of(submit(target, r.deadline()));
  }

  private Membership target(Request<A> r) {
    return switch (r.op()) {
      case ADD_VOTER -> membership.adding(r.node(), true);
      case ADD_LEARNER -> membership.adding(r.node(), false);
      case REMOVE -> membership.removing(r.node());
    };
  }

  private List<Effect<A>> refuse(Request<A> r, String why, Refused.Kind kind) {
    return List.of(new Reply<>(r.asker(), new Refused("group '" + group + "': " + why, kind)));
  }

  /**
   * This node now sees {@code leader} lead (-1: none): a leader being removed that has handed over
   * is removed now, against the membership as it is now.
   */
  public List<Effect<A>> onLeader(int leader) {
    this.leader = leader;
    if (phase != Phase.HANDING_OVER || leader < 0 || leader == request.node()) {
      return List.of();
    }
    phase = Phase.SUBMITTED;
    try {
      return List.of(submit(membership.removing(request.node()), request.deadline()));
    } catch (IllegalArgumentException e) {
      return end(new Refused("group '" + group + "': " + e.getMessage() + "; membership: " + membership,
          Refused.Kind.BAD_REQUEST));
    }
  }

  /**
   * The answer to the submitted change command: the change took effect (for a voter added as a
   * learner first: once it is a voter), was refused, or its outcome is unknown. An answer while no
   * command is submitted, or to another command than the one submitted, answers nothing (it belongs
   * to a change already answered).
   */
  public List<Effect<A>> onAnswer(Answer a) {
    if (phase != Phase.SUBMITTED || !answers(a, submitted)) {
      return List.of();
    }
    if (a instanceof Done d && d.result() != null) {
      return onApplied(Membership.Outcome.ofResult(d.result()));
    } else if (a instanceof Done) {
      return end(new TimedOut("the change reached the log after this node's session had moved past it; it"
          + " was not answered (membership now: " + membership + ")"));
    } else if (a instanceof LeaderRefused r) {
      return end(new Refused("group '" + group + "': the leader refused the change: " + r.reason(),
          Refused.Kind.OVERLOADED));
    } else if (a instanceof NotChosen t) {
      return end(new TimedOut("the change was not chosen in time (" + t.reachable() + " of " + t.members()
          + " voters reachable); it may still be"));
    } else if (a instanceof GroupStopped s) {
      return end(new Refused("group '" + group + "' stopped: " + s.reason(), Refused.Kind.UNAVAILABLE));
    }
    throw new IllegalStateException("unknown answer " + a);
  }

  private List<Effect<A>> onApplied(Membership.Outcome o) {
    if (o.refusal() != null) {
      return end(new Refused("group '" + group + "': " + o.refusal(), Refused.Kind.CONFLICT));
    }
    if (request.op() == Op.ADD_VOTER && !o.membership().isVoter(request.node())) {
      // It joined as a learner; it asks to vote itself once caught up (it may have already).
      phase = Phase.AWAITING_PROMOTION;
      return membership.isVoter(request.node()) ? end(new Changed(membership)) : List.of();
    }
    return end(new Changed(o.membership()));
  }

  /**
   * From the learner, at {@code now}: the group's membership now. A voter awaited is answered, and
   * this node, if it has caught up, asks to become a voter.
   */
  public List<Effect<A>> onMembership(Membership membership, long now) {
    this.membership = membership;
    List<Effect<A>> answered = phase == Phase.AWAITING_PROMOTION && membership.isVoter(request.node())
        ? end(new Changed(membership)) : List.of();
    return concat(answered, askToVoteIfCaughtUp(now));
  }

  /**
   * At {@code now}, now and then while anything waits: this node asks again to become a voter if it
   * still should, asks again for the handover, or answers a change whose deadline passed.
   */
  public List<Effect<A>> onSweep(long now) {
    List<Effect<A>> promotion = askToVoteIfCaughtUp(now);
    if (request == null) {
      return promotion;
    }
    if (now - request.deadline() < 0) {
      // Asked again: the request or the leader's handover may have been lost.
      return phase == Phase.HANDING_OVER ? concat(promotion, List.of(new HandOver<>(handOverTo))) : promotion;
    }
    return concat(promotion, end(new TimedOut(howFarItGot())));
  }

  /** What a change whose deadline passed is answered, by where it stands. */
  private String howFarItGot() {
    return switch (phase) {
      case HANDING_OVER -> "node " + request.node() + " still leads: leadership did not move to node " + handOverTo
          + " in time, and nothing was changed";
      case AWAITING_PROMOTION -> "node " + request.node() + " was added as a learner but has not caught up and"
          + " become a voter yet; it will once it has (membership now: " + membership + ")";
      case SUBMITTED -> "the change was not chosen in time; it may still be (membership now: " + membership + ")";
      case IDLE -> throw new IllegalStateException("no change under way");
    };
  }

  /**
   * The group's roles on this node stopped ({@code reason} says why): the change under way is
   * answered that its outcome is unknown, and this node knows no leader until its roles run again.
   */
  public List<Effect<A>> onFailure(String reason) {
    leader = -1;
    if (request == null) {
      return List.of();
    }
    return end(new Refused(reason + "; the change may or may not take effect", Refused.Kind.UNAVAILABLE));
  }

  /** Answers the change under way with {@code outcome}: the next request is taken. */
  private List<Effect<A>> end(Outcome outcome) {
    Reply<A> reply = new Reply<>(request.asker(), outcome);
    request = null;
    phase = Phase.IDLE;
    handOverTo = -1;
    return List.of(reply);
  }

  /** A learner named as catching up asks to become a voter: at once, then every retry interval until it is one. */
  private List<Effect<A>> askToVoteIfCaughtUp(long now) {
    if (!membership.catchingUp().contains(self) || now - promotionAskedAt < retryInterval) {
      return List.of();
    }
    promotionAskedAt = now;
    return List.of(new Promote<>(command(membership.promoting(self)), now + retryInterval * 10));
  }

  /** A change from the current membership to {@code target}, as a command of this node's own session. */
  private Submit<A> submit(Membership target, long deadline) {
    ClientCommand c = command(target);
    submitted = c.sequence();
    return new Submit<>(c, deadline);
  }

  /** Whether {@code a} answers command {@code sequence} (a stopped group answers every command). */
  private static boolean answers(Answer a, long sequence) {
    if (a instanceof Done d) {
      return d.sequence() == sequence;
    } else if (a instanceof LeaderRefused r) {
      return r.sequence() == sequence;
    } else if (a instanceof NotChosen t) {
      return t.sequence() == sequence;
    }
    return true;
  }

  private ClientCommand command(Membership target) {
    return ClientCommand.membership(clientId, ++lastSequence, new Membership.Change(membership.epoch(), target));
  }

  private static <A> List<Effect<A>> concat(List<Effect<A>> first, List<Effect<A>> second) {
    if (first.isEmpty()) {
      return second;
    }
    if (second.isEmpty()) {
      return first;
    }
    List<Effect<A>> all = new ArrayList<>(first);
    all.addAll(second);
    return List.copyOf(all);
  }
}
