package io.synod.paxos;

import static io.synod.paxos.Fixtures.ack;
import static io.synod.paxos.Fixtures.campaign;
import static io.synod.paxos.Fixtures.lead;

import static io.synod.paxos.Fixtures.bytes;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.messages;
import static io.synod.paxos.Fixtures.messagesTo;
import static io.synod.paxos.Fixtures.outbound;
import static io.synod.paxos.Fixtures.payloads;
import static io.synod.paxos.Fixtures.string;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.synod.paxos.AcceptorRecord.AcceptedValues;
import io.synod.paxos.AcceptorRecord.Promised;
import io.synod.paxos.HandRoutedGroup.Envelope;
import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.Accepted;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.BehindHint;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.Message.Forward;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.LearnerProgress;
import io.synod.paxos.Message.LocalAccepted;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.PrepareMore;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.ReadAt;
import io.synod.paxos.Message.Rejected;
import io.synod.paxos.Message.TransferLeadership;
import io.synod.paxos.Message.TimeoutNow;
import io.synod.paxos.Message.ToAcceptor;
import io.synod.paxos.Message.ToProposer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The proposer of node 1 in the group {1, 2, 3}. Most tests feed it promises and acknowledgements
 * by hand; the scenarios at the end run whole nodes through {@link HandRoutedGroup}.
 */
class ProposerTest {

  private static final GroupConfig CONFIG = config(1).build();

  private static Proposer proposer(GroupConfig config) {
    return new Proposer(config, new SplittableRandom(42));
  }

  private static Prepare localPrepare(Decision campaign) {
    List<Prepare> prepares = messagesTo(campaign, 1, Prepare.class);
    assertEquals(1, prepares.size(), "expected one prepare to the local acceptor: " + campaign);
    return prepares.get(0);
  }


  private static List<List<String>> proposedBatches(Decision d, int to) {
    List<Accept> accepts = messagesTo(d, to, Accept.class);
    assertTrue(accepts.size() <= 1, "more than one Accept to node " + to + " in one step: " + accepts);
    return accepts.isEmpty() ? List.of()
        : accepts.get(0).proposals().stream().map(pr -> payloads(pr.value())).toList();
  }

  // ---- election ----

  @Test
  void proposerCampaignsOnlyAfterTheElectionTimeout() {
    for (GroupConfig c : List.of(CONFIG, config(1).electionTimeoutTicks(50).build())) {
      long quiet = Math.max(c.electionTimeoutTicks(), c.leaseTicks());
      for (int seed = 0; seed < 20; seed++) {
        Proposer p = new Proposer(c, new SplittableRandom(seed));
        int tick = 0;
        Decision d;
        do {
          tick++;
          d = p.onTick();
          assertTrue(tick <= quiet + c.electionJitterTicks(), "no campaign by tick " + tick);
        } while (messages(d, Prepare.class).isEmpty());
        assertTrue(tick > quiet, "campaigned at tick " + tick + ", before the timeout of " + quiet + " ticks");
      }
    }
  }

  @Test
  void candidateAsksItsOwnAcceptorFirstAndPeersOnlyAfterItsPromise() {
    Proposer p = proposer(CONFIG);
    Decision start = campaign(p);
    Prepare local = localPrepare(start);
    assertEquals(List.of(new Outbound(1, new Prepare(1, new Ballot(1, 1), 0))), outbound(start));
    assertEquals(new Ballot(1, 1), local.ballot());

    assertSame(Decision.NONE, p.handle(new Promise(2, local.ballot(), List.of(), 0)),
        "a peer's promise must not move the candidate on before its own acceptor's");
    assertFalse(p.isLeader());

    Decision afterLocal = p.handle(new Promise(1, local.ballot(), List.of(), 0));
    assertEquals(List.of(new Prepare(1, local.ballot(), 0)), messagesTo(afterLocal, 2, Prepare.class));
    assertEquals(List.of(new Prepare(1, local.ballot(), 0)), messagesTo(afterLocal, 3, Prepare.class));
  }

  @Test
  void candidateWithoutQuorumDoesNotLead() {
    Proposer p = proposer(CONFIG);
    Prepare local = localPrepare(campaign(p));
    Decision d = p.handle(new Promise(1, local.ballot(), List.of(), 0));
    assertFalse(p.isLeader());
    assertEquals(List.of(), messages(d, Accept.class));
    assertSame(Decision.NONE, p.handle(new Promise(3, new Ballot(7, 1), List.of(), 0)),
        "a promise for another ballot counts for nothing");
    assertFalse(p.isLeader());
  }

  @Test
  void candidateRetransmitsPreparesToSilentPeersThenBacksOff() {
    Proposer p = proposer(CONFIG);
    Prepare local = localPrepare(campaign(p));
    p.handle(new Promise(1, local.ballot(), List.of(), 0));
    p.handle(new Rejected(3, local.ballot(), Ballot.ZERO, true)); // node 3 is held by a lease
    List<Integer> resentTo = new ArrayList<>();
    for (int t = 1; t < CONFIG.prepareTimeoutTicks(); t++) {
      for (Outbound o : outbound(p.onTick())) {
        assertTrue(o.message() instanceof Prepare, "unexpected " + o);
        resentTo.add(o.to());
      }
    }
    assertEquals(List.of(2), resentTo, "one retransmission after retransmitTicks, only to the peer that never answered");
    p.onTick();
    assertSame(Proposer.Phase.FOLLOWER, p.phase(), "phase 1 must time out after prepareTimeoutTicks");
  }

