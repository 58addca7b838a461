package io.synod.paxos;

import static io.synod.paxos.AcceptorFixtures.B12;
import static io.synod.paxos.AcceptorFixtures.B23;
import static io.synod.paxos.AcceptorFixtures.CONFIG;
import static io.synod.paxos.AcceptorFixtures.LEASE;
import static io.synod.paxos.AcceptorFixtures.V0;
import static io.synod.paxos.AcceptorFixtures.V1;
import static io.synod.paxos.AcceptorFixtures.V3;
import static io.synod.paxos.AcceptorFixtures.V5;
import static io.synod.paxos.AcceptorFixtures.ready;
import static io.synod.paxos.Fixtures.GROUP;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.corrupted;
import static io.synod.paxos.Fixtures.messages;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.AcceptorRecord.AcceptedValues;
import io.synod.paxos.AcceptorRecord.Promised;
import io.synod.paxos.AcceptorRecord.Truncated;
import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.Accepted;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.LocalAccepted;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.PrepareMore;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.Rejected;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The acceptor of node 1; peers 2 and 3 send it prepares and accepts by hand. */
class AcceptorTest {

  private static Decision expectRejected(Acceptor a, Prepare p, Ballot promised, boolean leaseHeld) {
    Decision d = a.handle(p);
    assertEquals(List.of(new Outbound(p.from(), new Rejected(1, p.ballot(), promised, leaseHeld))), d.sendNow());
    assertEquals(List.of(), d.toPersist());
    assertEquals(List.of(), d.sendAfterPersist());
    return d;
  }

  // ---- phase 1 ----

  @Test
  void promiseReportsAcceptedValuesFromTheRequestedInstanceOnlyOncePersisted() {
    Acceptor a = ready(new AcceptedValues(B12, List.of(new Proposal(0, V0), new Proposal(3, V3), new Proposal(5, V5))));
    Decision d = a.handle(new Prepare(3, B23, 3));
    assertEquals(List.of(new Promised(B23)), d.toPersist());
    assertEquals(List.of(new Outbound(1, new Message.CandidateSeen(1, B23))), d.sendNow(),
        "a promise must not leave before its record is durable; our own proposer hears at once that node 3 campaigns");
    assertEquals(List.of(new Outbound(3, new Promise(1, B23,
        List.of(new AcceptedValue(3, B12, V3), new AcceptedValue(5, B12, V5)), 0))), d.sendAfterPersist());
    assertEquals(B23, a.promised());
  }

  @Test
  void recoveredAcceptorTellsOnlyItsOwnProposerTheBallotItPromised() {
    Acceptor a = ready(new Promised(B12), new AcceptedValues(B23, List.of(new Proposal(0, V0))));
    Decision d = a.onRecovered();
    assertEquals(List.of(new Outbound(1, new Message.PromiseRecovered(1, B23))), d.sendNow());
    assertEquals(List.of(), d.toPersist());
    assertEquals(List.of(), d.sendAfterPersist());
    assertEquals(List.of(new Outbound(1, new Message.PromiseRecovered(1, Ballot.ZERO))),
        Acceptor.recover(CONFIG, List.of()).onRecovered().sendNow(), "a fresh acceptor promised nothing");
  }

