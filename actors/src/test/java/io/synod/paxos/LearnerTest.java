package io.synod.paxos;

import static io.synod.paxos.Fixtures.GROUP;
import static io.synod.paxos.Fixtures.bytes;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.corrupted;
import static io.synod.paxos.Fixtures.messages;
import static io.synod.paxos.Fixtures.string;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Applied.Outcome;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.BehindHint;
import io.synod.paxos.Message.CatchUpReply;
import io.synod.paxos.Message.CatchUpRequest;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.LearnerProgress;
import io.synod.paxos.Message.LocalAccepted;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.ReadAt;
import io.synod.paxos.Message.SnapshotAvailable;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The learner of node 1, fed chosen values, local acceptances and catch-up traffic by hand. */
class LearnerTest {

  private static final GroupConfig CONFIG =
      config(1).tuning(Tuning.DEFAULTS.withCatchUpRetryTicks(5).withCatchUpBatch(4)).build();
  private static final Ballot B = new Ballot(1, 2);

  private ListStateMachine stateMachine;
  private Learner learner;

  @BeforeEach
  void newLearner() {
    stateMachine = new ListStateMachine();
    learner = new Learner(CONFIG, stateMachine, new SplittableRandom(9));
  }

  private Decision chosen(int from, long horizon, ChosenEntry... entries) {
    return learner.handle(new Chosen(from, List.of(entries), horizon));
  }

  private static ChosenEntry entry(long instance, Value v) {
    return new ChosenEntry(instance, B, v);
  }

  /** Learns and applies instances 0, 1, ... with one command each, payloads "p0", "p1", .... */
  private void applyInstances(int count) {
    for (int i = 0; i < count; i++) {
      chosen(2, i + 1, entry(i, value("p" + i)));
    }
    assertEquals(count, learner.nextToApply());
  }

  private static List<String> results(Decision d) {
    return d.applied().stream().map(a -> a.result() == null ? null : string(a.result())).toList();
  }

  // ---- learning and applying ----

  @Test
  void learnerAppliesInInstanceOrderOnly() {
    Decision early = chosen(2, 2, entry(1, value("b")));
    assertEquals(List.of(), early.applied(), "instance 1 must wait for instance 0");
    assertEquals(List.of(new Proposal(1, value("b"))), early.chosen());
    assertEquals(0, learner.nextToApply());
    assertEquals(List.of(), stateMachine.applied);

    Decision d = chosen(3, 2, entry(0, value("a")));
    assertEquals(List.of("a", "b"), stateMachine.applied);
    assertEquals(List.of(0L, 1L), d.applied().stream().map(Applied::instance).toList());
    assertEquals(List.of("1", "2"), results(d));
    assertTrue(d.applied().stream().allMatch(a -> a.outcome() == Outcome.APPLIED));
    assertEquals(List.of(new Outbound(1, new LearnerProgress(1, 2, Fixtures.MEMBERSHIP,
        Fixtures.chainOf(value("a"), value("b"))))), d.sendNow());
    assertEquals(2, learner.nextToApply());
  }

  @Test
  void noopAdvancesTheLogWithoutApplyingAnything() {
    Decision d = chosen(2, 1, entry(0, Value.noop()));
    assertEquals(List.of(), d.applied());
    assertEquals(1, learner.nextToApply());
    assertEquals(0, stateMachine.applyCalls);
  }

  @Test
  void valueLessChosenIsResolvedFromAnEarlierLocalAccepted() {
    learner.handle(new LocalAccepted(1, List.of(new AcceptedValue(0, B, value("a")))));
    assertEquals(List.of(), stateMachine.applied, "accepted is not chosen");
    chosen(2, 1, entry(0, null));
    assertEquals(List.of("a"), stateMachine.applied);
  }

  @Test
  void valueLessChosenWaitsForALaterLocalAccepted() {
    assertEquals(List.of(), chosen(2, 1, entry(0, null)).applied());
    Decision d = learner.handle(new LocalAccepted(1, List.of(new AcceptedValue(0, B, value("a")))));
    assertEquals(List.of(new Proposal(0, value("a"))), d.chosen());
    assertEquals(List.of("a"), stateMachine.applied);
  }