  @Test
  void candidatePreparesFromItsFirstUnlearnedInstance() {
    Proposer p = proposer(CONFIG);
    p.handle(new LearnerProgress(1, 3, Fixtures.MEMBERSHIP));
    Prepare local = localPrepare(campaign(p));
    assertEquals(3, local.fromInstance());
    p.handle(new Promise(1, local.ballot(), List.of(new AcceptedValue(1, new Ballot(0, 2), value("old"))), 0));
    Decision d = p.handle(new Promise(2, local.ballot(), List.of(new AcceptedValue(4, new Ballot(0, 2), value("y"))), 0));
    Accept accept = messagesTo(d, 3, Accept.class).get(0);
    assertEquals(List.of(new Proposal(3, Value.noop()), new Proposal(4, value("y"))), accept.proposals());
  }

  @Test
  void newLeaderReproposesHighestBallotValuesAndFillsHolesWithNoops() {
    Proposer p = proposer(CONFIG);
    Prepare local = localPrepare(campaign(p));
    Ballot low = new Ballot(0, 2);
    Ballot high = new Ballot(0, 3);
    p.handle(new Promise(1, local.ballot(),
        List.of(new AcceptedValue(0, low, value("A")), new AcceptedValue(2, low, value("C"))), 0));
    Decision d = p.handle(new Promise(3, local.ballot(),
        List.of(new AcceptedValue(0, high, value("B")), new AcceptedValue(4, high, value("E"))), 0));
    assertTrue(p.isLeader());
    List<Proposal> expected = List.of(new Proposal(0, value("B")), new Proposal(1, Value.noop()),
        new Proposal(2, value("C")), new Proposal(3, Value.noop()), new Proposal(4, value("E")));
    for (int m : Fixtures.MEMBERS) {
      List<Accept> accepts = messagesTo(d, m, Accept.class);
      assertEquals(1, accepts.size(), "all recovered instances travel to node " + m + " in one Accept");
      assertEquals(local.ballot(), accepts.get(0).ballot());
      assertEquals(expected, accepts.get(0).proposals());
      assertTrue(accepts.get(0).leaseTick() >= 0, "the first accept of a new leader asks for a lease");
    }
    assertEquals(5, p.instancesInFlight());
  }

  /**
   * A promise arrives in pages when its report is larger than max-batch-bytes: the candidate joins
   * them in any order, asks again for a lost one, counts the promise once it has all of them, takes
   * every page's values into account, and re-proposes them in Accepts of at most max-batch-bytes of
   * values each.
   */
  @Test
  void pagedPromisesAreJoinedAndTheirValuesReproposedInAcceptsOfAtMostMaxBatchBytes() {
    int valueBytes = value("A").bytes().length;
    Proposer p = proposer(config(1).maxBatchBytes(2 * (valueBytes + Value.ENTRY_OVERHEAD_BYTES)).build());
    Prepare local = localPrepare(campaign(p));
    Ballot b = local.ballot();
    Ballot old = new Ballot(0, 2);
    Decision own = p.handle(new Promise(1, b, List.of(new AcceptedValue(0, old, value("A"))), 0, -1, -1));
    assertEquals(2, messages(own, Prepare.class).size(), "our own promise is durable: the peers are asked");
    // Node 2's report has three pages: the last arrives first, the middle one is lost.
    Decision page3 = p.handle(new Promise(2, b, List.of(new AcceptedValue(4, old, value("E"))), 0, 4, -1));
    assertEquals(List.of(), messages(page3, PrepareMore.class));
    p.handle(new Promise(2, b, List.of(new AcceptedValue(1, old, value("B"))), 0, -1, 2));
    assertFalse(p.isLeader(), "a promise counts only once all its pages are in");
    assertSame(Decision.NONE, p.handle(new Promise(2, b, List.of(new AcceptedValue(1, old, value("X"))), 0, -1, 2)),
        "a repeated page is ignored");
    boolean askedAgain = false;
    for (int t = 0; t < CONFIG.retransmitTicks(); t++) {
      Decision d = p.onTick();
      if (!messages(d, PrepareMore.class).isEmpty() || !messages(d, Prepare.class).isEmpty()) {
        assertEquals(List.of(new PrepareMore(1, b, 2)), messagesTo(d, 2, PrepareMore.class),
            "the lost page is asked for again: " + d);
        assertEquals(List.of(), messagesTo(d, 2, Prepare.class), "not the whole report again: " + d);
        askedAgain = true;
      }
    }
    assertTrue(askedAgain, "the lost page was asked for within retransmitTicks");
    assertFalse(p.isLeader());
    Decision won = p.handle(new Promise(2, b, List.of(new AcceptedValue(2, old, value("C"))), 0, 2, 4));
    assertTrue(p.isLeader());
    List<Proposal> expected = List.of(new Proposal(0, value("A")), new Proposal(1, value("B")),
        new Proposal(2, value("C")), new Proposal(3, Value.noop()), new Proposal(4, value("E")));
    for (int m : Fixtures.MEMBERS) {
      List<Accept> accepts = messagesTo(won, m, Accept.class);
      List<Proposal> all = new ArrayList<>();
      for (Accept a : accepts) {
        long bytes = a.proposals().stream().mapToLong(pr -> pr.value().bytes().length).sum();
        assertTrue(bytes <= 2 * valueBytes, "an Accept to node " + m + " carries " + bytes + " bytes of values");
        assertTrue(a.leaseTick() >= 0);
        all.addAll(a.proposals());
      }
      assertTrue(accepts.size() > 1, "the re-proposals to node " + m + " are split: " + accepts);
      assertEquals(expected, all, "every page's value is re-proposed, in order");
    }
  }

