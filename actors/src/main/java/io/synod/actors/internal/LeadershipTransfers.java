package io.synod.actors.internal;

import io.synod.actors.GroupProtocol.TransferLeadership;
import io.synod.actors.GroupProtocol.TransferRefused;
import io.synod.actors.GroupProtocol.TransferTimedOut;
import io.synod.actors.GroupProtocol.TransferUnavailable;
import io.synod.actors.GroupProtocol.Transferred;
import io.synod.paxos.Membership;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The leadership transfers asked at one group's coordinator on this node ({@code
 * GroupProtocol.TransferLeadership}), from the request until the named node leads, the deadline
 * passes or the roles stop: which requests wait, and the answer each gets. The handover itself is
 * the core's ({@code Handover}); this only asks the proposer for it, through {@code handOver}, and
 * asks again at every sweep, since the request or the leader's {@code TimeoutNow} may have been
 * lost, or the handover timed out and a third node was elected (a leader already handing over
 * ignores it).
 */
final class LeadershipTransfers {

  private final String group;
  private final IntConsumer handOver;
  private final List<TransferLeadership> waiting = new ArrayList<>();

  /** {@code handOver} asks this node's proposer to hand leadership to a node. */
  LeadershipTransfers(String group, IntConsumer handOver) {
    this.group = group;
    this.handOver = handOver;
  }

  /**
   * A request {@code t}, the group having {@code membership} and this node seeing {@code leader}
   * lead: answered at once if it cannot be carried out or is done already; otherwise it waits and
   * the proposer is asked.
   */
  void ask(TransferLeadership t, Membership membership, int leader) {
    if (!membership.isVoter(t.to())) {
      t.replyTo().tell(new TransferRefused("node " + t.to() + " is not a voting member of group '" + group
          + "', whose voters are " + membership.voters()));
    } else if (t.to() == leader) {
      t.replyTo().tell(new Transferred(leader));
    } else if (waiting.stream().anyMatch(other -> other.to() != t.to())) {
      t.replyTo().tell(new TransferRefused("a handover of group '" + group + "' to node " + waiting.get(0).to()
          + " is under way; ask again once it has ended"));
    } else {
      waiting.add(t);
      handOver.accept(t.to());
    }
  }

  /** This node now sees {@code leader} lead: the requests naming it are done. */
  void leaderIs(int leader) {
    waiting.removeIf(t -> {
      if (t.to() == leader) {
        t.replyTo().tell(new Transferred(leader));
        return true;
      }
      return false;
    });
  }

  /** At the coordinator's sweep: a request past its deadline is answered as timed out, the others asked again. */
  void sweep(long now, int leader) {
    waiting.removeIf(t -> {
      if (now - t.deadlineNanos() >= 0) {
        t.replyTo().tell(new TransferTimedOut(t.to(), leader));
        return true;
      }
      handOver.accept(t.to());
      return false;
    });
  }

  /** The roles stopped: every waiting request is told {@code reason}. */
  void fail(String reason) {
    waiting.forEach(t -> t.replyTo().tell(new TransferUnavailable(reason)));
    waiting.clear();
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }
}