  @Test
  void localAcceptedAtAnotherBallotDoesNotResolveAValueLessChosen() {
    learner.handle(new LocalAccepted(1, List.of(new AcceptedValue(0, new Ballot(0, 3), value("stale")))));
    chosen(2, 1, entry(0, null));
    assertEquals(List.of(), stateMachine.applied);
    learner.handle(new LocalAccepted(1, List.of(new AcceptedValue(0, new Ballot(0, 3), value("stale")))));
    assertEquals(List.of(), stateMachine.applied);
    chosen(3, 1, entry(0, value("chosen")));
    assertEquals(List.of("chosen"), stateMachine.applied);
  }

  @Test
  void sameValueLearnedTwiceIsAppliedOnce() {
    chosen(2, 1, entry(0, value("a")));
    Decision again = chosen(3, 1, entry(0, value("a")));
    assertEquals(List.of(), again.applied());
    assertEquals(List.of(), again.chosen());
    assertEquals(1, stateMachine.applyCalls);
  }

  @Test
  void differentValueForAKnownInstanceStopsTheGroup() {
    chosen(2, 1, entry(0, value("a")));
    DivergenceException e = assertThrows(DivergenceException.class, () -> chosen(3, 1, entry(0, value("b"))));
    assertTrue(e.getMessage().contains("'" + GROUP + "'") && e.getMessage().contains("instance 0")
        && e.getMessage().contains("node 3"), e.getMessage());
    chosen(2, 3, entry(2, value("c")));
    assertThrows(DivergenceException.class,
        () -> learner.handle(new CatchUpReply(3, List.of(new Proposal(2, value("other"))), 3)),
        "a not yet applied instance diverges too");
  }

  @Test
  void corruptChosenValueIsRefusedAndLearnsNothing() {
    CorruptValueException e = assertThrows(CorruptValueException.class, () -> chosen(3, 1, entry(0, corrupted(value("a"), 9))));
    assertEquals(0, e.instance());
    assertEquals(3, e.sender());
    assertEquals(0, learner.nextToApply());
    chosen(2, 1, entry(0, value("a")));
    assertEquals(List.of("a"), stateMachine.applied, "the intact value must not look like a divergence");
  }

  @Test
  void corruptValueAnywhereInAChosenMessageChangesNothing() {
    chosen(2, 1, new ChosenEntry(1, B, null));
    long horizonBefore = learner.horizon();
    assertThrows(CorruptValueException.class,
        () -> chosen(3, 9, entry(0, value("a")), entry(1, corrupted(value("b"), 9))));
    assertEquals(horizonBefore, learner.horizon(), "the corrupt message must not move the horizon");
    assertEquals(0, learner.nextToApply());
    // Had the intact entry been kept, this different value for instance 0 would look like divergence.
    chosen(2, 1, entry(0, value("c")));
    assertEquals(List.of("c"), stateMachine.applied);
  }

  // ---- exactly once ----

  @Test
  void duplicateCommandInALaterInstanceGetsTheFirstResultWithoutReapplying() {
    ClientCommand c = command(7, 1, "x");
    Decision first = chosen(2, 1, entry(0, value(c)));
    Decision retry = chosen(2, 2, entry(1, value(command(7, 2, "y"), c)));
    assertEquals(List.of("x", "y"), stateMachine.applied);
    assertEquals(2, stateMachine.applyCalls);
    Applied dup = retry.applied().get(1);
    assertEquals(Outcome.DUPLICATE, dup.outcome());
    assertEquals(1, dup.instance());
    assertEquals(7, dup.clientId());
    assertEquals(1, dup.sequence());
    assertEquals("1", string(dup.result()));
    assertEquals(string(first.applied().get(0).result()), string(dup.result()));
  }

  @Test
  void commandBelowTheSessionWindowIsRefusedAsBelowItAndNotApplied() {
    learner = new Learner(config(1).tuning(Tuning.DEFAULTS.withSessionWindow(2)).build(), stateMachine,
        new SplittableRandom(1));
    chosen(2, 1, entry(0, value(command(7, 1, "s1"), command(7, 2, "s2"), command(7, 3, "s3"))));
    Decision d = chosen(2, 2, entry(1, value(command(7, 1, "s1"), command(7, 2, "s2"), command(8, 1, "other client"))));
    assertEquals(List.of(Outcome.BELOW_WINDOW, Outcome.DUPLICATE, Outcome.APPLIED),
        d.applied().stream().map(Applied::outcome).toList());
    assertNull(d.applied().get(0).result());
    assertEquals("2", string(d.applied().get(1).result()));
    assertEquals(List.of("s1", "s2", "s3", "other client"), stateMachine.applied);
  }

