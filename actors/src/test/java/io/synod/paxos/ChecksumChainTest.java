package io.synod.paxos;

import static io.synod.paxos.Fixtures.MEMBERSHIP;
import static io.synod.paxos.Fixtures.chainOf;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Message.CatchUpReply;
import io.synod.paxos.Message.CatchUpRequest;
import io.synod.paxos.Message.ChainMark;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.LearnerProgress;
import io.synod.paxos.Message.Proposal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checksum chain of a learner (node 1): its value for known inputs, and that a peer's assertion
 * that differs, in a Chosen, a catch-up reply or a checkpoint, stops the learner before it applies
 * anything past that instance, while one that agrees changes nothing.
 */
class ChecksumChainTest {

  private static final GroupConfig CONFIG = config(1).tuning(Tuning.DEFAULTS.withCatchUpBatch(4)).build();
  private static final Ballot B = new Ballot(1, 2);

  /** The values of instances 0, 1, 2, ...: {@code p0}, {@code p1}, ... */
  private static final Value[] P = IntStream.range(0, 64).mapToObj(i -> value("p" + i)).toArray(Value[]::new);

  private ListStateMachine stateMachine;
  private Learner learner;

  @BeforeEach
  void newLearner() {
    stateMachine = new ListStateMachine();
    learner = new Learner(CONFIG, stateMachine, new SplittableRandom(9));
  }

  /** The chain through the first {@code count} values of {@link #P}. */
  private static ChainMark through(int count) {
    return chainOf(java.util.Arrays.copyOf(P, count));
  }

  private static ChainMark wrong(ChainMark mark) {
    return new ChainMark(mark.through(), mark.chain() ^ 1);
  }

  private void applyInstances(Learner l, int count) {
    for (int i = (int) l.nextToApply(); i < count; i++) {
      l.handle(new Chosen(2, List.of(new ChosenEntry(i, B, P[i])), i + 1));
    }
    assertEquals(count, l.nextToApply());
  }

  private static Chosen chosen(int from, ChainMark mark, int... instances) {
    List<ChosenEntry> entries = new ArrayList<>();
    for (int i : instances) {
      entries.add(new ChosenEntry(i, B, P[i]));
    }
    return new Chosen(from, entries, instances.length == 0 ? 0 : instances[instances.length - 1] + 1, mark);
  }

  // ---- the chain's value ----

  @Test
  void chainOfKnownInputsHasKnownValues() {
    // Computed apart, with zlib: crc32 continued over instance:8 length:4 crc:4 of each value.
    assertEquals(0x6f28f3c9, Value.noop().crc());
    int first = ChecksumChain.link(0, 0, Value.noop());
    assertEquals(0x9c19b783, first);
    assertEquals(0xa1455dac, ChecksumChain.link(first, 1, Value.noop()));
    assertEquals(chainOf(Value.noop(), Value.noop()), new ChainMark(1, 0xa1455dac));
  }

  @Test
  void theChainCoversTheInstanceTheLengthAndTheChecksumOfEveryValue() {
    int base = ChecksumChain.link(0, 0, P[0]);
    assertTrue(base != ChecksumChain.link(0, 1, P[0]), "another instance");
    assertTrue(base != ChecksumChain.link(0, 0, P[1]), "another value");
    assertTrue(base != ChecksumChain.link(7, 0, P[0]), "another history before it");
  }

  @Test
  void aLearnerChainsEveryAppliedInstanceNoOpsAndMembershipChangesIncluded() {
    Value change = Value.of(List.of(ClientCommand.membership(9, 1,
        new Membership.Change(0, new Membership(1, List.of(1, 2, 3, 4), List.of())))));
    Value[] applied = {P[0], Value.noop(), change, P[3]};
    for (int i = 0; i < applied.length; i++) {
      learner.handle(new Chosen(2, List.of(new ChosenEntry(i, B, applied[i])), i + 1));
    }
    assertEquals(chainOf(applied), learner.chainMark());
    assertEquals(List.of(1, 2, 3, 4), learner.membership().voters(), "the change was applied, and chained");
  }

