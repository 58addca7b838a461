package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.GroupProtocol;
import io.synod.actors.GroupStatus;
import io.synod.actors.StateDigest;
import java.util.ArrayDeque;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;

/**
 * The status and digest asked of a group's coordinator while its roles run, answered through the
 * learner: the coordinator completes the learner's status (with how the roles have fared) before it
 * goes to whoever asked. The learner answers in the order it is asked, so the askers wait in a queue
 * rather than each behind an ask of its own (a Java ask's stage runs its callbacks on the common
 * pool, which on a machine of two cores starts a thread per call).
 */
final class LearnerQueries {

  /** The learner's status, for the oldest status asked. */
  record StatusAnswered(GroupStatus status) implements GroupCommand {}

  /** The learner's digest, for the oldest digest asked. */
  record DigestAnswered(StateDigest digest) implements GroupCommand {}

  private final ActorRef<GroupCommand> coordinator;
  private final ArrayDeque<ActorRef<GroupStatus>> statusAsked = new ArrayDeque<>();
  private final ArrayDeque<ActorRef<StatusReply<StateDigest>>> digestAsked = new ArrayDeque<>();
  private final ActorRef<GroupStatus> statusAnswers;
  private final ActorRef<StateDigest> digestAnswers;

  LearnerQueries(ActorContext<GroupCommand> ctx) {
    this.coordinator = ctx.getSelf();
    this.statusAnswers = ctx.messageAdapter(GroupStatus.class, StatusAnswered::new);
    this.digestAnswers = ctx.messageAdapter(StateDigest.class, DigestAnswered::new);
  }

  void askStatus(ActorRef<LearnerActor.Command> learner, int leader, ActorRef<GroupStatus> replyTo) {
    statusAsked.add(replyTo);
    learner.tell(new LearnerActor.AskStatus(leader, statusAnswers));
  }

  void askDigest(ActorRef<LearnerActor.Command> learner, ActorRef<StatusReply<StateDigest>> replyTo) {
    digestAsked.add(replyTo);
    learner.tell(new LearnerActor.AskDigest(digestAnswers));
  }

  /** Hands the learner's status, completed by {@code complete}, to the oldest asker. */
  void answered(StatusAnswered a, UnaryOperator<GroupStatus> complete) {
    ActorRef<GroupStatus> asked = statusAsked.poll();
    if (asked != null) {
      asked.tell(complete.apply(a.status()));
    }
  }

  void answered(DigestAnswered a) {
    ActorRef<StatusReply<StateDigest>> asked = digestAsked.poll();
    if (asked != null) {
      asked.tell(StatusReply.success(a.digest()));
    }
  }

  /**
   * The learner stopped before answering: everyone still waiting asks the coordinator again (which
   * answers itself while the roles are down); answers of the old learner still on their way find
   * no one.
   */
  void askAgain() {
    statusAsked.forEach(r -> coordinator.tell(new GroupProtocol.Status(r)));
    digestAsked.forEach(r -> coordinator.tell(new GroupProtocol.Digest(r)));
    statusAsked.clear();
    digestAsked.clear();
  }
}