  // ---- catch-up ----

  @Test
  void upToDateLearnerNeverAsksForCatchUpWhileItHearsFromALeader() {
    applyInstances(2);
    for (int t = 0; t < 10 * CONFIG.tuning().electionTimeoutTicks(); t++) {
      assertSame(Decision.NONE, learner.onTick(), "asked at tick " + t);
      if (t % CONFIG.tuning().heartbeatTicks() == 0) {
        chosen(2, 2); // the leader's heartbeat
      }
    }
  }

  @Test
  void learnerThatHearsNothingForTwoElectionTimeoutsAsksAPeerThenLessOften() {
    applyInstances(2);
    int quiet = 2 * CONFIG.tuning().electionTimeoutTicks();
    for (int t = 1; t < quiet; t++) {
      assertSame(Decision.NONE, learner.onTick(), "asked at tick " + t);
    }
    Decision ask = learner.onTick();
    assertEquals(1, ask.sendNow().size());
    Outbound o = ask.sendNow().get(0);
    assertTrue(o.to() == 2 || o.to() == 3, "asks another member, asked " + o.to());
    assertEquals(new CatchUpRequest(1, 2, CONFIG.tuning().catchUpBatch()), o.message());
    // A question that taught it nothing doubles the wait (idle groups' learners must not ask often).
    for (int t = 1; t < 2 * quiet; t++) {
      assertSame(Decision.NONE, learner.onTick(), "asked again at tick " + t);
    }
    assertEquals(1, learner.onTick().sendNow().size());
    int max = Learner.MAX_QUIET_PROBE_FACTOR * CONFIG.tuning().electionTimeoutTicks();
    int asked = 0;
    for (int t = 1; t <= 4 * max; t++) {
      asked += learner.onTick().sendNow().size();
    }
    assertTrue(asked >= 3 && asked <= 6, "at most one question per " + max + " ticks once backed off, asked " + asked);
  }

  @Test
  void learnerThatLearnsSomethingAsksAfterTwoElectionTimeoutsAgain() {
    applyInstances(2);
    int quiet = 2 * CONFIG.tuning().electionTimeoutTicks();
    for (int t = 1; t <= 3 * quiet; t++) {
      learner.onTick(); // asks at quiet, then backs off to 2 * quiet
    }
    chosen(2, 3, entry(2, value("p2"))); // it learns something
    for (int t = 1; t < quiet; t++) {
      assertSame(Decision.NONE, learner.onTick(), "asked at tick " + t);
    }
    assertEquals(1, learner.onTick().sendNow().size());
  }

  @Test
  void gapTriggersCatchUpRequestAfterCatchUpRetryTicksWithoutProgress() {
    chosen(2, 2, entry(1, value("b")));
    for (int t = 1; t < CONFIG.tuning().catchUpRetryTicks(); t++) {
      assertSame(Decision.NONE, learner.onTick(), "asked at tick " + t);
    }
    Decision ask = learner.onTick();
    assertEquals(1, ask.sendNow().size());
    Outbound o = ask.sendNow().get(0);
    assertTrue(o.to() == 2 || o.to() == 3, "asked " + o.to());
    assertEquals(new CatchUpRequest(1, 0, CONFIG.tuning().catchUpBatch()), o.message());
    for (int t = 1; t < CONFIG.tuning().catchUpRetryTicks(); t++) {
      assertSame(Decision.NONE, learner.onTick(), "asked again after " + t + " ticks");
    }
    assertEquals(1, messages(learner.onTick(), CatchUpRequest.class).size(), "retries after catchUpRetryTicks");
  }

  @Test
  void progressPostponesCatchUp() {
    chosen(2, 3, entry(2, value("c")));
    learner.onTick();
    learner.onTick();
    learner.onTick();
    chosen(2, 3, entry(0, value("a"))); // progress at tick 3; instance 1 still missing
    for (int t = 4; t < 3 + CONFIG.tuning().catchUpRetryTicks(); t++) {
      assertSame(Decision.NONE, learner.onTick(), "asked at tick " + t + " despite progress at tick 3");
    }
    List<CatchUpRequest> asked = messages(learner.onTick(), CatchUpRequest.class);
    assertEquals(List.of(new CatchUpRequest(1, 1, CONFIG.tuning().catchUpBatch())), asked);
  }