  @Test
  void promiseFromAPeerThatForgotUnlearnedInstancesPreventsLeadership() {
    Proposer p = proposer(CONFIG);
    Prepare local = localPrepare(campaign(p));
    p.handle(new Promise(1, local.ballot(), List.of(), 0));
    Decision d = p.handle(new Promise(2, local.ballot(), List.of(), 7));
    assertFalse(p.isLeader());
    assertEquals(List.of(), messages(d, Accept.class));
    assertEquals(List.of(new Outbound(1, new BehindHint(1, 7, 2))), d.sendNow());
    assertSame(Decision.NONE, p.handle(new Promise(3, local.ballot(), List.of(), 0)),
        "late promises of the abandoned ballot must not make it leader");
  }

  @Test
  void refusalFromItsOwnAcceptorEndsTheCampaignAndRaisesTheNextBallot() {
    Proposer p = proposer(CONFIG);
    Prepare local = localPrepare(campaign(p));
    p.handle(new Rejected(1, local.ballot(), new Ballot(5, 2), false));
    assertSame(Proposer.Phase.FOLLOWER, p.phase());
    assertEquals(2, p.leaderHint());
    Prepare next = localPrepare(campaign(p));
    assertEquals(new Ballot(6, 1), next.ballot());
  }

  // ---- steady state ----

  @Test
  void leaderProposesNewCommandsWithAcceptOnly() {
    Proposer p = proposer(CONFIG);
    lead(p);
    Decision d = p.onClientCommand(command(7, 1, "x"));
    assertEquals(List.of(), messages(d, Prepare.class));
    for (int m : Fixtures.MEMBERS) {
      assertEquals(List.of(List.of("x")), proposedBatches(d, m));
      assertEquals(-1, messagesTo(d, m, Accept.class).get(0).leaseTick());
    }
  }

  @Test
  void windowBoundsInstancesInFlightAndBatchesWaitingCommandsUpToMaxBatchCommands() {
    Proposer p = proposer(config(1).window(2).maxBatchCommands(3).build());
    lead(p);
    assertEquals(List.of(List.of("c1")), proposedBatches(p.onClientCommand(command(7, 1, "c1")), 2));
    assertEquals(List.of(List.of("c2")), proposedBatches(p.onClientCommand(command(7, 2, "c2")), 2));
    for (int i = 3; i <= 7; i++) {
      Decision d = p.onClientCommand(command(7, i, "c" + i));
      assertEquals(List.of(), messages(d, Accept.class), "window full, c" + i + " must wait");
    }
    assertEquals(2, p.instancesInFlight());
    assertEquals(5, p.pendingCommands());

    assertEquals(List.of(), messages(ack(p, 1, -1, 0L), Accept.class), "one acceptance is not a quorum");
    Decision freed = ack(p, 2, -1, 0L);
    for (int m : Fixtures.MEMBERS) {
      assertEquals(List.of(List.of("c3", "c4", "c5")), proposedBatches(freed, m));
    }
    assertEquals(2, messagesTo(freed, 2, Accept.class).get(0).proposals().get(0).instance());
    assertEquals(2, p.pendingCommands());

    ack(p, 1, -1, 1L);
    assertEquals(List.of(List.of("c6", "c7")), proposedBatches(ack(p, 3, -1, 1L), 3));
    assertEquals(0, p.pendingCommands());
    assertEquals(2, p.instancesInFlight());
  }

  @Test
  void batchesRespectMaxBatchBytesButAnOversizedCommandStillGoesAlone() {
    // payload of 10 bytes: 30 bytes per command in a batch, so 60 bytes hold two.
    Proposer p = proposer(config(1).window(1).maxBatchCommands(100).maxBatchBytes(60).build());
    lead(p);
    p.onClientCommand(command(7, 1, "0123456789"));
    p.onClientCommand(command(7, 2, "abcdefghij"));
    p.onClientCommand(command(7, 3, "klmnopqrst"));
    p.onClientCommand(command(7, 4, "x".repeat(100)));
    p.onClientCommand(command(7, 5, "uvwxyzABCD"));
    ack(p, 1, -1, 0L);
    assertEquals(List.of(List.of("abcdefghij", "klmnopqrst")), proposedBatches(ack(p, 2, -1, 0L), 2));
    ack(p, 1, -1, 1L);
    assertEquals(List.of(List.of("x".repeat(100))), proposedBatches(ack(p, 2, -1, 1L), 2));
    ack(p, 1, -1, 2L);
    assertEquals(List.of(List.of("uvwxyzABCD")), proposedBatches(ack(p, 2, -1, 2L), 2));
  }

  @Test
  void newInstancesOfOneStepTravelToEachAcceptorInOneAccept() {
    Proposer p = proposer(config(1).window(8).maxBatchCommands(1).build());
    lead(p);
    Decision d = p.handle(new Forward(2, List.of(command(7, 1, "a"), command(7, 2, "b"), command(7, 3, "c")), 1));
    for (int m : Fixtures.MEMBERS) {
      assertEquals(List.of(List.of("a"), List.of("b"), List.of("c")), proposedBatches(d, m));
    }
  }

