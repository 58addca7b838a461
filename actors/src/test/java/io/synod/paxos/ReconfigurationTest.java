package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.synod.paxos.Reconfiguration.Answer;
import io.synod.paxos.Reconfiguration.Changed;
import io.synod.paxos.Reconfiguration.Done;
import io.synod.paxos.Reconfiguration.Effect;
import io.synod.paxos.Reconfiguration.HandOver;
import io.synod.paxos.Reconfiguration.Op;
import io.synod.paxos.Reconfiguration.Phase;
import io.synod.paxos.Reconfiguration.Promote;
import io.synod.paxos.Reconfiguration.Refused;
import io.synod.paxos.Reconfiguration.Reply;
import io.synod.paxos.Reconfiguration.Request;
import io.synod.paxos.Reconfiguration.Submit;
import io.synod.paxos.Reconfiguration.TimedOut;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The membership-change workflow of one node, without actors: every path a change asked there can
 * take (refused at once, submitted, handed over first, awaiting promotion, answered by the log, by
 * its deadline, by a failure), and a caught-up learner's own promotion. The log is played by hand:
 * a submitted change is applied with {@link Membership#apply} and its result fed back.
 */
class ReconfigurationTest {

  private static final String GROUP = "g";
  private static final List<Integer> KNOWN = List.of(0, 1, 2, 3);
  private static final long CLIENT = 42;
  private static final long RETRY = 10;
  private static final long DEADLINE = 1_000;
  private static final Membership THREE = new Membership(0, List.of(0, 1, 2), List.of());

  private final Reconfiguration<String> node0 = new Reconfiguration<>(config(0), CLIENT, RETRY);

  @Test
  void refusesANodeThisNodeHasNoAddressFor() {
    List<Effect<String>> effects = node0.onAsked(request(Op.ADD_VOTER, 9, "op"), KNOWN);

    assertEquals(List.of(new Reply<>("op", new Refused(
        "group 'g': node 9 is unknown: this node has addresses for [0, 1, 2, 3] only", Refused.Kind.BAD_REQUEST))),
        effects);
    assertEquals(Phase.IDLE, node0.phase());
  }

  @Test
  void refusesWhatTheMembershipRejectsNamingTheMembership() {
    assertEquals(List.of(new Reply<>("voter", new Refused("group 'g': node 1 is a voter already; membership: "
        + THREE, Refused.Kind.BAD_REQUEST))), node0.onAsked(request(Op.ADD_VOTER, 1, "voter"), KNOWN));
    assertEquals(List.of(new Reply<>("stranger", new Refused("group 'g': node 3 is neither a voter nor a learner;"
        + " membership: " + THREE, Refused.Kind.BAD_REQUEST))), node0.onAsked(request(Op.REMOVE, 3, "stranger"), KNOWN));
    Reconfiguration<String> alone = new Reconfiguration<>(GroupConfig.builder(GROUP, 0, List.of(0)).build(), CLIENT,
        RETRY);
    Refused last = refusal(alone.onAsked(request(Op.REMOVE, 0, "last"), List.of(0)));
    assertTrue(last.reason().contains("node 0 is the last voter"), last.reason());
    assertEquals(Phase.IDLE, node0.phase());
  }

  @Test
  void refusesASecondChangeWhileOneIsUnderWayAndCarriesOnWithTheFirst() {
    Submit<String> first = submit(node0.onAsked(request(Op.ADD_LEARNER, 3, "first"), KNOWN));

    assertEquals(List.of(new Reply<>("second", new Refused(
        "group 'g': a change (ADD_LEARNER node 3) is under way; ask again once it has ended", Refused.Kind.CONFLICT))),
        node0.onAsked(request(Op.REMOVE, 2, "second"), KNOWN));
    assertEquals(Phase.SUBMITTED, node0.phase());
    Membership after = apply(THREE, first);
    assertEquals(List.of(new Reply<>("first", new Changed(after))), node0.onAnswer(done(THREE, first)));
  }

  @Test
  void addsALearnerThroughTheLogAndAnswersWithTheNewMembership() {
    Submit<String> s = submit(node0.onAsked(request(Op.ADD_LEARNER, 3, "op"), KNOWN));

    assertEquals(DEADLINE, s.deadline());
    assertEquals(CLIENT, s.command().clientId());
    assertTrue(s.command().membershipChange());
    Membership.Change change = Membership.Change.decode(s.command().payload());
    assertEquals(0, change.expectedEpoch());
    assertEquals(new Membership(0, List.of(0, 1, 2), List.of(3)), change.target());
    List<Effect<String>> answered = node0.onAnswer(done(THREE, s));
    assertEquals(List.of(new Reply<>("op", new Changed(new Membership(1, List.of(0, 1, 2), List.of(3))))), answered);
    assertEquals(Phase.IDLE, node0.phase());
  }

  @Test
  void anAddedVoterIsAnsweredOnlyOnceItHasBecomeAVoter() {
    Submit<String> s = submit(node0.onAsked(request(Op.ADD_VOTER, 3, "op"), KNOWN));
    Membership catchingUp = apply(THREE, s);
    assertEquals(List.of(3), catchingUp.catchingUp());

    assertEquals(List.of(), node0.onAnswer(done(THREE, s)), "added as a learner: not answered yet");
    assertEquals(Phase.AWAITING_PROMOTION, node0.phase());
    assertEquals(List.of(), node0.onMembership(catchingUp, 0), "still catching up");
    Membership promoted = catchingUp.apply(new Membership.Change(1, catchingUp.promoting(3))).membership();
    assertEquals(List.of(new Reply<>("op", new Changed(promoted))), node0.onMembership(promoted, 1));
    assertEquals(Phase.IDLE, node0.phase());
  }

  @Test
  void anAddedVoterPromotedBeforeTheAnswerArrivedIsAnsweredAtOnce() {
    Submit<String> s = submit(node0.onAsked(request(Op.ADD_VOTER, 3, "op"), KNOWN));
    Membership catchingUp = apply(THREE, s);
    Membership promoted = catchingUp.apply(new Membership.Change(1, catchingUp.promoting(3))).membership();
    node0.onMembership(promoted, 0);

    assertEquals(List.of(new Reply<>("op", new Changed(promoted))), node0.onAnswer(done(THREE, s)));
  }

  @Test
  void removesAFollowerDirectly() {
    node0.onLeader(0);
    Submit<String> s = submit(node0.onAsked(request(Op.REMOVE, 2, "op"), KNOWN));

    assertEquals(new Membership(0, List.of(0, 1), List.of()), Membership.Change.decode(s.command().payload()).target());
    assertEquals(List.of(new Reply<>("op", new Changed(new Membership(1, List.of(0, 1), List.of())))),
        node0.onAnswer(done(THREE, s)));
  }

  @Test
  void removingTheLeaderHandsLeadershipOverFirstAndRemovesItOnceAnotherNodeLeads() {
    node0.onLeader(1);

    assertEquals(List.of(new HandOver<String>(0)), node0.onAsked(request(Op.REMOVE, 1, "op"), KNOWN),
        "this node stays a voter: leadership comes here");
    assertEquals(Phase.HANDING_OVER, node0.phase());
    assertEquals(List.of(new HandOver<String>(0)), node0.onSweep(DEADLINE - 1), "asked again at the sweep");
    assertEquals(List.of(), node0.onLeader(1), "the leader to be removed still leads");
    assertEquals(List.of(), node0.onLeader(-1), "nobody leads yet");
    assertEquals(List.of(), node0.onAnswer(new Reconfiguration.NotChosen(1, 1, 3)), "nothing was submitted to answer");
    Submit<String> s = submit(node0.onLeader(0));
    assertEquals(1, s.command().sequence(), "the handover used no command");
    assertEquals(new Membership(0, List.of(0, 2), List.of()), Membership.Change.decode(s.command().payload()).target());
    assertEquals(DEADLINE, s.deadline());
    assertEquals(List.of(), node0.onSweep(DEADLINE - 1), "submitted: no more handovers");
    assertEquals(List.of(new Reply<>("op", new Changed(new Membership(1, List.of(0, 2), List.of())))),
        node0.onAnswer(done(THREE, s)));
  }

  @Test
  void aLeaderRemovingItselfHandsOverToTheFirstRemainingVoter() {
    node0.onLeader(0);

    assertEquals(List.of(new HandOver<String>(1)), node0.onAsked(request(Op.REMOVE, 0, "op"), KNOWN));
    assertInstanceOf(Submit.class, node0.onLeader(2).get(0), "any other leader will do");
  }

  @Test
  void removingALeaderThatNeverHandsOverTimesOutHavingChangedNothing() {
    node0.onLeader(1);
    node0.onAsked(request(Op.REMOVE, 1, "op"), KNOWN);

    assertEquals(List.of(new Reply<>("op", new TimedOut(
        "node 1 still leads: leadership did not move to node 0 in time, and nothing was changed"))),
        node0.onSweep(DEADLINE));
    assertEquals(Phase.IDLE, node0.phase());
    assertEquals(List.of(), node0.onLeader(0), "the change ended: nothing is submitted any more");
  }

  @Test
  void aLeaderThatLeftTheGroupDuringTheHandoverIsNotRemovedAgain() {
    node0.onLeader(1);
    node0.onAsked(request(Op.REMOVE, 1, "op"), KNOWN);
    Membership without = new Membership(1, List.of(0, 2), List.of());
    node0.onMembership(without, 0);

    assertEquals(List.of(new Reply<>("op", new Refused("group 'g': node 1 is neither a voter nor a learner;"
        + " membership: " + without, Refused.Kind.BAD_REQUEST))), node0.onLeader(0));
    assertEquals(Phase.IDLE, node0.phase());
  }

  @Test
  void aChangeTheLogRefusesIsAConflict() {
    Submit<String> s = submit(node0.onAsked(request(Op.ADD_LEARNER, 3, "op"), KNOWN));
    // Another change took effect first: this one was made against a stale epoch.
    Membership moved = new Membership(1, List.of(0, 1), List.of());
    Membership.Outcome refused = moved.apply(Membership.Change.decode(s.command().payload()));
    assertTrue(refused.refusal() != null);

    assertEquals(List.of(new Reply<>("op", new Refused("group 'g': " + refused.refusal(), Refused.Kind.CONFLICT))),
        node0.onAnswer(new Done(s.command().sequence(), refused.result())));
  }

  @Test
  void aLeaderThatRefusesTheCommandIsOverloaded() {
    Submit<String> s = submit(node0.onAsked(request(Op.ADD_LEARNER, 3, "op"), KNOWN));

    assertEquals(List.of(new Reply<>("op", new Refused("group 'g': the leader refused the change: OVERLOADED",
        Refused.Kind.OVERLOADED))), node0.onAnswer(new Reconfiguration.LeaderRefused(s.command().sequence(), Refusal.Reason.OVERLOADED)));
  }

  @Test
  void aCommandNotChosenInTimeTimesOutSayingHowManyVotersWereReachable() {
    Submit<String> s = submit(node0.onAsked(request(Op.ADD_LEARNER, 3, "op"), KNOWN));
    long seq = s.command().sequence();

    assertEquals(List.of(new Reply<>("op", new TimedOut(
        "the change was not chosen in time (1 of 3 voters reachable); it may still be"))),
        node0.onAnswer(new Reconfiguration.NotChosen(seq, 1, 3)));
    assertEquals(List.of(), node0.onAnswer(new Reconfiguration.NotChosen(seq, 1, 3)), "a late answer answers nothing");
  }

  @Test
  void aLateAnswerToAnEarlierChangeDoesNotAnswerTheNextOne() {
    Submit<String> first = submit(node0.onAsked(request(Op.ADD_LEARNER, 3, "first"), KNOWN));
    assertEquals(List.of(new Reply<>("first", new TimedOut("the change was not chosen in time; it may still be"
        + " (membership now: " + THREE + ")"))), node0.onSweep(DEADLINE), "the first change ends at its deadline");
    Submit<String> second = submit(node0.onAsked(request(Op.ADD_LEARNER, 3, "second"), KNOWN));

    assertEquals(List.of(), node0.onAnswer(new Reconfiguration.NotChosen(first.command().sequence(), 1, 3)),
        "the first command's time-out arrives late: it answers nothing");
    assertEquals(Phase.SUBMITTED, node0.phase());
    Membership after = apply(THREE, second);
    assertEquals(List.of(new Reply<>("second", new Changed(after))), node0.onAnswer(done(THREE, second)));
  }

  @Test
  void aCommandAnsweredWithoutAResultTimesOut() {
    Submit<String> s = submit(node0.onAsked(request(Op.ADD_LEARNER, 3, "op"), KNOWN));

    assertEquals(List.of(new Reply<>("op", new TimedOut("the change reached the log after this node's session had"
        + " moved past it; it was not answered (membership now: " + THREE + ")"))),
        node0.onAnswer(new Done(s.command().sequence(), null)));
  }

  @Test
  void aSubmittedChangeTimesOutAtItsDeadlineNotBefore() {
    node0.onAsked(request(Op.ADD_LEARNER, 3, "op"), KNOWN);

    assertEquals(List.of(), node0.onSweep(DEADLINE - 1));
    assertEquals(List.of(new Reply<>("op", new TimedOut(
        "the change was not chosen in time; it may still be (membership now: " + THREE + ")"))),
        node0.onSweep(DEADLINE));
    assertEquals(List.of(), node0.onSweep(DEADLINE + 1), "answered once");
  }

  @Test
  void anAddedVoterThatNeverCatchesUpTimesOutSayingItWasAddedAsALearner() {
    Submit<String> s = submit(node0.onAsked(request(Op.ADD_VOTER, 3, "op"), KNOWN));
    node0.onAnswer(done(THREE, s));
    Membership catchingUp = apply(THREE, s);
    node0.onMembership(catchingUp, 0);

    assertEquals(List.of(new Reply<>("op", new TimedOut("node 3 was added as a learner but has not caught up and"
        + " become a voter yet; it will once it has (membership now: " + catchingUp + ")"))), node0.onSweep(DEADLINE));
  }

  @Test
  void aStoppedGroupIsUnavailable() {
    node0.onAsked(request(Op.ADD_LEARNER, 3, "op"), KNOWN);

    assertEquals(List.of(new Reply<>("op", new Refused("group 'g' stopped: disk gone", Refused.Kind.UNAVAILABLE))),
        node0.onAnswer(new Reconfiguration.GroupStopped("disk gone")));
  }

  @Test
  void aFailureOfTheRolesAnswersTheChangeAndForgetsTheLeader() {
    node0.onLeader(1);
    node0.onAsked(request(Op.REMOVE, 1, "op"), KNOWN);

    assertEquals(List.of(new Reply<>("op", new Refused("journal write failed; the change may or may not take effect",
        Refused.Kind.UNAVAILABLE))), node0.onFailure("journal write failed"));
    assertEquals(List.of(), node0.onFailure("again"), "nothing under way");
    // This node knows no leader now, so removing node 1 needs no handover.
    assertInstanceOf(Submit.class, node0.onAsked(request(Op.REMOVE, 1, "next"), KNOWN).get(0));
  }

  @Test
  void aCaughtUpLearnerAsksToVoteAtOnceAndAgainOnlyAfterTheRetryInterval() {
    Reconfiguration<String> joiner = new Reconfiguration<>(
        GroupConfig.builder(GROUP, 3, List.of(0, 1, 2)).joining(true).build(), CLIENT, RETRY);
    Membership named = new Membership(1, List.of(0, 1, 2), List.of(3), List.of(3));

    assertEquals(List.of(), joiner.onSweep(0), "not named yet");
    Promote<String> first = promote(joiner.onMembership(named, 100));
    assertEquals(100 + 10 * RETRY, first.deadline());
    assertEquals(1, first.command().sequence());
    Membership.Change change = Membership.Change.decode(first.command().payload());
    assertEquals(1, change.expectedEpoch());
    assertEquals(new Membership(1, List.of(0, 1, 2, 3), List.of()), change.target());
    assertEquals(List.of(), joiner.onSweep(100 + RETRY - 1), "asked within the retry interval");
    assertEquals(List.of(), joiner.onMembership(named, 100 + RETRY - 1));
    Promote<String> second = promote(joiner.onSweep(100 + RETRY));
    assertEquals(2, second.command().sequence());
    Membership voter = named.apply(change).membership();
    assertEquals(List.of(), joiner.onMembership(voter, 100 + 3 * RETRY), "a voter asks no more");
    assertEquals(List.of(), joiner.onSweep(100 + 4 * RETRY));
  }

  @Test
  void aNodeAddingItselfAsAVoterAsksForItsOwnPromotionInTheSameSession() {
    Reconfiguration<String> joiner = new Reconfiguration<>(
        GroupConfig.builder(GROUP, 3, List.of(0, 1, 2)).joining(true).build(), CLIENT, RETRY);
    joiner.onMembership(new Membership(1, List.of(0, 1, 2), List.of(3)), 0);
    Submit<String> s = submit(joiner.onAsked(request(Op.ADD_VOTER, 3, "op"), KNOWN));
    assertEquals(1, s.command().sequence());
    Membership named = new Membership(2, List.of(0, 1, 2), List.of(3), List.of(3));

    assertEquals(List.of(), joiner.onAnswer(new Done(s.command().sequence(), new Membership.Outcome(named, null).result())));
    List<Effect<String>> effects = joiner.onMembership(named, 5);
    assertEquals(1, effects.size(), effects.toString());
    assertEquals(2, promote(effects).command().sequence(), "one session: the sequence goes on");
  }

  @Test
  void theSameInputsGiveTheSameCommandsNumberedFromOne() {
    List<Effect<String>> first = script(new Reconfiguration<>(config(0), CLIENT, RETRY));
    List<Effect<String>> second = script(new Reconfiguration<>(config(0), CLIENT, RETRY));

    assertEquals(first, second);
    List<Long> sequences = first.stream().filter(e -> e instanceof Submit).map(e -> ((Submit<String>) e).command())
        .map(ClientCommand::sequence).toList();
    assertEquals(List.of(1L, 2L, 3L), sequences);
  }

  @Test
  void aRequestNeedsAnOpAndTheRetryIntervalMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new Request<>(null, 1, DEADLINE, "op"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Reconfiguration<String>(config(0), CLIENT, 0));
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
  }

  /** Three changes one after another, each answered by the log, and every effect on the way. */
  private static List<Effect<String>> script(Reconfiguration<String> r) {
    List<Effect<String>> all = new ArrayList<>();
    Membership m = THREE;
    for (Request<String> q : List.of(request(Op.ADD_LEARNER, 3, "a"), request(Op.REMOVE, 3, "b"),
        request(Op.REMOVE, 2, "c"))) {
      List<Effect<String>> asked = r.onAsked(q, KNOWN);
      all.addAll(asked);
      Submit<String> s = submit(asked);
      List<Effect<String>> answered = r.onAnswer(done(m, s));
      all.addAll(answered);
      m = apply(m, s);
      all.addAll(r.onMembership(m, 0));
    }
    return all;
  }

  private static GroupConfig config(int self) {
    return GroupConfig.builder(GROUP, self, List.of(0, 1, 2)).build();
  }

  private static Request<String> request(Op op, int node, String asker) {
    return new Request<>(op, node, DEADLINE, asker);
  }

  /** What the log makes of membership {@code m} when it applies the change of {@code s}. */
  private static Membership apply(Membership m, Submit<String> s) {
    return m.apply(Membership.Change.decode(s.command().payload())).membership();
  }

  /** The log's answer once it applied the change of {@code s} to membership {@code m}. */
  private static Answer done(Membership m, Submit<String> s) {
    return new Done(s.command().sequence(), m.apply(Membership.Change.decode(s.command().payload())).result());
  }

  private static Submit<String> submit(List<Effect<String>> effects) {
    assertEquals(1, effects.size(), effects.toString());
    if (effects.get(0) instanceof Submit<String> s) {
      return s;
    }
    return fail("expected a Submit, got " + effects);
  }

  private static Promote<String> promote(List<Effect<String>> effects) {
    assertEquals(1, effects.size(), effects.toString());
    if (effects.get(0) instanceof Promote<String> p) {
      return p;
    }
    return fail("expected a Promote, got " + effects);
  }

  private static Refused refusal(List<Effect<String>> effects) {
    assertEquals(1, effects.size(), effects.toString());
    Reply<?> reply = assertInstanceOf(Reply.class, effects.get(0));
    return assertInstanceOf(Refused.class, reply.outcome());
  }
}