  @Test
  void catchUpReplyIsAppliedAndTheLearnerPullsMoreAtOnce() {
    chosen(2, 0, entry(1, value("b")));
    Decision d = learner.handle(new CatchUpReply(3, List.of(new Proposal(0, value("a"))), 6));
    assertEquals(List.of("a", "b"), stateMachine.applied);
    assertEquals(List.of(new Outbound(3, new CatchUpRequest(1, 2, CONFIG.tuning().catchUpBatch()))),
        d.sendNow().stream().filter(o -> o.message() instanceof CatchUpRequest).toList());
    Decision empty = learner.handle(new CatchUpReply(3, List.of(), 6));
    assertEquals(List.of(), messages(empty, CatchUpRequest.class), "a reply without progress waits for a tick");
  }

  @Test
  void learnerServesCatchUpFromItsLogUpToTheRequestedMax() {
    applyInstances(6);
    Decision d = learner.handle(new CatchUpRequest(2, 1, 4));
    Value[] applied = LongStream.range(0, 6).mapToObj(i -> value("p" + i)).toArray(Value[]::new);
    assertEquals(List.of(new Outbound(2, new CatchUpReply(1,
        LongStream.range(1, 5).mapToObj(i -> new Proposal(i, value("p" + i))).toList(), 6,
        Fixtures.chainOf(applied[0]), Fixtures.chainOf(java.util.Arrays.copyOf(applied, 5))))), d.sendNow());
  }

  @Test
  void catchUpRepliesStayWithinMaxBatchBytesHoweverLargeTheValues() {
    // Values of 400 bytes with a 1,000-byte limit: two per reply, not the four asked for; a single
    // value larger than the limit still goes, alone.
    Learner small = new Learner(config(1).tuning(Tuning.DEFAULTS.withCatchUpBatch(4).withMaxBatchBytes(1000)).build(),
        new ListStateMachine(), new SplittableRandom(9));
    for (int i = 0; i < 6; i++) {
      small.handle(new Chosen(2, List.of(entry(i, value("x".repeat(i == 4 ? 1500 : 390)))), i + 1));
    }
    assertEquals(6, small.nextToApply());
    List<CatchUpReply> replies = messages(small.handle(new CatchUpRequest(2, 0, 4)), CatchUpReply.class);
    assertEquals(List.of(0L, 1L), replies.get(0).entries().stream().map(Proposal::instance).toList());
    assertTrue(replies.get(0).entries().stream().mapToInt(p -> p.value().bytes().length).sum() <= 1000);
    List<CatchUpReply> big = messages(small.handle(new CatchUpRequest(2, 4, 4)), CatchUpReply.class);
    assertEquals(List.of(4L), big.get(0).entries().stream().map(Proposal::instance).toList(),
        "a value over the limit goes alone");
  }

  @Test
  void learnerOffersItsSnapshotWhenAskedBelowItsLogStart() {
    applyInstances(4);
    assertSame(Decision.NONE, learner.onCheckpointDurable(2));
    assertEquals(2, learner.logStart());
    assertEquals(List.of(new Outbound(3, new SnapshotAvailable(1, 2))), learner.handle(new CatchUpRequest(3, 1, 4)).sendNow());
    List<CatchUpReply> reply = messages(learner.handle(new CatchUpRequest(3, 2, 4)), CatchUpReply.class);
    assertEquals(List.of(2L, 3L), reply.get(0).entries().stream().map(Proposal::instance).toList());
    learner.onCheckpointDurable(10);
    assertEquals(4, learner.logStart(), "never forgets what it has not applied");
  }

  @Test
  void snapshotAvailableAheadOfTheLearnerAsksTheShellToFetchIt() {
    assertEquals(3, learner.handle(new SnapshotAvailable(3, 10)).fetchSnapshotFrom());
    applyInstances(2);
    assertSame(Decision.NONE, learner.handle(new SnapshotAvailable(2, 2)), "nothing to gain from that snapshot");
  }

  @Test
  void behindHintStartsCatchUpOncePerRetryPeriod() {
    List<CatchUpRequest> asked = messages(learner.handle(new BehindHint(1, 5)), CatchUpRequest.class);
    assertEquals(List.of(new CatchUpRequest(1, 0, CONFIG.tuning().catchUpBatch())), asked);
    assertSame(Decision.NONE, learner.handle(new BehindHint(1, 5)));
  }

  // ---- checkpoints ----