  @Test
  void retransmissionCarriesEveryUnacknowledgedInstanceInOneAccept() {
    Proposer p = proposer(config(1).window(8).maxBatchCommands(1).build());
    lead(p);
    p.handle(new Forward(2, List.of(command(7, 1, "a"), command(7, 2, "b"), command(7, 3, "c")), 1));
    ack(p, 2, -1, 0L, 1L, 2L); // node 2 has them all; nodes 1 and 3 have none
    for (int t = 1; t < CONFIG.retransmitTicks(); t++) {
      Decision d = p.onTick();
      assertTrue(messages(d, Accept.class).stream().allMatch(a -> a.proposals().isEmpty()),
          "nothing is due for retransmission before retransmitTicks: " + d);
    }
    Decision d = p.onTick();
    assertEquals(List.of(List.of("a"), List.of("b"), List.of("c")), proposedBatches(d, 3));
    assertEquals(List.of(List.of("a"), List.of("b"), List.of("c")), proposedBatches(d, 1));
    assertEquals(List.of(), proposedBatches(d, 2), "node 2 acknowledged everything");
  }

  @Test
  void eachResendOfAnInstanceWaitsTwiceAsLongUpToEightTimesRetransmitTicks() {
    Proposer p = proposer(CONFIG);
    lead(p);
    p.handle(new Forward(2, List.of(command(7, 1, "a")), 1));
    List<Integer> resentAfter = new ArrayList<>();
    int last = 0;
    for (int t = 1; t <= 40 * CONFIG.retransmitTicks(); t++) {
      Decision d = p.onTick();
      if (!proposedBatches(d, 2).isEmpty()) {
        resentAfter.add(t - last);
        last = t;
      }
    }
    int r = CONFIG.retransmitTicks();
    assertEquals(List.of(r, 2 * r, 4 * r, 8 * r, 8 * r, 8 * r), resentAfter.subList(0, 6), "resends: " + resentAfter);
  }

  @Test
  void instanceIsChosenAtQuorumAndChosenOmitsTheValueForAcceptorsThatHoldIt() {
    Proposer p = proposer(CONFIG);
    lead(p);
    Value v = messagesTo(p.onClientCommand(command(7, 1, "x")), 2, Accept.class).get(0).proposals().get(0).value();
    assertEquals(List.of(), messages(ack(p, 1, -1, 0L), Chosen.class));
    Decision chosen = ack(p, 3, -1, 0L);
    assertEquals(List.of(new Chosen(1, List.of(new ChosenEntry(0, p.ballot(), null)), 1)), messagesTo(chosen, 1, Chosen.class));
    assertEquals(List.of(new Chosen(1, List.of(new ChosenEntry(0, p.ballot(), null)), 1)), messagesTo(chosen, 3, Chosen.class));
    assertEquals(List.of(new Chosen(1, List.of(new ChosenEntry(0, p.ballot(), v)), 1)), messagesTo(chosen, 2, Chosen.class));
    assertEquals(0, p.instancesInFlight());
    assertEquals(List.of(), messages(ack(p, 2, -1, 0L), Chosen.class), "a late acceptance announces nothing again");
  }

  @Test
  void acceptanceForAnotherBallotCountsForNothing() {
    Proposer p = proposer(CONFIG);
    lead(p);
    p.onClientCommand(command(7, 1, "x"));
    ack(p, 1, -1, 0L);
    Decision d = p.handle(new Accepted(2, new Ballot(p.ballot().round() - 1, 2), List.of(0L), -1, 0));
    assertEquals(List.of(), messages(d, Chosen.class));
    assertEquals(1, p.instancesInFlight());
  }

  @Test
  void heartbeatAsksForALeaseAndTellsLearnersTheHorizon() {
    Proposer p = proposer(CONFIG);
    lead(p);
    for (int t = 1; t < CONFIG.heartbeatTicks(); t++) {
      assertTrue(p.onTick().isEmpty());
    }
    Decision beat = p.onTick();
    for (int m : Fixtures.MEMBERS) {
      Accept a = messagesTo(beat, m, Accept.class).get(0);
      assertEquals(List.of(), a.proposals());
      assertTrue(a.leaseTick() >= 0);
    }
    assertEquals(List.of(new Chosen(1, List.of(), 0)), messagesTo(beat, 2, Chosen.class));
    assertEquals(List.of(), messagesTo(beat, 1, Chosen.class));
  }

  /**
   * Ticks {@code p} as many ticks as it says are quiet, checking that all but the last do nothing;
   * returns what the last one did.
   */
  private static Decision sleepUntilDue(Proposer p) {
    long quiet = p.ticksUntilDue();
    for (long t = 1; t < quiet; t++) {
      Decision d = p.onTick();
      assertTrue(d.isEmpty(), "tick " + t + " of " + quiet + " quiet ones did " + d);
    }
    return p.onTick();
  }

  @Test
  void ticksUntilDueNamesTheNextElectionHeartbeatAndResend() {
    Proposer p = proposer(CONFIG);
    // A follower: nothing until its election deadline, then it campaigns.
    Decision campaign = sleepUntilDue(p);
    Prepare prepare = localPrepare(campaign);
    // A candidate waiting for its own acceptor: nothing until the phase deadline.
    assertEquals(CONFIG.prepareTimeoutTicks(), p.ticksUntilDue());
    p.handle(new Promise(1, prepare.ballot(), List.of(), 0));
    // Asking the peers: the next resend of the prepares comes first.
    assertEquals(CONFIG.retransmitTicks(), p.ticksUntilDue());
    assertEquals(2, messages(sleepUntilDue(p), Prepare.class).size(), "the prepares resent to both peers");
    p.handle(new Promise(2, prepare.ballot(), List.of(), 0));
    assertTrue(p.isLeader());
    // A leader: its heartbeat, or a resend when one comes first.
    assertEquals(CONFIG.heartbeatTicks(), p.ticksUntilDue());
    assertEquals(3, messages(sleepUntilDue(p), Accept.class).size(), "the heartbeat");
    p.onClientCommand(command(7, 1, "x"));
    ack(p, 1, -1, 0L);
    for (int beats = 0; beats < 20; beats++) {
      long quiet = p.ticksUntilDue();
      assertTrue(quiet >= 1 && quiet <= CONFIG.heartbeatTicks(), "quiet for " + quiet);
      sleepUntilDue(p);
    }
    assertEquals(1, p.instancesInFlight(), "still unanswered by nodes 2 and 3, and resent all along");
  }

