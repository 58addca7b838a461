package io.synod.actors;

import io.synod.paxos.Applied;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Membership;
import io.synod.paxos.ReadOutcome;
import io.synod.paxos.Refusal;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a group's actor answers, on one screen: every {@link Request} an application may send the
 * actor spawned from {@link SynodGroup#behavior}, and the replies it sends back. A {@link
 * GroupClient} speaks it for Java callers (and is the easier way: sessions, codecs and typed
 * failures); an actor may send these messages itself. Each request carries its {@code replyTo}; a
 * request that asks a question is answered, also while the group's roles on this node restart after
 * a failure (then at once, saying so), except while the group is still registering with its node:
 * then only a {@link Propose} is answered if the group cannot start. The messages are local: the sender runs in the group actor's own actor system,
 * and they have no wire format. The group's other messages (from its roles, the node's gateway and
 * its peers) are Synod's own and not part of this protocol.
 */
public final class GroupProtocol {

  private GroupProtocol() {}

  /** Every request a group's actor takes from an application. */
  public sealed interface Request extends GroupCommand {}

  // ---- commands and reads ----

  /**
   * Apply a command of a client's exactly-once session ({@code command}'s client id and sequence);
   * the answer is a {@link ProposeReply}, at the latest at {@code deadlineNanos} ({@code
   * System.nanoTime}). The group re-submits the command until then, which the session makes harmless.
   * The command's payload is what the group's state machine gets, framed as {@link PayloadFormat}
   * says ({@link GroupClient} does it). A membership change is not a command: it goes through {@link
   * ChangeMembership}, whose workflow keeps changes one at a time and hands leadership over first.
   */
  public record Propose(ClientCommand command, long deadlineNanos, ActorRef<ProposeReply> replyTo) implements Request {
    public Propose {
      Objects.requireNonNull(command, "command");
      Objects.requireNonNull(replyTo, "replyTo");
      if (command.membershipChange()) {
        throw new IllegalArgumentException("a membership change goes through ChangeMembership, not Propose: "
            + command);
      }
    }
  }

  /** How a {@link Propose} ended: applied (or answered again, or expired), refused, timed out, or stopped. */
  public sealed interface ProposeReply {}

  /** The command reached the log: {@code applied} holds its result, or says it expired from its session's window. */
  public record Done(Applied applied) implements ProposeReply {}

  /** The leader refused the command (too much waiting); {@code refusal} names the leader it knows. */
  public record Refused(Refusal refusal) implements ProposeReply {}

  /** No answer by the deadline; {@code reachable} of the {@code members} voters (this one included) were heard from recently. */
  public record TimedOut(int reachable, int members) implements ProposeReply {}

  /** The group's roles on this node are down (restarting, or stopped for good): {@code reason} says why. */
  public record Stopped(String reason) implements ProposeReply, ReadReply {}