  /**
   * A report larger than max-batch-bytes of values comes in pages (one value alone if larger), all
   * at once, so every message fits the transport's frame; a lost page is asked for again while the
   * promise still holds.
   */
  @Test
  void aLargeReportIsPagedByMaxBatchBytesAndEachPageAskedForWhileThePromiseHolds() {
    int twoValues = 2 * (V3.bytes().length + Value.ENTRY_OVERHEAD_BYTES);
    GroupConfig small = config(1).tuning(Tuning.DEFAULTS.withMaxBatchBytes(twoValues)).build();
    Acceptor a = Acceptor.recover(small, List.of(new AcceptedValues(B12, List.of(new Proposal(0, V0),
        new Proposal(3, V3), new Proposal(5, V5), new Proposal(6, V1)))));
    for (int i = 0; i < LEASE; i++) {
      a.onTick();
    }
    Decision first = a.handle(new Prepare(3, B23, 3));
    assertEquals(List.of(new Outbound(3, new Promise(1, B23,
            List.of(new AcceptedValue(3, B12, V3), new AcceptedValue(5, B12, V5)), 0, -1, 6)),
        new Outbound(3, new Promise(1, B23, List.of(new AcceptedValue(6, B12, V1)), 0, 6, -1))),
        first.sendAfterPersist());
    Decision second = a.handle(new PrepareMore(3, B23, 6));
    assertEquals(List.of(), second.toPersist(), "the promise is durable already");
    assertEquals(List.of(new Outbound(3, new Promise(1, B23, List.of(new AcceptedValue(6, B12, V1)), 0, 6, -1))),
        second.sendAfterPersist());

    GroupConfig tiny = config(1).tuning(Tuning.DEFAULTS.withMaxBatchBytes(1)).build();
    Acceptor b = Acceptor.recover(tiny, List.of(new AcceptedValues(B12, List.of(new Proposal(3, V3)))));
    for (int i = 0; i < LEASE; i++) {
      b.onTick();
    }
    assertEquals(List.of(new Outbound(3, new Promise(1, B23, List.of(new AcceptedValue(3, B12, V3)), 0, -1, -1))),
        b.handle(new Prepare(3, B23, 0)).sendAfterPersist(), "a value larger than a page goes alone");

    // Once a higher ballot is promised, the rest of the old report is refused.
    a.handle(new Prepare(2, new Ballot(3, 2), 0));
    expectRejected(a, new PrepareMore(3, B23, 6), new Ballot(3, 2));
  }

  private static void expectRejected(Acceptor a, PrepareMore p, Ballot promised) {
    Decision d = a.handle(p);
    assertEquals(List.of(new Outbound(p.from(), new Rejected(1, p.ballot(), promised, false))), d.sendNow());
    assertEquals(List.of(), d.toPersist());
    assertEquals(List.of(), d.sendAfterPersist());
  }

  @Test
  void repeatedPrepareAtThePromisedBallotIsAnsweredWithoutPersistingAgain() {
    Acceptor a = ready();
    a.handle(new Prepare(3, B23, 0));
    Decision again = a.handle(new Prepare(3, B23, 0));
    assertEquals(List.of(), again.toPersist());
    assertEquals(List.of(new Outbound(3, new Promise(1, B23, List.of(), 0))), again.sendAfterPersist());
  }

  @Test
  void acceptorRejectsPrepareBelowPromisedBallot() {
    Acceptor a = ready();
    a.handle(new Prepare(3, B23, 0));
    expectRejected(a, new Prepare(2, B12, 0), B23, false);
    expectRejected(a, new Prepare(2, new Ballot(2, 2), 0), B23, false);
    assertEquals(B23, a.promised());
  }

  @Test
  void acceptorRefusesEveryPrepareForLeaseTicksAfterRecovery() {
    Acceptor a = Acceptor.recover(CONFIG, List.of(new Promised(B12)));
    for (int tick = 0; tick < LEASE; tick++) {
      // Even its own node and even a ballot above the promise: a lease granted before the crash may still run.
      expectRejected(a, new Prepare(1, new Ballot(9, 1), 0), B12, true);
      expectRejected(a, new Prepare(3, new Ballot(9, 3), 0), B12, true);
      a.onTick();
    }
    Decision d = a.handle(new Prepare(3, new Ballot(9, 3), 0));
    assertEquals(List.of(new Outbound(3, new Promise(1, new Ballot(9, 3), List.of(), 0))), d.sendAfterPersist());
  }

  @Test
  void freshAcceptorAlsoWaitsOutTheGrace() {
    Acceptor a = new Acceptor(CONFIG);
    expectRejected(a, new Prepare(2, B12, 0), Ballot.ZERO, true);
  }

  @Test
  void acceptorRefusesOtherNodesPreparesWhileTheLeaseItGrantedRuns() {
    Acceptor a = ready();
    a.handle(new Accept(2, B12, List.of(), 17));
    for (int tick = 0; tick < LEASE; tick++) {
      expectRejected(a, new Prepare(3, new Ballot(5, 3), 0), B12, true);
      a.onTick();
    }
    Decision after = a.handle(new Prepare(3, new Ballot(5, 3), 0));
    assertEquals(List.of(new Outbound(3, new Promise(1, new Ballot(5, 3), List.of(), 0))), after.sendAfterPersist());
  }

  @Test
  void leaseHolderMayPrepareAgainDuringItsLease() {
    Acceptor a = ready();
    a.handle(new Accept(2, B12, List.of(), 17));
    Decision d = a.handle(new Prepare(2, new Ballot(4, 2), 0));
    assertEquals(List.of(new Promised(new Ballot(4, 2))), d.toPersist());
    assertEquals(List.of(new Outbound(2, new Promise(1, new Ballot(4, 2), List.of(), 0))), d.sendAfterPersist());
  }