  // ---- stepping down ----

  @Test
  void rejectionWithAHigherBallotMakesTheLeaderStepDownAndForwardWaitingCommands() {
    Proposer p = proposer(config(1).window(1).build());
    lead(p);
    p.onClientCommand(command(7, 1, "in flight"));
    p.onClientCommand(command(7, 2, "waiting 1"));
    p.onClientCommand(command(8, 1, "waiting 2"));
    Ballot higher = new Ballot(p.ballot().round() + 1, 3);
    Decision d = p.handle(new Rejected(2, p.ballot(), higher, false));
    assertFalse(p.isLeader());
    assertEquals(3, p.leaderHint());
    assertEquals(List.of(new Outbound(3, new Forward(1, List.of(command(7, 2, "waiting 1"), command(8, 1, "waiting 2")), 1))),
        d.sendNow());
    assertEquals(0, p.pendingCommands());
    assertEquals(0, p.instancesInFlight());
  }

  @Test
  void staleRejectionDoesNotDethroneTheLeader() {
    Proposer p = proposer(CONFIG);
    lead(p);
    assertSame(Decision.NONE, p.handle(new Rejected(2, Ballot.ZERO, new Ballot(9, 3), false)));
    assertTrue(p.isLeader());
  }

  @Test
  void leaderStepsDownOnSeeingAHigherLeader() {
    Proposer p = proposer(CONFIG);
    lead(p);
    p.handle(new LeaderSeen(1, new Ballot(p.ballot().round() + 1, 2)));
    assertFalse(p.isLeader());
    assertEquals(2, p.leaderHint());
  }

  @Test
  void leaderStepsDownWhenItsLearnerAppliedInstancesItNeverProposed() {
    Proposer p = proposer(CONFIG);
    lead(p);
    p.handle(new LearnerProgress(1, 5, Fixtures.MEMBERSHIP));
    assertFalse(p.isLeader());
  }

  // ---- leadership transfer ----

  /** The leader {@code p}, holding a lease granted by nodes 1 and 3. */
  private static Proposer leaseHolder() {
    Proposer p = proposer(CONFIG);
    long asked = messagesTo(lead(p), 2, Accept.class).get(0).leaseTick();
    ack(p, 1, asked);
    ack(p, 3, asked);
    assertTrue(p.hasLease());
    return p;
  }

  @Test
  void aHandoverDropsTheLeaseAtOnceAndTellsTheTargetOnceAMajorityWithItsAcceptorGaveTheLeaseBack() {
    Proposer p = leaseHolder();
    Decision d = p.transferLeadership(2);
    assertFalse(p.hasLease(), "no lease reads once the handover begins");
    assertEquals(2, p.transferringTo());
    for (int m : Fixtures.MEMBERS) {
      assertEquals(List.of(Accept.RELEASE_LEASE), messagesTo(d, m, Accept.class).stream().map(Accept::leaseTick).toList());
    }
    assertEquals(List.of(), messages(ack(p, 1, Accept.RELEASE_LEASE), TimeoutNow.class));
    assertEquals(List.of(), messages(ack(p, 3, Accept.RELEASE_LEASE), TimeoutNow.class),
        "a majority gave it back, but not the target, whose own acceptor would refuse its campaign");
    assertEquals(List.of(new TimeoutNow(1, p.ballot())), messagesTo(ack(p, 2, Accept.RELEASE_LEASE), 2, TimeoutNow.class));
    // Until the target takes over, heartbeats ask for no lease, and a lease grant counts for nothing.
    Decision beat = sleepUntilDue(p);
    assertEquals(Accept.RELEASE_LEASE, messagesTo(beat, 3, Accept.class).get(0).leaseTick());
    assertEquals(List.of(new TimeoutNow(1, p.ballot())), messagesTo(beat, 2, TimeoutNow.class), "sent again");
    assertTrue(p.isLeader(), "it leads until it meets the target's ballot");
    p.handle(new Rejected(3, p.ballot(), new Ballot(p.ballot().round() + 1, 2), false));
    assertFalse(p.isLeader());
    assertEquals(-1, p.transferringTo());
  }

  @Test
  void aHandoverThatDoesNotHappenInTimeMakesTheLeaderStepDownWithoutALease() {
    Proposer p = leaseHolder();
    p.transferLeadership(3);
    for (int t = 0; t < CONFIG.electionTimeoutTicks() && p.isLeader(); t++) {
      p.onTick();
      assertFalse(p.hasLease());
    }
    assertFalse(p.isLeader(), "still leading after an election timeout of failed handover");
    assertEquals(-1, p.transferringTo());
  }

  @Test
  void timeoutNowMakesAFollowerCampaignAtOnceUnlessItKnowsANewerLeader() {
    Proposer p = proposer(CONFIG);
    Ballot leader = new Ballot(3, 2);
    p.handle(new LeaderSeen(1, leader));
    assertEquals(List.of(), messages(p.handle(new TimeoutNow(2, new Ballot(2, 2))), Prepare.class), "a stale one");
    Prepare prepare = localPrepare(p.handle(new TimeoutNow(2, leader)));
    assertTrue(prepare.ballot().isAbove(leader));
  }