  /**
   * A linearizable read of {@code query}, answered by this node: at once if it leads under its
   * lease, otherwise once the leader gave it a read index and it applied that far (ReadIndex). The
   * answer is a {@link ReadReply}: a {@link ReadResult} whose outcome is not served (with a leader
   * hint) when no leader gave a read index in time, which the client asks again; {@link Stopped}
   * while the group's roles on this node are down.
   */
  public record Read(byte[] query, long deadlineNanos, ActorRef<ReadReply> replyTo) implements Request {
    public Read {
      Objects.requireNonNull(query, "query");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** What a {@link Read} gets. */
  public sealed interface ReadReply {}

  /** The read's outcome: served with the state machine's answer, or not (ask again). */
  public record ReadResult(ReadOutcome outcome) implements ReadReply {}

  /**
   * A read of this node's state as it is, possibly stale, answered at once by its learner (not
   * served while the roles restart).
   */
  public record ReadLocal(byte[] query, ActorRef<ReadOutcome> replyTo) implements Request {
    public ReadLocal {
      Objects.requireNonNull(query, "query");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  // ---- what this node knows ----

  /** Which node this node believes leads the group (itself included), or -1 if it knows none. */
  public record Leader(ActorRef<Integer> replyTo) implements Request {
    public Leader {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Every instance below the answer is applied to this node's state machine; -1 while the roles restart. */
  public record AppliedThrough(ActorRef<Long> replyTo) implements Request {
    public AppliedThrough {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** This node's view of the group, answered also while its roles restart. */
  public record Status(ActorRef<GroupStatus> replyTo) implements Request {
    public Status {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** A checksum of this node's replicated state, with the instance it reflects; an error while the roles restart. */
  public record Digest(ActorRef<StatusReply<StateDigest>> replyTo) implements Request {
    public Digest {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** The group's membership as this node's learner applied it. */
  public record GetMembership(ActorRef<Membership> replyTo) implements Request {
    public GetMembership {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  // ---- leadership ----

  /**
   * Tell {@code watcher} this node's view of the leadership now and at every change, until it stops
   * or is unwatched ({@link Leadership#watch}).
   */
  public record WatchLeadership(ActorRef<Leadership> watcher) implements Request {
    public WatchLeadership {
      Objects.requireNonNull(watcher, "watcher");
    }
  }

  /** Stop telling {@code watcher} ({@link Leadership#unwatch}). */
  public record UnwatchLeadership(ActorRef<Leadership> watcher) implements Request {
    public UnwatchLeadership {
      Objects.requireNonNull(watcher, "watcher");
    }
  }

  /**
   * Hand leadership to member {@code to}: asked at any node, carried out by the leader. The answer
   * comes once this node sees {@code to} lead, or at {@code deadlineNanos} at the latest.
   */
  public record TransferLeadership(int to, long deadlineNanos, ActorRef<TransferReply> replyTo) implements Request {
    public TransferLeadership {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** How a leadership transfer ended, as this node saw it. */
  public sealed interface TransferReply {}

  /** Node {@code leader} leads now. */
  public record Transferred(int leader) implements TransferReply {}

  /** The request was refused, changing nothing: {@code reason} says why. */
  public record TransferRefused(String reason) implements TransferReply {}

  /** {@code to} did not take over by the deadline; {@code leader} leads as far as this node knows (-1: none). */
  public record TransferTimedOut(int to, int leader) implements TransferReply {}

  /** The group's roles on this node are down (restarting, or stopped): {@code reason} says why. */
  public record TransferUnavailable(String reason) implements TransferReply {}

  // ---- a group stopped for good ----

  /**
   * Start the group's roles on this node again after replicas were found to diverge, which stopped
   * it here for good, also across restarts (its status names the reason in {@code stopped}). The
   * operator asks it once they know this node's replica is right, or has had it repaired: the group
   * restarts from its checkpoint and journal, and stops again if its chain still disagrees.
   */
  public record Resume(ActorRef<ResumeReply> replyTo) implements Request {
    public Resume {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Whether the group was resumed; {@code detail} says what happened, or why nothing did. */
  public record ResumeReply(boolean resumed, String detail) {}

  // ---- membership ----

  /** What a membership change asks for. */
  public enum MembershipOp {
    /** Add a node as a learner that becomes a voter once it has caught up. */
    ADD_VOTER,
    /** Add a node as a learner only. */
    ADD_LEARNER,
    /** Remove a voter or a learner. */
    REMOVE
  }

  /**
   * Change the group's membership through its log: asked at any node. The answer comes once the
   * change took effect here (for {@link MembershipOp#ADD_VOTER}: once the node caught up and became
   * a voter), or at {@code deadlineNanos} at the latest.
   */
  public record ChangeMembership(MembershipOp op, int node, long deadlineNanos, ActorRef<MembershipReply> replyTo)
      implements Request {
    public ChangeMembership {
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** How a membership change ended, as this node saw it. */
  public sealed interface MembershipReply {}

  /** The change took effect: the group's membership is now {@code membership}. */
  public record MembershipChanged(Membership membership) implements MembershipReply {}

  /** The change was refused and nothing changed: {@code reason} says why, {@code kind} what sort of refusal. */
  public record MembershipRefused(String reason, RefusalKind kind) implements MembershipReply {}

  /** The change did not complete by its deadline; {@code state} says how far it got. */
  public record MembershipTimedOut(String state) implements MembershipReply {}

  /** Why a membership change was refused. */
  public enum RefusalKind {
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