  @Test
  void aLeaseGivenBackByItsHolderNoLongerBlocksOtherCandidatesButOnlyItsHolderCanGiveItBack() {
    // Another node cannot give it back, even at a ballot the acceptor accepts.
    Acceptor other = ready();
    other.handle(new Accept(2, B12, List.of(), 17));
    other.handle(new Accept(3, B23, List.of(), Accept.RELEASE_LEASE));
    expectRejected(other, new Prepare(3, new Ballot(5, 3), 0), B23, true);

    Acceptor a = ready();
    a.handle(new Accept(2, B12, List.of(), 17));
    Decision released = a.handle(new Accept(2, B12, List.of(), Accept.RELEASE_LEASE));
    assertEquals(List.of(new Outbound(2, new Message.Accepted(1, B12, List.of(), Accept.RELEASE_LEASE, 0))),
        released.sendAfterPersist(), "the release is acknowledged as such");
    Decision d = a.handle(new Prepare(3, new Ballot(5, 3), 0));
    assertEquals(List.of(new Outbound(3, new Promise(1, new Ballot(5, 3), List.of(), 0))), d.sendAfterPersist());
  }

  @Test
  void acceptWithoutLeaseRequestGrantsNoLease() {
    Acceptor a = ready();
    a.handle(new Accept(2, B12, List.of(), -1));
    Decision d = a.handle(new Prepare(3, B23, 0));
    assertEquals(List.of(new Outbound(3, new Promise(1, B23, List.of(), 0))), d.sendAfterPersist());
  }

  // ---- phase 2 ----

  @Test
  void acceptPersistsValuesAndRepliesOnlyAfterPersisting() {
    Acceptor a = ready();
    Decision d = a.handle(new Accept(2, B12, List.of(new Proposal(0, V0), new Proposal(1, V1)), -1));
    assertEquals(List.of(new AcceptedValues(B12, List.of(new Proposal(0, V0), new Proposal(1, V1)))), d.toPersist());
    assertEquals(List.of(
            new Outbound(1, new LocalAccepted(1, List.of(new AcceptedValue(0, B12, V0), new AcceptedValue(1, B12, V1)))),
            new Outbound(2, new Accepted(1, B12, List.of(0L, 1L), -1, 0))),
        d.sendAfterPersist());
    assertEquals(List.of(new Outbound(1, new LeaderSeen(1, B12))), d.sendNow(),
        "only the local LeaderSeen may leave before the write is durable");
    assertEquals(Optional.of(new AcceptedValue(1, B12, V1)), a.acceptedAt(1));
    assertEquals(B12, a.promised(), "an accept raises the promise");
  }

  @Test
  void acceptFromItsOwnNodeSendsNoLeaderSeen() {
    Acceptor a = ready();
    Decision d = a.handle(new Accept(1, new Ballot(1, 1), List.of(new Proposal(0, V0)), -1));
    assertEquals(List.of(), messages(d, LeaderSeen.class));
    assertEquals(1, messages(d, Accepted.class).size());
  }

  @Test
  void retransmittedAcceptPersistsNothingNewButIsAcknowledged() {
    Acceptor a = ready();
    Accept accept = new Accept(2, B12, List.of(new Proposal(0, V0), new Proposal(1, V1)), 4);
    a.handle(accept);
    Decision again = a.handle(accept);
    assertEquals(List.of(), again.toPersist());
    assertEquals(List.of(new Outbound(2, new Accepted(1, B12, List.of(0L, 1L), 4, 0))), again.sendAfterPersist());
    assertEquals(List.of(), messages(again, LocalAccepted.class));
  }

