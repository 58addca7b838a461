package io.synod.actors.internal;

import io.synod.paxos.Message;
import io.synod.paxos.Outbound;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Where the messages of one group's roles go: to a role on this node by its mailbox, to another
 * node through its gateway. The coordinator fills in its children right after spawning them. The
 * children run concurrently with that, so a message routed to a role in the instant before (none
 * is expected: roles speak first on a timer or when spoken to) is dropped, which the protocol
 * tolerates like any lost message.
 */
final class GroupRoutes {

  private final int self;
  private final Consumer<Outbound> remote;
  private volatile ActorRef<AcceptorActor.Command> acceptor;
  private volatile ActorRef<ProposerActor.Command> proposer;
  private volatile ActorRef<LearnerActor.Command> learner;

  GroupRoutes(int self, Consumer<Outbound> remote) {
    this.self = self;
    this.remote = remote;
  }

  void connect(ActorRef<AcceptorActor.Command> acceptor, ActorRef<ProposerActor.Command> proposer,
      ActorRef<LearnerActor.Command> learner) {
    this.acceptor = acceptor;
    this.proposer = proposer;
    this.learner = learner;
  }

  void send(Outbound o) {
    if (o.to() == self) {
      deliverHere(o.message());
    } else {
      remote.accept(o);
    }
  }

  /** A message for one of this node's roles, by the role it is addressed to. */
  void deliverHere(Message m) {
    // Null only for the instant between spawning the roles and connecting them; the protocol
    // tolerates a lost message.
    if (m instanceof Message.ToAcceptor a) {
      ActorRef<AcceptorActor.Command> to = acceptor;
      if (to != null) {
        to.tell(new AcceptorActor.Deliver(a));
      }
    } else if (m instanceof Message.ToProposer p) {
      ActorRef<ProposerActor.Command> to = proposer;
      if (to != null) {
        to.tell(new ProposerActor.Deliver(p));
      }
    } else if (m instanceof Message.ToLearner l) {
      ActorRef<LearnerActor.Command> to = learner;
      if (to != null) {
        to.tell(new LearnerActor.Deliver(l));
      }
    } else {
      throw new IllegalArgumentException("no role handles " + m);
    }
  }
}
