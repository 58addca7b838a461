package io.synod.paxos.sim;

import io.synod.paxos.ClientCommand;
import io.synod.paxos.Membership;
import io.synod.paxos.Reconfiguration.Answer;
import io.synod.paxos.Reconfiguration.Effect;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The membership-change workflow of one group on one node, with what its shell ({@link
 * SimMembership}) keeps beside it, as the actor shell's coordinator does: the leader and the
 * membership last told to it, when it was last swept, the commands it submitted that wait for an
 * answer, and the answers and effects not handled yet. All of it lives in memory: a crash loses it,
 * and a restart begins a new one.
 */
final class ReplicaWorkflow {

  /** A submitted command: submitted again every retry interval until answered or its deadline passes. */
  static final class Waiting {
    final ClientCommand command;
    final long deadline;
    /** False for a promotion, whose answer nobody needs (the membership shows its effect). */
    final boolean answerWanted;
    long lastSent;

    Waiting(ClientCommand command, long deadline, boolean answerWanted, long lastSent) {
      this.command = command;
      this.deadline = deadline;
      this.answerWanted = answerWanted;
      this.lastSent = lastSent;
    }
  }

  final MembershipWorkflow workflow;
  /** The admin session of this incarnation: every command of the workflow is one of its. */
  final long clientId;
  /** The leader last told to the workflow (-1: none). */
  int leader = -1;
  /** The membership last told to the workflow; null before the first. */
  Membership membership;
  long lastSweep;
  /** The commands waiting for an answer, by sequence, in the order they were submitted. */
  final Map<Long, Waiting> waiting = new LinkedHashMap<>();
  /** Answers from the node's roles, handed to the workflow once the decision that gave them is carried out. */
  final ArrayDeque<Answer> answers = new ArrayDeque<>();
  /** The workflow's effects not carried out yet, in order. */
  final ArrayDeque<Effect<Long>> effects = new ArrayDeque<>();
  /** True while effects are being carried out: what they cause queues behind them, as in a mailbox. */
  boolean carryingOut;

  ReplicaWorkflow(MembershipWorkflow workflow, long clientId, long now) {
    this.workflow = workflow;
    this.clientId = clientId;
    this.lastSweep = now;
  }
}
