package io.synod.paxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.ClientCommand;
import io.synod.paxos.Membership;
import io.synod.paxos.Reconfiguration.Changed;
import io.synod.paxos.Reconfiguration.Op;
import io.synod.paxos.Reconfiguration.Refused;
import io.synod.paxos.Reconfiguration.Request;
import io.synod.paxos.Reconfiguration.TimedOut;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each check of the {@link ReconfigurationChecker} holds for a workflow that keeps its promises and
 * fails for one that breaks them, fed by hand: what the simulation would tell it.
 */
class ReconfigurationCheckerTest {

  private static final String G = "g0";
  private static final long DEADLINE = 1_000 * FaultMix.TICK;
  private static final Membership THREE = new Membership(0, List.of(0, 1, 2), List.of());
  private static final Membership TWO = new Membership(1, List.of(0, 2), List.of());
  private static final TimedOut TIMED_OUT = new TimedOut("too late");

  private final Checker checker = new Checker();
  private final ReconfigurationChecker reconfig = new ReconfigurationChecker(checker);

  @Test
  void aRequestAnsweredOnceInTimeWithAnAppliedMembershipPasses() {
    reconfig.membershipApplied(G, THREE);
    reconfig.membershipApplied(G, TWO);
    ask(1, 0, Op.REMOVE, 1, false);
    reconfig.started(1);
    reconfig.answered(1, 0, new Changed(TWO), DEADLINE - 1, 0);

    assertNull(checker.violation());
    assertFalse(reconfig.anyUnderWay());
    assertEquals(1, reconfig.changed);
  }

  @Test
  void aSecondAnswerIsCaught() {
    ask(1, 0, Op.ADD_VOTER, 1, false);
    reconfig.answered(1, 0, new Refused("a voter already", Refused.Kind.BAD_REQUEST), 0, 0);
    reconfig.answered(1, 0, new Refused("a voter already", Refused.Kind.BAD_REQUEST), 0, 0);

    assertViolation("answered once: node 0 answered request #1");
  }

  @Test
  void anAnswerLaterThanTheSlackIsCaughtUnlessTheNodeWasPausedPastTheDeadline() {
    ask(1, 0, Op.ADD_LEARNER, 3, false);
    reconfig.started(1);
    reconfig.answered(1, 0, TIMED_OUT, DEADLINE + ReconfigurationChecker.SLACK, DEADLINE + 1);
    assertNull(checker.violation(), "resumed after the deadline: the slack counts from then");

    ask(2, 1, Op.ADD_LEARNER, 3, false);
    reconfig.started(2);
    reconfig.answered(2, 1, TIMED_OUT, DEADLINE + ReconfigurationChecker.SLACK + 1, 0);
    assertViolation("more than " + ReconfigurationChecker.SLACK + " after its deadline");
  }

  @Test
  void aChangeStillUnansweredPastTheSlackAtARunningNodeIsCaught() {
    ask(1, 0, Op.ADD_LEARNER, 3, false);
    reconfig.started(1);
    reconfig.checkInTime(G, 0, DEADLINE + ReconfigurationChecker.SLACK, 0);
    assertNull(checker.violation());

    reconfig.checkInTime(G, 0, DEADLINE + ReconfigurationChecker.SLACK + 1, 0);
    assertViolation("has no answer");
  }

  @Test
  void aChangeLostInACrashIsNeverDueButMustNotBeAnsweredAfterwards() {
    ask(1, 0, Op.ADD_LEARNER, 3, false);
    reconfig.started(1);
    reconfig.crashed(0);
    reconfig.checkInTime(G, 0, DEADLINE * 10, 0);
    assertNull(checker.violation());
    assertEquals(1, reconfig.lost);
    assertFalse(reconfig.anyUnderWay());

    reconfig.answered(1, 0, TIMED_OUT, DEADLINE, 0);
    assertViolation("after it was lost in a crash");
  }

  @Test
  void aSecondChangeUnderWayAtOneNodeIsCaught() {
    ask(1, 0, Op.ADD_LEARNER, 3, false);
    reconfig.started(1);
    ask(2, 1, Op.ADD_LEARNER, 4, false);
    reconfig.started(2);
    assertNull(checker.violation(), "another node: its own change");

    ask(3, 0, Op.REMOVE, 2, false);
    reconfig.started(3);
    assertViolation("one change at a time: node 0 took request #3");
  }

  @Test
  void aChangeAnsweredWithAMembershipNoLearnerAppliedIsCaught() {
    reconfig.membershipApplied(G, THREE);
    ask(1, 0, Op.REMOVE, 1, false);
    reconfig.started(1);
    // The target of the change, not what the log made of it (its epoch is not the next one).
    reconfig.answered(1, 0, new Changed(THREE.removing(1)), 0, 0);

    assertViolation("which no learner of g0 applied");
  }

  @Test
  void removingTheLeaderWhileItStillLeadsIsCaught() {
    ask(1, 0, Op.REMOVE, 1, true);
    reconfig.started(1);
    reconfig.submitted(G, 0, removal(1), -1);

    assertViolation("hand over first: node 0 submitted the removal of n1, which led when request #1");
  }

  @Test
  void removingTheLeaderOnceAnotherNodeLeadsCountsAsALeaderRemoval() {
    reconfig.membershipApplied(G, TWO);
    ask(1, 0, Op.REMOVE, 1, true);
    reconfig.started(1);
    reconfig.submitted(G, 0, removal(1), 0);
    reconfig.answered(1, 0, new Changed(TWO), 0, 0);

    assertNull(checker.violation());
    assertEquals(1, reconfig.leaderRemovals);
  }

  @Test
  void removingANodeThatDidNotLeadNeedsNoHandover() {
    ask(1, 0, Op.REMOVE, 1, false);
    reconfig.started(1);
    reconfig.submitted(G, 0, removal(1), 1);

    assertNull(checker.violation());
  }

  private void ask(long id, int at, Op op, int node, boolean removesLeader) {
    reconfig.asked(id, G, at, new Request<>(op, node, DEADLINE, id), removesLeader);
  }

  private static ClientCommand removal(int node) {
    return ClientCommand.membership(7, 1, new Membership.Change(0, THREE.removing(node)));
  }

  private void assertViolation(String part) {
    assertTrue(checker.violation() != null && checker.violation().contains(part),
        () -> "expected a violation with '" + part + "', got " + checker.violation());
  }
}