  @Test
  void aHandoverRequestAtAFollowerGoesToTheLeaderAndAnUnknownTargetIsRefused() {
    Proposer p = proposer(CONFIG);
    p.handle(new LeaderSeen(1, new Ballot(3, 2)));
    assertEquals(List.of(new TransferLeadership(1, 3, 1)), messagesTo(p.transferLeadership(3), 2, TransferLeadership.class));
    assertThrows(IllegalArgumentException.class, () -> p.transferLeadership(9));
    Proposer leader = leaseHolder();
    assertSame(Decision.NONE, leader.transferLeadership(1), "to itself: nothing to do");
    assertTrue(leader.hasLease());
    leader.transferLeadership(2);
    assertSame(Decision.NONE, leader.transferLeadership(3), "one handover at a time");
    assertEquals(2, leader.transferringTo());
  }

  // ---- leases and reads ----

  @Test
  void leaseNeedsAMajorityOfGrantsAndEndsLeaderLeaseTicksAfterItWasAskedFor() {
    Proposer p = proposer(CONFIG);
    long asked = messagesTo(lead(p), 2, Accept.class).get(0).leaseTick();
    assertFalse(p.hasLease());
    ack(p, 1, asked);
    assertFalse(p.hasLease(), "one grant of three is no lease");
    ack(p, 3, asked);
    assertTrue(p.hasLease());
    for (long t = 1; t < CONFIG.leaderLeaseTicks(); t++) {
      p.onTick();
      assertTrue(p.hasLease(), "lease lost " + t + " ticks after asking");
    }
    p.onTick();
    assertFalse(p.hasLease(), "lease must end " + CONFIG.leaderLeaseTicks() + " ticks after it was asked for");
    assertTrue(p.isLeader(), "an expired lease does not end leadership");
  }

  @Test
  void grantsForAHeartbeatRenewTheLease() {
    Proposer p = proposer(CONFIG);
    long first = messagesTo(lead(p), 2, Accept.class).get(0).leaseTick();
    ack(p, 1, first);
    ack(p, 2, first);
    Accept beat = null;
    while (beat == null) {
      List<Accept> sent = messagesTo(p.onTick(), 2, Accept.class);
      beat = sent.isEmpty() ? null : sent.get(0);
    }
    ack(p, 1, beat.leaseTick());
    ack(p, 2, beat.leaseTick());
    long end = beat.leaseTick() + CONFIG.leaderLeaseTicks();
    assertTrue(end > first + CONFIG.leaderLeaseTicks());
    for (long now = beat.leaseTick(); now < end - 1; now++) {
      p.onTick(); // passes the end of the first lease on the way
    }
    assertTrue(p.hasLease(), "the later grants must extend the lease");
    p.onTick();
    assertFalse(p.hasLease(), "the renewed lease ends leaderLeaseTicks after its heartbeat was sent");
  }

  @Test
  void leaseReadIsServedLocallyThroughTheLearner() {
    Proposer p = proposer(CONFIG);
    long asked = messagesTo(lead(p), 2, Accept.class).get(0).leaseTick();
    p.onClientCommand(command(7, 1, "x"));
    p.onClientCommand(command(7, 2, "y"));
    ack(p, 1, asked);
    ack(p, 2, asked);
    Decision d = p.handle(new ClientRead(1, 77, bytes("q")));
    assertEquals(List.of(), d.reads());
    assertEquals(1, d.sendNow().size());
    Outbound o = d.sendNow().get(0);
    assertEquals(1, o.to());
    ReadAt readAt = (ReadAt) o.message();
    assertEquals(77, readAt.readId());
    assertEquals(1, readAt.readIndex(), "the read waits for every instance assigned so far");
    assertEquals("q", string(readAt.query()));
  }

  @Test
  void readWithoutLeaseIsRefusedWithTheLeaderHint() {
    Proposer leader = proposer(CONFIG);
    lead(leader);
    Decision atLeader = leader.handle(new ClientRead(1, 5, bytes("q")));
    assertEquals(List.of(), outbound(atLeader));
    assertEquals(1, atLeader.reads().size());
    assertFalse(atLeader.reads().get(0).served());
    assertEquals(5, atLeader.reads().get(0).readId());
    assertEquals(1, atLeader.reads().get(0).leaderHint());

    Proposer follower = proposer(CONFIG);
    follower.handle(new LeaderSeen(1, new Ballot(4, 3)));
    ReadOutcome refused = follower.handle(new ClientRead(1, 6, bytes("q"))).reads().get(0);
    assertFalse(refused.served());
    assertEquals(3, refused.leaderHint());
    assertNull(refused.result());
  }

  // ---- client commands at followers ----