  @Test
  void acceptOfAnotherValueAtTheSameBallotIsRefusedLoudly() {
    Acceptor a = ready();
    a.handle(new Accept(2, B12, List.of(new Proposal(0, V0)), -1));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> a.handle(new Accept(2, B12, List.of(new Proposal(0, V1)), -1)));
    assertTrue(e.getMessage().contains("instance 0") && e.getMessage().contains("reused"), e.getMessage());
    assertEquals(V0, a.acceptedAt(0).orElseThrow().value(), "the value accepted first stays");
  }

  @Test
  void acceptThatReusesABallotKeepsNoneOfItsProposals() {
    Acceptor a = ready();
    a.handle(new Accept(2, B12, List.of(new Proposal(0, V0)), -1));
    assertThrows(IllegalStateException.class,
        () -> a.handle(new Accept(2, B12, List.of(new Proposal(1, V1), new Proposal(0, V1)), 5)));
    assertEquals(Optional.empty(), a.acceptedAt(1), "a proposal before the contradicting one must not be kept");
    assertEquals(List.of(new Promised(B12), new AcceptedValues(B12, List.of(new Proposal(0, V0)))),
        a.snapshotRecords());
    Decision other = a.handle(new Prepare(3, B23, 0));
    assertEquals(1, messages(other, Promise.class).size(), "the refused accept granted no lease");
  }

  @Test
  void recoveredFromOnlyTheRecordsOfATruncationTheAcceptorKeepsItsPromise() {
    Acceptor a = ready(new AcceptedValues(B12, List.of(new Proposal(0, V0))));
    a.handle(new Prepare(3, B23, 0));
    // A journal may delete everything written before the truncation's write.
    Acceptor b = Acceptor.recover(CONFIG, a.onCheckpointDurable(1).toPersist());
    assertEquals(B23, b.promised());
    assertEquals(1, b.truncatedBelow());
  }

  @Test
  void acceptMixingRetransmittedAndNewInstancesPersistsOnlyTheNewOnes() {
    Acceptor a = ready();
    a.handle(new Accept(2, B12, List.of(new Proposal(0, V0)), -1));
    Decision d = a.handle(new Accept(2, B12, List.of(new Proposal(0, V0), new Proposal(1, V1)), -1));
    assertEquals(List.of(new AcceptedValues(B12, List.of(new Proposal(1, V1)))), d.toPersist());
    assertEquals(List.of(new Accepted(1, B12, List.of(0L, 1L), -1, 0)), messages(d, Accepted.class));
  }

  @Test
  void heartbeatAtAHigherBallotPersistsTheRaisedPromise() {
    Acceptor a = ready();
    Decision d = a.handle(new Accept(3, B23, List.of(), 0));
    assertEquals(List.of(new Promised(B23)), d.toPersist());
    assertEquals(List.of(new Outbound(3, new Accepted(1, B23, List.of(), 0, 0))), d.sendAfterPersist());
  }

  @Test
  void acceptorRejectsAcceptBelowPromisedBallot() {
    Acceptor a = ready();
    a.handle(new Prepare(3, B23, 0));
    Decision d = a.handle(new Accept(2, B12, List.of(new Proposal(0, V0)), 3));
    assertEquals(List.of(new Outbound(2, new Rejected(1, B12, B23, false))), d.sendNow());
    assertEquals(List.of(), d.toPersist());
    assertEquals(List.of(), d.sendAfterPersist());
    assertEquals(Optional.empty(), a.acceptedAt(0));
    // The refused accept granted no lease either.
    Decision other = a.handle(new Prepare(3, new Ballot(3, 3), 0));
    assertEquals(1, messages(other, Promise.class).size());
  }

  @Test
  void acceptAtAHigherBallotReplacesTheValueAcceptedAtALowerOne() {
    Acceptor a = ready();
    a.handle(new Accept(2, B12, List.of(new Proposal(0, V0)), -1));
    Decision d = a.handle(new Accept(3, B23, List.of(new Proposal(0, V1)), -1));
    assertEquals(List.of(new AcceptedValues(B23, List.of(new Proposal(0, V1)))), d.toPersist());
    assertEquals(Optional.of(new AcceptedValue(0, B23, V1)), a.acceptedAt(0));
    assertEquals(B23, a.promised());
  }

  @Test
  void corruptValueInAcceptThrowsAndChangesNoState() {
    Acceptor a = ready();
    Value bad = corrupted(V1, 7);
    CorruptValueException e = assertThrows(CorruptValueException.class,
        () -> a.handle(new Accept(2, B12, List.of(new Proposal(0, V0), new Proposal(1, bad)), 3)));
    assertEquals(GROUP, e.group());
    assertEquals(1, e.instance());
    assertEquals(2, e.sender());
    assertEquals(Ballot.ZERO, a.promised());
    assertEquals(0, a.acceptedCount(), "the intact value of the same accept must not be kept either");
    Decision d = a.handle(new Prepare(3, new Ballot(1, 3), 0));
    assertEquals(List.of(new Outbound(3, new Promise(1, new Ballot(1, 3), List.of(), 0))), d.sendAfterPersist(),
        "no lease was granted and no promise raised by the corrupt accept");
  }

  // ---- recovery and truncation ----

  @Test
  void recoverReplaysPromisesAcceptedValuesAndTruncation() {
    List<AcceptorRecord> journal = List.of(
        new Promised(B12),
        new AcceptedValues(B12, List.of(new Proposal(0, V0), new Proposal(1, V1), new Proposal(5, V5))),
        new Truncated(2),
        new AcceptedValues(B23, List.of(new Proposal(1, V1), new Proposal(6, V3))),
        new Promised(new Ballot(3, 2)));
    Acceptor a = Acceptor.recover(CONFIG, journal);
    assertEquals(new Ballot(3, 2), a.promised());
    assertEquals(2, a.truncatedBelow());
    assertEquals(Optional.empty(), a.acceptedAt(0));
    assertEquals(Optional.empty(), a.acceptedAt(1), "below the truncation point even when re-accepted later");
    assertEquals(Optional.of(new AcceptedValue(5, B12, V5)), a.acceptedAt(5));
    assertEquals(Optional.of(new AcceptedValue(6, B23, V3)), a.acceptedAt(6));
    assertEquals(2, a.acceptedCount());
  }

  @Test
  void promiseNeverGoesDownDuringReplay() {
    Acceptor a = Acceptor.recover(CONFIG, List.of(new Promised(B23), new Promised(B12)));
    assertEquals(B23, a.promised());
  }

  @Test
  void recoveringFromItsOwnJournalRebuildsTheSameAcceptor() {
    Acceptor a = ready();
    List<AcceptorRecord> journal = new ArrayList<>();
    journal.addAll(a.handle(new Prepare(2, B12, 0)).toPersist());
    journal.addAll(a.handle(new Accept(2, B12, List.of(new Proposal(0, V0), new Proposal(1, V1)), -1)).toPersist());
    journal.addAll(a.handle(new Accept(3, B23, List.of(new Proposal(1, V3)), -1)).toPersist());
    journal.addAll(a.onCheckpointDurable(1).toPersist());
    Acceptor b = Acceptor.recover(CONFIG, journal);
    assertEquals(a.promised(), b.promised());
    assertEquals(a.truncatedBelow(), b.truncatedBelow());
    assertEquals(a.acceptedCount(), b.acceptedCount());
    assertEquals(a.acceptedAt(1), b.acceptedAt(1));
  }

  @Test
  void truncationIsPersistedAndLaterPromisesReportIt() {
    Acceptor a = ready(new AcceptedValues(B12, List.of(new Proposal(0, V0), new Proposal(1, V1), new Proposal(3, V3))));
    Decision d = a.onCheckpointDurable(2);
    assertEquals(List.of(new Truncated(2), new Promised(B12)), d.toPersist(),
        "the promise is written again with the truncation, so older records may be deleted");
    assertEquals(List.of(), Fixtures.outbound(d));
    assertEquals(2, a.truncatedBelow());
    assertSame(Decision.NONE, a.onCheckpointDurable(2), "an older or equal checkpoint changes nothing");
    assertSame(Decision.NONE, a.onCheckpointDurable(1));
    Decision promise = a.handle(new Prepare(3, B23, 0));
    assertEquals(List.of(new Outbound(3, new Promise(1, B23, List.of(new AcceptedValue(3, B12, V3)), 2))),
        promise.sendAfterPersist());
  }

  @Test
  void acceptForForgottenInstancesIsNotAcknowledgedButReportsTheTruncation() {
    Acceptor a = ready();
    a.onCheckpointDurable(3);
    Decision d = a.handle(new Accept(2, B12, List.of(new Proposal(1, V1), new Proposal(5, V5)), -1));
    assertEquals(List.of(new AcceptedValues(B12, List.of(new Proposal(5, V5)))), d.toPersist());
    assertEquals(List.of(new Accepted(1, B12, List.of(5L), -1, 3)), messages(d, Accepted.class));
    assertEquals(Optional.empty(), a.acceptedAt(1));
  }

  @Test
  void ticksAloneDecideNothing() {
    Acceptor a = Acceptor.recover(CONFIG, List.of());
    for (int i = 0; i < 3 * LEASE; i++) {
      assertTrue(a.onTick().isEmpty());
    }
  }
}