  @Test
  void theLearnerReportsItsChainToItsProposerWithItsProgress() {
    Decision d = learner.handle(chosen(2, ChainMark.NONE, 0, 1));
    assertEquals(List.of(new Outbound(1, new LearnerProgress(1, 2, MEMBERSHIP, through(2)))), d.sendNow());
  }

  // ---- Chosen ----

  @Test
  void aMatchingChainInChosenIsComparedAndChangesNothing() {
    applyInstances(learner, 3);
    Decision d = learner.handle(chosen(2, through(2), 3));
    assertEquals(1, learner.checksumChecks());
    assertEquals(4, learner.nextToApply());
    assertEquals(1, d.applied().size());
  }

  @Test
  void aMismatchInChosenAboutAnAppliedInstanceStopsTheLearnerBeforeItLearnsAnything() {
    applyInstances(learner, 3);
    ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
        () -> learner.handle(chosen(2, wrong(through(2)), 3)));
    assertEquals("orders", e.group());
    assertEquals(1, e.instance());
    assertEquals(1, e.node());
    assertEquals(2, e.peer());
    assertTrue(e.getMessage().startsWith("group 'orders': checksum mismatch at instance 1 with node 2: node 1's chain"
        + " through instance 1 is crc32 " + Integer.toHexString(through(2).chain()) + ", node 2's (in its Chosen) is"
        + " crc32 " + Integer.toHexString(through(2).chain() ^ 1)), e.getMessage());
    assertEquals(3, learner.nextToApply(), "instance 3 was neither learned nor applied");
    assertEquals(3, stateMachine.applied.size());
    assertTrue(e instanceof DivergenceException, "it stops the group as a divergence does");
  }

  @Test
  void aMismatchInChosenAboutALaterInstanceStopsTheLearnerJustBeforeApplyingIt() {
    applyInstances(learner, 2);
    learner.handle(chosen(2, wrong(through(5)), 2)); // held until instance 4 is applied
    assertEquals(3, learner.nextToApply());
    ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
        () -> learner.handle(chosen(3, ChainMark.NONE, 3, 4, 5)));
    assertEquals(4, e.instance());
    assertEquals(2, e.peer(), "the node whose assertion disagreed, not the one whose message was handled");
    assertEquals(List.of("p0", "p1", "p2", "p3"), stateMachine.applied, "instance 4 is not applied, nor 5");
  }

  @Test
  void aMatchingChainAboutALaterInstanceIsComparedWhenTheLearnerGetsThere() {
    learner.handle(chosen(2, through(4), 0));
    assertEquals(0, learner.checksumChecks(), "held");
    learner.handle(chosen(3, ChainMark.NONE, 1, 2, 3, 4, 5));
    assertEquals(1, learner.checksumChecks());
    assertEquals(6, learner.nextToApply());
  }

  @Test
  void aLearnerDoesNotCompareWithItselfNorWithWhatItNoLongerKeeps() {
    applyInstances(learner, 6);
    learner.handle(chosen(1, wrong(through(6)), 6)); // its own node's leader: nothing to learn from it
    learner.onCheckpointDurable(4);
    learner.handle(chosen(2, wrong(through(2)), 7)); // instance 1 is below what it keeps
    assertEquals(0, learner.checksumChecks());
    learner.handle(chosen(2, through(4), 8)); // instance 3, just before its log start, is kept
    assertEquals(1, learner.checksumChecks());
    assertEquals(9, learner.nextToApply());
  }

  @Test
  void aLongLogKeepsTheChainOfEveryInstanceItKeepsAndForgetsItWithThem() {
    applyInstances(learner, 60);
    for (int i = 1; i <= 60; i++) {
      learner.handle(chosen(2, through(i)));
    }
    assertEquals(60, learner.checksumChecks());
    learner.onCheckpointDurable(58);
    learner.handle(chosen(2, through(50)));
    assertEquals(60, learner.checksumChecks(), "forgotten with the log");
    assertThrows(ChecksumMismatchException.class, () -> learner.handle(chosen(2, wrong(through(58)))));
  }

  // ---- catch-up ----

  @Test
  void aCatchUpReplyCarriesTheChainBeforeItsFirstEntryAndThroughItsLast() {
    applyInstances(learner, 6);
    CatchUpReply reply = Fixtures.messages(learner.handle(new CatchUpRequest(2, 2, 3)), CatchUpReply.class).get(0);
    assertEquals(through(2), reply.before());
    assertEquals(through(5), reply.after());
    CatchUpReply fromStart = Fixtures.messages(learner.handle(new CatchUpRequest(2, 0, 2)), CatchUpReply.class).get(0);
    assertEquals(ChainMark.NONE, fromStart.before(), "nothing before instance 0");
  }

  @Test
  void aMatchingCatchUpReplyIsAppliedAfterBothMarksAreCompared() {
    applyInstances(learner, 2);
    learner.handle(new CatchUpReply(3, List.of(new Proposal(2, P[2]), new Proposal(3, P[3])), 4, through(2), through(4)));
    assertEquals(4, learner.nextToApply());
    assertEquals(2, learner.checksumChecks());
  }

  @Test
  void aCatchUpReplyWhoseChainBeforeItsFirstEntryDiffersIsRefusedWhole() {
    applyInstances(learner, 2);
    ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> learner.handle(
        new CatchUpReply(3, List.of(new Proposal(2, P[2]), new Proposal(3, P[3])), 4, wrong(through(2)), through(4))));
    assertEquals(1, e.instance());
    assertTrue(e.getMessage().contains("node 3's (in its catch-up reply)"), e.getMessage());
    assertEquals(2, learner.nextToApply());
  }

  @Test
  void aCatchUpReplyWhoseChainThroughItsLastEntryDiffersStopsBeforeThatEntry() {
    applyInstances(learner, 2);
    ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> learner.handle(
        new CatchUpReply(3, List.of(new Proposal(2, P[2]), new Proposal(3, P[3])), 4, through(2), wrong(through(4)))));
    assertEquals(3, e.instance());
    assertEquals(List.of("p0", "p1", "p2"), stateMachine.applied);
  }

  // ---- checkpoints ----

  @Test
  void aLearnerRestartedFromACheckpointContinuesTheSameChain() {
    applyInstances(learner, 3);
    Checkpoint taken = Checkpoint.decode(learner.checkpoint().encode());
    assertEquals(through(3).chain(), taken.chain());
    applyInstances(learner, 6);

    Learner restarted = new Learner(CONFIG, new ListStateMachine(), new SplittableRandom(3));
    restarted.install(taken);
    assertEquals(through(3), restarted.chainMark());
    applyInstances(restarted, 6);
    assertEquals(learner.chainMark(), restarted.chainMark());
    assertEquals(through(6), restarted.chainMark());
  }

  @Test
  void aPeersCheckpointWhoseChainDiffersFromTheAppliedHistoryIsCaught() {
    applyInstances(learner, 5);
    Learner peer = new Learner(config(2).build(), new ListStateMachine(), new SplittableRandom(4));
    applyInstances(peer, 3);
    Checkpoint good = peer.checkpoint();
    learner.install(good, 2); // older than what it applied: compared, and ignored
    assertEquals(1, learner.checksumChecks());
    Checkpoint bad = new Checkpoint(3, good.state(), good.sessions(), good.membership(), good.chain() ^ 1);
    ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> learner.install(bad, 2));
    assertEquals(2, e.instance());
    assertTrue(e.getMessage().contains("node 2's (in its checkpoint)"), e.getMessage());
    assertEquals(5, learner.nextToApply());
  }

  @Test
  void aCheckpointAheadOfTheLearnerIsRefusedBeforeAnyStateChangesWhenItsChainDiffersFromAnAssertion() {
    Learner peer = new Learner(config(2).build(), new ListStateMachine(), new SplittableRandom(4));
    applyInstances(peer, 5);
    Checkpoint ahead = peer.checkpoint();
    learner.handle(chosen(3, wrong(through(5)))); // node 3 asserts another chain through instance 4
    ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> learner.install(ahead, 2));
    assertEquals(4, e.instance());
    assertEquals(3, e.peer());
    assertTrue(e.getMessage().contains("node 1's chain through instance 4 (from node 2's checkpoint)"),
        e.getMessage());
    assertEquals(0, learner.nextToApply(), "not installed");
    assertEquals(List.of(), stateMachine.applied);
  }

  @Test
  void aPeersCheckpointIsComparedBeforeItIsStoredAndTheComparisonChangesNothing() {
    Learner peer = new Learner(config(2).build(), new ListStateMachine(), new SplittableRandom(4));
    applyInstances(peer, 5);
    Checkpoint ahead = peer.checkpoint();
    learner.handle(chosen(3, through(5)));
    learner.checkChainOf(ahead, 2);
    assertEquals(1, learner.checksumChecks());
    assertEquals(0, learner.nextToApply(), "compared, not installed");
    learner.install(ahead, 2); // the assertion is still held, and compared again as it installs
    assertEquals(2, learner.checksumChecks());

    applyInstances(learner, 7);
    Checkpoint behind = new Checkpoint(6, ahead.state(), ahead.sessions(), ahead.membership(), through(6).chain() ^ 1);
    ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> learner.checkChainOf(behind, 2));
    assertEquals(5, e.instance(), "compared with the learner's own chain through instance 5");
    assertTrue(e.getMessage().contains("node 2's (in its checkpoint)"), e.getMessage());
    assertEquals(7, learner.nextToApply());
  }

  @Test
  void aPeersCheckpointThatDiffersFromAnAssertionAboutItsLastInstanceIsRefusedBeforeItIsStored() {
    Learner peer = new Learner(config(2).build(), new ListStateMachine(), new SplittableRandom(4));
    applyInstances(peer, 5);
    learner.handle(chosen(3, wrong(through(5))));
    ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
        () -> learner.checkChainOf(peer.checkpoint(), 2));
    assertEquals(4, e.instance());
    assertEquals(3, e.peer());
    assertEquals(0, learner.nextToApply());
  }

  @Test
  void anAssertionAboutAnInstanceACheckpointSkipsCanNoLongerBeComparedAndIsDropped() {
    Learner peer = new Learner(config(2).build(), new ListStateMachine(), new SplittableRandom(4));
    applyInstances(peer, 5);
    learner.handle(chosen(3, wrong(through(2)))); // about instance 1, which this learner will never apply
    learner.install(peer.checkpoint(), 2);
    assertEquals(0, learner.checksumChecks());
    assertEquals(5, learner.nextToApply());
    learner.handle(chosen(3, through(6), 5)); // what it holds next is compared as usual
    assertEquals(1, learner.checksumChecks());
  }

  @Test
  void aCheckpointAheadOfTheLearnerThatAgreesIsInstalledAndTheChainGoesOnFromIt() {
    Learner peer = new Learner(config(2).build(), new ListStateMachine(), new SplittableRandom(4));
    applyInstances(peer, 5);
    learner.handle(chosen(3, through(5)));
    learner.install(peer.checkpoint(), 2);
    assertEquals(1, learner.checksumChecks(), "the held assertion, through instance 4, was compared");
    assertEquals(through(5), learner.chainMark());
    learner.handle(chosen(3, wrong(through(1)))); // no longer kept: ignored
    learner.handle(chosen(3, through(6), 5));
    assertEquals(through(6), learner.chainMark());
    assertEquals(2, learner.checksumChecks());
  }
}
