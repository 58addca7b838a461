package io.synod.paxos;

import static io.synod.paxos.Fixtures.campaign;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.lead;
import static io.synod.paxos.Fixtures.localPrepare;
import static io.synod.paxos.Fixtures.messages;
import static io.synod.paxos.Fixtures.messagesTo;
import static io.synod.paxos.Fixtures.outbound;
import static io.synod.paxos.Fixtures.proposer;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.AcceptorRecord.AcceptedValues;
import io.synod.paxos.AcceptorRecord.Promised;
import io.synod.paxos.HandRoutedGroup.Envelope;
import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.BehindHint;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.Forward;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.LearnerProgress;
import io.synod.paxos.Message.LocalAccepted;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.PrepareMore;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.Rejected;
import io.synod.paxos.Message.ToAcceptor;
import io.synod.paxos.Message.ToProposer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The proposer of node 1 in the group {1, 2, 3} campaigning: when it starts phase 1, how it gathers
 * promises (its own acceptor's first), what it re-proposes once it wins, when it gives up or steps
 * down, and that it never uses a ballot twice, across restarts too.
 */
class ProposerElectionTest {

  private static final GroupConfig CONFIG = config(1).build();

  // ---- election ----

  @Test
  void proposerCampaignsOnlyAfterTheElectionTimeout() {
    for (GroupConfig c : List.of(CONFIG, config(1).tuning(Tuning.DEFAULTS.withElectionTimeoutTicks(50)).build())) {
      long quiet = Math.max(c.tuning().electionTimeoutTicks(), c.tuning().leaseTicks());
      for (int seed = 0; seed < 20; seed++) {
        Proposer p = new Proposer(c, new SplittableRandom(seed));
        int tick = 0;
        Decision d;
        do {
          tick++;
          d = p.onTick();
          assertTrue(tick <= quiet + c.tuning().electionJitterTicks(), "no campaign by tick " + tick);
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
    for (int t = 1; t < CONFIG.tuning().prepareTimeoutTicks(); t++) {
      for (Outbound o : outbound(p.onTick())) {
        assertTrue(o.message() instanceof Prepare, "unexpected " + o);
        resentTo.add(o.to());
      }
    }
    assertEquals(List.of(2), resentTo, "one retransmission after retransmitTicks, only to the peer that never answered");
    p.onTick();
    assertInstanceOf(Following.class, p.phase(), "phase 1 must time out after prepareTimeoutTicks");
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
    Proposer p = proposer(
        config(1).tuning(Tuning.DEFAULTS.withMaxBatchBytes(2 * (valueBytes + Value.ENTRY_OVERHEAD_BYTES))).build());
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
    for (int t = 0; t < CONFIG.tuning().retransmitTicks(); t++) {
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
    assertInstanceOf(Following.class, p.phase());
    assertEquals(2, p.leaderHint());
    Prepare next = localPrepare(campaign(p));
    assertEquals(new Ballot(6, 1), next.ballot());
  }

  // ---- stepping down ----

  @Test
  void rejectionWithAHigherBallotMakesTheLeaderStepDownAndForwardWaitingCommands() {
    Proposer p = proposer(config(1).tuning(Tuning.DEFAULTS.withWindow(1)).build());
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
   * A restarted node's acceptor tells its proposer what it promised once it has recovered ({@link
   * Message.PromiseRecovered}): the first campaign after the restart already asks above it, and its
   * own acceptor promises at once, with no refusal and no second campaign in between.
   */
  @Test
  void restartedProposerTakesItsAcceptorsRecoveredPromiseAndCampaignsAboveItAtOnce() {
    Ballot promisedBeforeCrash = new Ballot(7, 2);
    Acceptor acceptor = Acceptor.recover(CONFIG, List.of(new Promised(promisedBeforeCrash)));
    Proposer proposer = new Proposer(CONFIG, new SplittableRandom(3));
    for (Outbound o : outbound(acceptor.onRecovered())) {
      assertEquals(1, o.to(), "the recovered promise is for this node's proposer only");
      proposer.handle((ToProposer) o.message());
    }
    Prepare first = localPrepare(campaign(proposer));
    assertEquals(new Ballot(8, 1), first.ballot(), "the first campaign after the restart");
    for (int t = 0; t < CONFIG.tuning().leaseTicks(); t++) {
      acceptor.onTick(); // past the acceptor's restart grace, as the campaign is
    }
    Decision answer = acceptor.handle(first);
    assertEquals(List.of(new Promised(first.ballot())), answer.toPersist(), "its own acceptor promises it");
    assertTrue(messages(answer, Rejected.class).isEmpty(), "no refusal: " + answer);
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
    HandRoutedGroup g = new HandRoutedGroup(b -> b.tuning(Tuning.DEFAULTS.withElectionTimeoutTicks(100)), 4);
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