  @Test
  void waitingCommandsAreForwardedInPartsOfAtMostMaxBatchBytes() {
    // Five waiting commands of 400 bytes, a 1,000-byte limit: forwarded two, two and one.
    Proposer p = proposer(config(1).window(1).maxBatchBytes(1000).build());
    lead(p);
    p.onClientCommand(command(7, 1, "in flight"));
    for (int i = 2; i <= 6; i++) {
      p.onClientCommand(command(7, i, "x".repeat(400)));
    }
    Decision d = p.handle(new Rejected(2, p.ballot(), new Ballot(p.ballot().round() + 1, 3), false));
    List<Forward> parts = messages(d, Forward.class);
    assertEquals(List.of(2, 2, 1), parts.stream().map(f -> f.commands().size()).toList());
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L), parts.stream().flatMap(f -> f.commands().stream())
        .map(ClientCommand::sequence).toList(), "every waiting command, in order");
  }

  @Test
  void followerForwardsClientCommandsToTheLeaderItKnows() {
    Proposer p = proposer(CONFIG);
    p.handle(new LeaderSeen(1, new Ballot(2, 3)));
    assertEquals(3, p.leaderHint());
    Decision d = p.onClientCommand(command(7, 1, "x"));
    assertEquals(List.of(new Outbound(3, new Forward(1, List.of(command(7, 1, "x")), 1))), d.sendNow());
    assertEquals(0, p.pendingCommands());
  }

  @Test
  void commandsWaitUntilALeaderIsKnownAndThenFollowIt() {
    Proposer p = proposer(CONFIG);
    assertTrue(outbound(p.onClientCommand(command(7, 1, "x"))).isEmpty());
    assertEquals(1, p.pendingCommands());
    Decision d = p.handle(new LeaderSeen(1, new Ballot(2, 2)));
    assertEquals(List.of(new Outbound(2, new Forward(1, List.of(command(7, 1, "x")), 1))), d.sendNow());
    assertEquals(0, p.pendingCommands());
  }

  @Test
  void forwardedCommandsStopAfterMaxForwardHopsOrWhenTheyWouldGoBack() {
    Proposer p = proposer(config(1).maxForwardHops(2).build());
    p.handle(new LeaderSeen(1, new Ballot(2, 3)));
    assertEquals(List.of(), p.handle(new Forward(2, List.of(command(7, 1, "x")), 2)).sendNow());
    assertEquals(List.of(), p.handle(new Forward(3, List.of(command(7, 2, "y")), 1)).sendNow(),
        "never send commands back to the node they came from");
    assertEquals(2, p.pendingCommands());
  }

  @Test
  void retryOfACommandAlreadyWaitingOrInFlightIsNotCarriedTwice() {
    Proposer p = proposer(config(1).window(1).build());
    lead(p);
    assertEquals(List.of(List.of("a")), proposedBatches(p.onClientCommand(command(7, 1, "a")), 2));
    assertEquals(List.of(), messages(p.onClientCommand(command(7, 1, "a")), Accept.class), "in flight already");
    p.onClientCommand(command(8, 1, "b"));
    p.onClientCommand(command(8, 1, "b"));
    p.handle(new Forward(2, List.of(command(8, 1, "b")), 1));
    assertEquals(1, p.pendingCommands(), "a retry of a waiting command must not queue a second copy");

    ack(p, 1, -1, 0L);
    Decision freed = ack(p, 2, -1, 0L);
    assertEquals(List.of(List.of("b")), proposedBatches(freed, 3));
    assertEquals(0, p.pendingCommands());
  }

  @Test
  void commandIsCarriedAgainOnceItsInstanceIsChosen() {
    Proposer p = proposer(config(1).window(1).build());
    lead(p);
    p.onClientCommand(command(7, 1, "a"));
    ack(p, 1, -1, 0L);
    ack(p, 2, -1, 0L);
    // The client did not hear the answer and retries: the learner will answer it as a duplicate.
    assertEquals(List.of(List.of("a")), proposedBatches(p.onClientCommand(command(7, 1, "a")), 2));
  }

  @Test
  void fullQueueRefusesCommandsAsOverloaded() {
    Proposer p = proposer(config(1).maxPendingCommands(2).build());
    assertEquals(List.of(), p.onClientCommand(command(7, 1, "a")).refused());
    assertEquals(List.of(), p.onClientCommand(command(7, 2, "b")).refused());
    Decision d = p.onClientCommand(command(7, 3, "c"));
    assertEquals(List.of(new Refusal(command(7, 3, "c"), Refusal.Reason.OVERLOADED, -1)), d.refused());
    assertEquals(2, p.pendingCommands());
  }

  // ---- whole nodes, routed by hand ----

  @Test
  void leaderSkipsPrepareAfterWinningPhaseOne() {
    HandRoutedGroup g = new HandRoutedGroup(b -> b, 1);
    g.elect(1);
    assertFalse(g.sentSince(0, Prepare.class).isEmpty(), "phase 1 must have run");
    int mark = g.mark();
    g.take(1, g.proposers.get(1).onClientCommand(command(7, 1, "x")));
    g.deliverAll();
    g.take(1, g.proposers.get(1).onClientCommand(command(7, 2, "y")));
    g.deliverAll();
    assertEquals(List.of(), g.sentSince(mark, Prepare.class), "a leader runs phase 2 only");
    assertEquals(List.of(), g.sentSince(mark, Promise.class));
    assertEquals(6, g.sentSince(mark, Accept.class).size(), "one Accept per acceptor per command");
    for (int n : Fixtures.MEMBERS) {
      assertEquals(List.of("x", "y"), g.stateMachines.get(n).applied, "node " + n);
    }
  }

  @Test
  void commandsAtFollowersReachTheLeaderAndAreAppliedEverywhere() {
    HandRoutedGroup g = new HandRoutedGroup(b -> b, 2);
    g.elect(1);
    g.take(3, g.proposers.get(3).onClientCommand(command(9, 1, "from 3")));
    g.deliverAll();
    g.take(2, g.proposers.get(2).onClientCommand(command(9, 2, "from 2")));
    g.deliverAll();
    for (int n : Fixtures.MEMBERS) {
      assertEquals(List.of("from 3", "from 2"), g.stateMachines.get(n).applied, "node " + n);
    }
    assertEquals(2, g.sentSince(0, Forward.class).size());
  }

  @Test
  void leasedLeaderServesReadsAfterItsWritesAreApplied() {
    HandRoutedGroup g = new HandRoutedGroup(b -> b, 3);
    g.elect(1);
    assertTrue(g.proposers.get(1).hasLease());
    g.take(1, g.proposers.get(1).onClientCommand(command(7, 1, "x")));
    g.take(1, g.proposers.get(1).handle(new ClientRead(1, 11, bytes("q"))));
    g.deliverAll();
    List<ReadOutcome> reads = g.reads.get(1);
    assertEquals(1, reads.size());
    assertTrue(reads.get(0).served());
    assertEquals(0, reads.get(0).appliedThrough());
    assertEquals("q:x", string(reads.get(0).result()), "the read must see the write issued before it");
  }

  // ---- ballots across restarts ----

  /**
   * DESIGN/protocol: the local acceptor's durable promise covers every ballot this node used, "so
   * a restarted proposer can never reuse a ballot". A restarted proposer starts from Ballot.ZERO,
   * and the acceptor answers a prepare equal to its promise, so the first ballot after a restart
   * can be the one used before the crash.
   */
  @Test
  void restartedProposerCampaignsAboveTheBallotItsAcceptorPromisedBeforeTheCrash() {
    Ballot promisedBeforeCrash = new Ballot(1, 1);
    Acceptor acceptor = Acceptor.recover(CONFIG, List.of(new Promised(promisedBeforeCrash)));
    Proposer proposer = new Proposer(CONFIG, new SplittableRandom(3));
    Prepare toPeers = null;
    for (int t = 0; t < 500 && toPeers == null; t++) {
      acceptor.onTick();
      List<Outbound> local = new ArrayList<>(outbound(proposer.onTick()));
      while (!local.isEmpty() && toPeers == null) {
        Outbound o = local.remove(0);
        if (o.to() != 1) {
          toPeers = o.message() instanceof Prepare prepare ? prepare : null;
        } else if (o.message() instanceof ToAcceptor m) {
          local.addAll(outbound(acceptor.handle(m)));
        } else if (o.message() instanceof ToProposer m) {
          local.addAll(outbound(proposer.handle(m)));
        }
      }
    }
    assertNotNull(toPeers, "the restarted proposer never got its own acceptor's promise");
    assertTrue(toPeers.ballot().isAbove(promisedBeforeCrash),
        "restarted proposer asks its peers to promise ballot " + toPeers.ballot()
            + ", which it may already have used before the crash (its acceptor promised " + promisedBeforeCrash + ")");
  }

  /**
   * The consequence of the ballot reuse above, end to end. Before the crash node 1 led at ballot
   * 1.1 and proposed A for instance 0; node 2 accepted it, node 1 crashed before its own write was
   * durable and the accept to node 3 was lost. Node 1 restarts, wins phase 1 again with nodes 1 and
   * 3 (its prepare to node 2 is slow) and proposes X for instance 0: if it reuses ballot 1.1, node
   * 2 takes the accept of X as a retransmission (same ballot), keeps A, acknowledges, and then
   * learns A from the value-less Chosen while nodes 1 and 3 learn X.
   */
  @Test
  void learnersAgreeAfterTheFirstLeaderRestartsAndLeadsAgain() {
    Ballot first = new Ballot(1, 1);
    Value a = value(command(5, 1, "A"));
    // A long election timeout keeps nodes 2 and 3 following while node 1 restarts.
    HandRoutedGroup g = new HandRoutedGroup(b -> b.electionTimeoutTicks(100), 4);
    g.recoverAcceptor(1, List.of(new Promised(first)));
    g.recoverAcceptor(2, List.of(new Promised(first), new AcceptedValues(first, List.of(new Proposal(0, a)))));
    g.recoverAcceptor(3, List.of(new Promised(first)));
    g.take(2, g.learners.get(2).handle(new LocalAccepted(2, List.of(new AcceptedValue(0, first, a)))));

    Predicate<Envelope> prepareToNode2IsSlow = e -> !(e.message() instanceof Prepare && e.to() == 2);
    g.elect(1, prepareToNode2IsSlow);
    g.take(1, g.proposers.get(1).onClientCommand(command(6, 1, "X")));
    g.deliverWhile(prepareToNode2IsSlow);

    List<String> node1 = g.stateMachines.get(1).applied;
    List<String> node2 = g.stateMachines.get(2).applied;
    assertFalse(node1.isEmpty(), "node 1 applied nothing");
    assertFalse(node2.isEmpty(), "node 2 applied nothing");
    assertEquals(node1, node2, "nodes 1 and 2 learned different values for instance 0 (leader ballot "
        + g.proposers.get(1).ballot() + ", node 2 holds " + g.acceptors.get(2).acceptedAt(0) + ")");
    assertEquals(node1, g.stateMachines.get(3).applied);
  }

  @Test
  void rejectedBallotsAreNeverUsedAgain() {
    Proposer p = proposer(CONFIG);
    List<Ballot> used = new ArrayList<>();
    for (int attempt = 0; attempt < 5; attempt++) {
      Prepare local = localPrepare(campaign(p));
      used.add(local.ballot());
      p.handle(new Rejected(1, local.ballot(), Ballot.ZERO, true));
    }
    for (int i = 1; i < used.size(); i++) {
      assertTrue(used.get(i).isAbove(used.get(i - 1)), "ballots must rise: " + used);
    }
    assertEquals(used.size(), used.stream().distinct().count(), Arrays.toString(used.toArray()));
  }
}