  @Test
  void installRestoresStateAndSessionsFromAnotherReplicasCheckpoint() {
    chosen(2, 1, entry(0, value(command(7, 1, "x"))));
    chosen(2, 2, entry(1, value(command(7, 2, "y"))));
    Checkpoint shipped = Checkpoint.decode(learner.checkpoint().encode());
    assertEquals(2, shipped.nextInstance());

    ListStateMachine otherMachine = new ListStateMachine();
    Learner other = new Learner(config(3).build(), otherMachine, new SplittableRandom(5));
    other.handle(new Chosen(1, List.of(entry(3, value(command(8, 1, "z")))), 4));
    Decision d = other.install(shipped);
    assertEquals(List.of("x", "y"), otherMachine.applied);
    assertEquals(0, otherMachine.applyCalls, "restored, not replayed");
    assertEquals(2, other.nextToApply());
    assertEquals(2, other.logStart());
    assertTrue(d.sendNow().contains(new Outbound(3, new LearnerProgress(3, 2, Fixtures.MEMBERSHIP,
        Fixtures.chainOf(value(command(7, 1, "x")), value(command(7, 2, "y")))))));

    Decision retry = other.handle(new Chosen(1, List.of(entry(2, value(command(7, 2, "y")))), 3));
    assertEquals(Outcome.DUPLICATE, retry.applied().get(0).outcome(), "the session table came with the checkpoint");
    assertEquals("2", string(retry.applied().get(0).result()));
    assertEquals(Outcome.APPLIED, retry.applied().get(1).outcome(), "the instance learned before install follows");
    assertEquals(List.of("x", "y", "z"), otherMachine.applied);
  }

  @Test
  void aPeersCheckpointIsInstallableWhenAFreshStateMachineRestoresIt() {
    applyInstances(2);
    Checkpoint shipped = Checkpoint.decode(learner.checkpoint().encode());
    ListStateMachine fresh = new ListStateMachine();
    Learner.checkInstallable(config(3).build(), shipped, fresh);
    assertEquals(List.of("p0", "p1"), fresh.applied, "the check restored the snapshot into the fresh machine");
    assertEquals(List.of("p0", "p1"), stateMachine.applied, "and left the learner's own alone");
  }

  @Test
  void aCheckpointTheStateMachineRefusesIsNotInstallable() {
    applyInstances(2);
    Checkpoint shipped = learner.checkpoint();
    StateMachine refusing = new StateMachine() {
      @Override
      public byte[] apply(long instance, byte[] command) {
        throw new AssertionError("a check applies nothing");
      }

      @Override
      public byte[] read(byte[] query) {
        throw new AssertionError("a check reads nothing");
      }

      @Override
      public byte[] snapshot() {
        throw new AssertionError("a check takes no snapshot");
      }

      @Override
      public void restore(byte[] snapshot) {
        throw new IllegalStateException("not a snapshot of mine");
      }
    };
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Learner.checkInstallable(CONFIG, shipped, refusing));
    assertTrue(e.getMessage().contains("checkpoint below instance 2"), e.getMessage());
    assertTrue(e.getMessage().contains("not a snapshot of mine"), e.getMessage());
  }

  @Test
  void aCheckpointWhoseSessionTableDoesNotDecodeIsNotInstallable() {
    Checkpoint bad = new Checkpoint(5, new ListStateMachine().snapshot(), new byte[] {1, 2, 3}, null, 0);
    ListStateMachine fresh = new ListStateMachine();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Learner.checkInstallable(CONFIG, bad, fresh));
    assertTrue(e.getMessage().startsWith("checkpoint below instance 5: its session table does not decode"),
        e.getMessage());
  }

  @Test
  void olderCheckpointIsIgnored() {
    Checkpoint old = learner.checkpoint();
    applyInstances(3);
    assertSame(Decision.NONE, learner.install(old));
    assertEquals(3, learner.nextToApply());
    assertEquals(List.of("p0", "p1", "p2"), stateMachine.applied);
  }

  // ---- reads ----

  @Test
  void readWaitsUntilEverythingThroughItsIndexIsApplied() {
    Decision early = learner.handle(new ReadAt(1, 9, 1, bytes("q")));
    assertEquals(List.of(), early.reads());
    chosen(2, 1, entry(0, value("a")));
    Decision d = chosen(2, 2, entry(1, value("b")));
    assertEquals(1, d.reads().size());
    ReadOutcome r = d.reads().get(0);
    assertTrue(r.served());
    assertEquals(9, r.readId());
    assertEquals(1, r.appliedThrough());
    assertEquals("q:a,b", string(r.result()));
  }
}
