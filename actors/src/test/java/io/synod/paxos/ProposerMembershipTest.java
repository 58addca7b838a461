package io.synod.paxos;

import static io.synod.paxos.Fixtures.GROUP;
import static io.synod.paxos.Fixtures.ack;
import static io.synod.paxos.Fixtures.campaign;
import static io.synod.paxos.Fixtures.lead;
import static io.synod.paxos.Fixtures.MEMBERS;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.messages;
import static io.synod.paxos.Fixtures.messagesTo;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.synod.paxos.Membership.Change;
import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.Accepted;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.LearnerProgress;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.TimeoutNow;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The proposer's side of membership changes, driven by hand: node 1 of the group {1, 2, 3} (with
 * learners where a test adds them) is fed promises, acceptances and its learner's progress.
 */
class ProposerMembershipTest {

  private static final GroupConfig CONFIG = config(1).build();
  /** Far more ticks than any election timeout plus jitter and the acceptors' start-up lease. */
  private static final int MANY_TICKS = 2_000;

  private static Proposer proposer(GroupConfig config) {
    return new Proposer(config, new SplittableRandom(42));
  }

  private static Membership membership(long epoch, List<Integer> voters, List<Integer> learners) {
    return new Membership(epoch, voters, learners);
  }

  /** A client's command making {@code voters} and {@code learners} the group's, made against {@code epoch}. */
  private static ClientCommand change(long epoch, List<Integer> voters, List<Integer> learners) {
    return ClientCommand.membership(99, epoch + 1, new Change(epoch, membership(0, voters, learners)));
  }

  private static Prepare localPrepare(Decision campaign, int self) {
    List<Prepare> prepares = messagesTo(campaign, self, Prepare.class);
    assertEquals(1, prepares.size(), "expected one prepare to the local acceptor: " + campaign);
    return prepares.get(0);
  }


  /** The instances a decision proposes to node {@code to}, in every Accept it sends there. */
  private static List<Long> proposedTo(Decision d, int to) {
    List<Long> instances = new ArrayList<>();
    for (Accept a : messagesTo(d, to, Accept.class)) {
      a.proposals().forEach(pr -> instances.add(pr.instance()));
    }
    return instances;
  }

  /** The nodes a decision sends an Accept proposing {@code instance} to. */
  private static TreeSet<Integer> proposedAt(Decision d, long instance) {
    TreeSet<Integer> to = new TreeSet<>();
    for (Outbound o : Fixtures.outbound(d)) {
      if (o.message() instanceof Accept a && a.proposals().stream().anyMatch(pr -> pr.instance() == instance)) {
        to.add(o.to());
      }
    }
    return to;
  }

  /** The entries a decision announces as chosen to node {@code to}. */
  private static List<ChosenEntry> chosenTo(Decision d, int to) {
    List<ChosenEntry> entries = new ArrayList<>();
    messagesTo(d, to, Chosen.class).forEach(c -> entries.addAll(c.entries()));
    return entries;
  }

  private static List<Long> chosenInstancesTo(Decision d, int to) {
    return chosenTo(d, to).stream().map(ChosenEntry::instance).toList();
  }

  // ---- learners do not campaign ----

  @Test
  void aNodeConfiguredAsALearnerNeverPrepares() {
    Proposer p = proposer(GroupConfig.builder(GROUP, 4, MEMBERS).learners(List.of(4)).build());
    for (int t = 0; t < MANY_TICKS; t++) {
      assertEquals(List.of(), messages(p.onTick(), Prepare.class), "a learner prepared at tick " + t);
    }
    assertSame(Decision.NONE, p.handle(new TimeoutNow(1, new Ballot(1, 1))), "a learner takes no handover");
    assertFalse(p.isLeader());
    assertInstanceOf(Following.class, p.phase());
  }

  @Test
  void aJoiningNodeNeverPreparesUntilAChangeMakesItAVoter() {
    Proposer p = proposer(GroupConfig.builder(GROUP, 4, MEMBERS).joining(true).build());
    for (int t = 0; t < MANY_TICKS; t++) {
      assertEquals(List.of(), messages(p.onTick(), Prepare.class), "a joining node prepared at tick " + t);
    }
    p.handle(new LearnerProgress(4, 8, membership(1, List.of(1, 2, 3, 4), List.of())));
    Prepare prepare = localPrepare(campaign(p), 4);
    assertEquals(8, prepare.fromInstance());
  }

  @Test
  void aVoterItsLearnerNamesALearnerStopsCampaigningAndTakesNoHandover() {
    Proposer p = proposer(config(3).build());
    p.handle(new LearnerProgress(3, 4, membership(1, List.of(1, 2), List.of(3))));
    for (int t = 0; t < MANY_TICKS; t++) {
      assertEquals(List.of(), messages(p.onTick(), Prepare.class), "node 3, now a learner, prepared at tick " + t);
    }
    assertSame(Decision.NONE, p.handle(new TimeoutNow(1, new Ballot(5, 1))));
    // Made a voter again, it campaigns as before: the silence above was its membership's doing.
    p.handle(new LearnerProgress(3, 6, membership(2, List.of(1, 2, 3), List.of())));
    Prepare prepare = localPrepare(campaign(p), 3);
    assertEquals(6, prepare.fromInstance());
  }

  @Test
  void olderLearnerProgressDoesNotReplaceTheMembership() {
    Proposer p = proposer(config(3).build());
    p.handle(new LearnerProgress(3, 6, membership(1, List.of(1, 2), List.of(3))));
    p.handle(new LearnerProgress(3, 2, Fixtures.MEMBERSHIP)); // late, from before the change
    assertEquals(membership(1, List.of(1, 2), List.of(3)), p.membership());
    for (int t = 0; t < MANY_TICKS; t++) {
      assertEquals(List.of(), messages(p.onTick(), Prepare.class), "prepared at tick " + t);
    }
  }

  // ---- a leader and its learners ----

  @Test
  void aLeaderSendsItsLearnerChosenValuesButNeverAnAccept() {
    Proposer p = proposer(config(1).learners(List.of(4)).build());
    Decision won = lead(p);
    assertEquals(List.of(), messagesTo(won, 4, Accept.class));
    assertEquals(1, messagesTo(won, 3, Accept.class).size(), "the voters are asked for a lease");
    ClientCommand x = command(7, 1, "x");
    Decision proposed = p.onClientCommand(x);
    assertEquals(new TreeSet<>(MEMBERS), proposedAt(proposed, 0));
    ack(p, 1, Accept.NO_LEASE, 0L);
    Decision chosen = ack(p, 2, Accept.NO_LEASE, 0L);
    assertEquals(List.of(new ChosenEntry(0, p.ballot(), value(x))), chosenTo(chosen, 4),
        "the learner accepted nothing: it gets the value");
    assertEquals(List.of(new ChosenEntry(0, p.ballot(), null)), chosenTo(chosen, 2),
        "a voter that accepted it gets the instance without the value");
    assertEquals(List.of(new ChosenEntry(0, p.ballot(), value(x))), chosenTo(chosen, 3));
    boolean toldTheHorizon = false;
    for (int t = 0; t < 100; t++) {
      Decision d = p.onTick();
      Fixtures.answerHeartbeats(p, d);
      assertEquals(List.of(), messagesTo(d, 4, Accept.class), "an Accept to the learner at tick " + t);
      toldTheHorizon |= !messagesTo(d, 4, Chosen.class).isEmpty();
    }
    assertTrue(toldTheHorizon, "heartbeats tell the learner the horizon");
    assertTrue(p.isLeader());
  }

  @Test
  void aLearnersAcceptanceDoesNotCount() {
    Proposer p = proposer(config(1).learners(List.of(4)).build());
    lead(p);
    p.onClientCommand(command(7, 1, "x"));
    ack(p, 1, Accept.NO_LEASE, 0L);
    assertEquals(List.of(), messages(ack(p, 4, Accept.NO_LEASE, 0L), Chosen.class),
        "node 1 and the learner 4 are no majority of {1, 2, 3}");
    assertEquals(1, p.instancesInFlight());
    assertEquals(List.of(0L), chosenInstancesTo(ack(p, 3, Accept.NO_LEASE, 0L), 4));
  }

  // ---- a change through the leader ----

  /**
   * After the change {1, 2, 3} -> {1, 4, 5} at instance 0 is chosen (of whose voters only node 1
   * promised this ballot), the leader runs phase 1 again, now with the new voters too, and returns
   * to leading; returns the decision that made it lead.
   */
  private static Decision changeAndLeadAgain(Proposer p) {
    ClientCommand c = change(0, List.of(1, 4, 5), List.of());
    Decision atC = p.onClientCommand(c);
    assertEquals(new TreeSet<>(List.of(1, 2, 3)), proposedAt(atC, 0), "the change itself goes to the old voters");
    assertEquals(membership(1, List.of(1, 4, 5), List.of()), p.membership());
    Decision waiting = p.onClientCommand(command(7, 1, "after"));
    assertEquals(List.of(), messages(waiting, Accept.class),
        "nothing past an undecided change to voters that did not promise this ballot");
    ack(p, 1, Accept.NO_LEASE, 0L);
    Ballot old = p.ballot();
    Decision changeChosen = ack(p, 2, Accept.NO_LEASE, 0L);
    assertEquals(List.of(new ChosenEntry(0, old, value(c))), chosenTo(changeChosen, 4),
        "a new voter learns the change that added it");
    assertEquals(List.of(0L), chosenInstancesTo(changeChosen, 3), "a removed voter hears of its removal");
    assertFalse(p.isLeader(), "the new voters never promised this ballot: phase 1 again");
    Prepare local = localPrepare(changeChosen, 1);
    assertTrue(local.ballot().isAbove(old), local.ballot() + " above " + old);
    AcceptedValue atZero = new AcceptedValue(0, old, value(c));
    Decision asked = p.handle(new Promise(1, local.ballot(), List.of(atZero), 0));
    assertTrue(preparedNodes(asked).containsAll(List.of(4, 5)), "asks the new voters: " + preparedNodes(asked));
    p.handle(new Promise(2, local.ballot(), List.of(atZero), 0));
    assertFalse(p.isLeader(), "1 and 2 are no majority of {1, 4, 5}");
    Decision won = p.handle(new Promise(4, local.ballot(), List.of(), 0));
    assertTrue(p.isLeader(), "majorities of {1, 2, 3} and of {1, 4, 5}");
    p.handle(new LearnerProgress(1, 1, membership(1, List.of(1, 4, 5), List.of()))); // instance 0 applied
    return won;
  }

  private static TreeSet<Integer> preparedNodes(Decision d) {
    TreeSet<Integer> to = new TreeSet<>();
    for (Outbound o : Fixtures.outbound(d)) {
      if (o.message() instanceof Prepare) {
        to.add(o.to());
      }
    }
    return to;
  }

  @Test
  void afterAChangeIsChosenTheLeaderRunsPhaseOneAgainAndCountsWithTheNewVoters() {
    Proposer p = proposer(CONFIG);
    lead(p);
    Decision won = changeAndLeadAgain(p);
    assertEquals(new TreeSet<>(List.of(1, 4, 5)), proposedAt(won, 1), "the waiting command goes to the new voters");
    assertEquals(List.of(), messages(ack(p, 1, Accept.NO_LEASE, 1L), Chosen.class));
    assertEquals(List.of(), messages(ack(p, 3, Accept.NO_LEASE, 1L), Chosen.class),
        "node 3 no longer votes from instance 1 on: 1 and 3 are no majority of {1, 4, 5}");
    assertEquals(1, p.instancesInFlight());
    Decision chosen = ack(p, 4, Accept.NO_LEASE, 1L);
    assertEquals(List.of(1L), chosenInstancesTo(chosen, 5), "1 and 4 are a majority of {1, 4, 5}");
    assertEquals(0, p.instancesInFlight());
  }

  @Test
  void aChangeToVotersMostOfWhichPromisedThisBallotDoesNotStopThePipeline() {
    Proposer p = proposer(CONFIG);
    lead(p); // nodes 1 and 2 promised
    p.onClientCommand(change(0, List.of(1, 2, 4), List.of()));
    Decision after = p.onClientCommand(command(7, 1, "after"));
    assertEquals(new TreeSet<>(List.of(1, 2, 4)), proposedAt(after, 1),
        "1 and 2, a majority of {1, 2, 4}, promised this ballot: instance 1 goes out at once, to the new voters");
    ack(p, 1, Accept.NO_LEASE, 1L);
    assertEquals(List.of(), messages(ack(p, 4, Accept.NO_LEASE, 1L), Chosen.class),
        "instance 1 has a majority of {1, 2, 4}, but waits for the change at 0");
    ack(p, 1, Accept.NO_LEASE, 0L);
    Decision both = ack(p, 3, Accept.NO_LEASE, 0L);
    assertEquals(List.of(0L, 1L), chosenInstancesTo(both, 2));
    assertTrue(p.isLeader(), "no second phase 1 needed");
  }

  @Test
  void anInstanceAfterAChangeIsResentOnlyToTheNewVotersThatHaveNotAccepted() {
    Proposer p = proposer(CONFIG);
    lead(p);
    changeAndLeadAgain(p);
    ack(p, 1, Accept.NO_LEASE, 1L);
    List<Integer> resent = new ArrayList<>();
    for (int t = 0; t < CONFIG.tuning().retransmitTicks(); t++) {
      Decision d = p.onTick();
      for (int m = 1; m <= 5; m++) {
        if (proposedTo(d, m).contains(1L)) {
          resent.add(m);
        }
      }
    }
    assertEquals(List.of(4, 5), resent);
  }

  @Test
  void chosenInstancesAreAnnouncedInInstanceOrder() {
    Proposer p = proposer(CONFIG);
    lead(p);
    p.onClientCommand(command(7, 1, "first"));
    p.onClientCommand(command(7, 2, "second"));
    ack(p, 1, Accept.NO_LEASE, 1L);
    assertEquals(List.of(), messages(ack(p, 2, Accept.NO_LEASE, 1L), Chosen.class),
        "instance 1 has a majority, but instance 0 is not chosen yet");
    assertEquals(2, p.instancesInFlight());
    assertEquals(List.of(), messages(ack(p, 1, Accept.NO_LEASE, 0L), Chosen.class));
    Decision both = ack(p, 3, Accept.NO_LEASE, 0L);
    for (int m : MEMBERS) {
      assertEquals(List.of(0L, 1L), chosenInstancesTo(both, m), "to node " + m);
    }
    assertEquals(0, p.instancesInFlight());
  }

  @Test
  void whileAChangeIsUnderWayTheLeaseNeedsAMajorityOfBothMemberships() {
    Proposer p = proposer(CONFIG);
    lead(p);
    p.onClientCommand(change(0, List.of(1, 4, 5), List.of()));
    Accept beat = null;
    for (int t = 0; t < 100 && beat == null; t++) {
      Decision d = p.onTick();
      List<Accept> toFive = messagesTo(d, 5, Accept.class);
      if (!toFive.isEmpty() && toFive.get(0).leaseTick() >= 0) {
        beat = toFive.get(0);
        for (int m = 1; m <= 5; m++) {
          assertEquals(1, messagesTo(d, m, Accept.class).size(), "the heartbeat goes to every voter of both: " + m);
        }
      }
    }
    assertNotNull(beat, "no heartbeat asking for a lease");
    ack(p, 1, beat.leaseTick());
    ack(p, 2, beat.leaseTick());
    ack(p, 3, beat.leaseTick());
    assertFalse(p.hasLease(), "all the old voters granted it, but only node 1 of the new ones");
    ack(p, 4, beat.leaseTick());
    assertTrue(p.hasLease());
  }

  @Test
  void aLeaderStepsDownWhenItsLearnerAppliedAnotherMembershipThanItProposed() {
    Proposer p = proposer(CONFIG);
    lead(p);
    p.onClientCommand(change(0, List.of(1, 2, 4), List.of()));
    ack(p, 1, Accept.NO_LEASE, 0L);
    ack(p, 2, Accept.NO_LEASE, 0L);
    p.handle(new LearnerProgress(1, 1, membership(1, List.of(1, 2, 5), List.of())));
    assertFalse(p.isLeader(), "another value was chosen at instance 0: another leader has been at work");
  }

  // ---- phase 1 across a change ----

  /** The nodes a decision sends a Prepare to, in id order. */
  private static List<Integer> preparedTo(Decision d) {
    return Fixtures.outbound(d).stream().filter(o -> o.message() instanceof Prepare).map(Outbound::to).sorted().toList();
  }

  /**
   * Node 1 campaigns and its own acceptor reports {@code changeValue} accepted at instance 0; checks
   * whom the candidate then asks for a promise. Returns the ballot.
   */
  private static Ballot campaignOverAChange(Proposer p, Value changeValue, List<Integer> askedAfterOwnPromise) {
    Prepare local = localPrepare(campaign(p), 1);
    Decision own = p.handle(new Promise(1, local.ballot(), List.of(new AcceptedValue(0, new Ballot(0, 2), changeValue)), 0));
    for (Prepare pr : messages(own, Prepare.class)) {
      assertEquals(new Prepare(1, local.ballot(), 0), pr);
    }
    assertEquals(askedAfterOwnPromise, preparedTo(own),
        "the voters of both the old membership and the one the reported change makes");
    return local.ballot();
  }

  @Test
  void phaseOneAsksTheVotersOfAReportedChangeAndNeedsAMajorityOfBothMemberships() {
    Value changeValue = value(change(0, List.of(1, 4, 5), List.of()));
    // Old voters first: {1, 2, 3} is satisfied, {1, 4, 5} is not until node 5 promises.
    Proposer p = proposer(CONFIG);
    Ballot b = campaignOverAChange(p, changeValue, List.of(2, 3, 4, 5));
    p.handle(new Promise(2, b, List.of(), 0));
    p.handle(new Promise(3, b, List.of(), 0));
    assertFalse(p.isLeader(), "a majority of the old voters alone");
    Decision won = p.handle(new Promise(5, b, List.of(), 0));
    assertTrue(p.isLeader());
    assertEquals(new TreeSet<>(List.of(1, 2, 3)), proposedAt(won, 0), "the change is re-proposed to the old voters");
    assertEquals(membership(1, List.of(1, 4, 5), List.of()), p.membership());
    assertEquals(new TreeSet<>(List.of(1, 4, 5)), proposedAt(p.onClientCommand(command(7, 1, "x")), 1));

    // New voters first: {1, 4, 5} is satisfied, {1, 2, 3} is not until node 2 promises.
    Proposer q = proposer(CONFIG);
    Ballot c = campaignOverAChange(q, changeValue, List.of(2, 3, 4, 5));
    q.handle(new Promise(4, c, List.of(), 0));
    q.handle(new Promise(5, c, List.of(), 0));
    assertFalse(q.isLeader(), "a majority of the new voters alone");
    q.handle(new Promise(2, c, List.of(), 0));
    assertTrue(q.isLeader());
  }

  @Test
  void phaseOneAsksTheNewVotersWhenAPeersPromiseReportsTheChange() {
    Value changeValue = value(change(0, List.of(1, 4, 5), List.of()));
    Proposer p = proposer(CONFIG);
    Prepare local = localPrepare(campaign(p), 1);
    Decision own = p.handle(new Promise(1, local.ballot(), List.of(), 0));
    assertEquals(List.of(2, 3), preparedTo(own));
    Decision reported = p.handle(new Promise(2, local.ballot(), List.of(new AcceptedValue(0, new Ballot(0, 3), changeValue)), 0));
    assertFalse(p.isLeader(), "{1, 2} is a majority of the old voters only");
    assertEquals(List.of(4, 5), preparedTo(reported));
    p.handle(new Promise(4, local.ballot(), List.of(), 0));
    assertTrue(p.isLeader());
  }

  @Test
  void aRefusedChangeReportedInPhaseOneAsksNoOtherVoters() {
    Value stale = value(change(7, List.of(1, 4, 5), List.of())); // made against epoch 7: refused at epoch 0
    Proposer p = proposer(CONFIG);
    Ballot b = campaignOverAChange(p, stale, List.of(2, 3));
    p.handle(new Promise(2, b, List.of(), 0));
    assertTrue(p.isLeader());
    assertEquals(Fixtures.MEMBERSHIP, p.membership());
  }

  @Test
  void aSecondChangeWaitsUntilTheFirstIsChosenAndTheNewVotersPromised() {
    Proposer p = proposer(CONFIG);
    lead(p);
    p.onClientCommand(change(0, List.of(1, 4, 5), List.of()));
    Decision second = p.onClientCommand(change(1, List.of(1, 4, 6), List.of(2)));
    assertEquals(List.of(), messages(second, Accept.class), "the second change waits behind the first");
    ack(p, 1, Accept.NO_LEASE, 0L);
    Ballot old = p.ballot();
    Decision chosen = ack(p, 2, Accept.NO_LEASE, 0L);
    Prepare local = localPrepare(chosen, 1);
    AcceptedValue atZero = new AcceptedValue(0, old, value(change(0, List.of(1, 4, 5), List.of())));
    p.handle(new Promise(1, local.ballot(), List.of(atZero), 0));
    p.handle(new Promise(2, local.ballot(), List.of(atZero), 0));
    assertFalse(p.isLeader(), "no majority of {1, 4, 5} yet");
    Decision won = p.handle(new Promise(5, local.ballot(), List.of(), 0));
    assertTrue(p.isLeader());
    assertEquals(new TreeSet<>(List.of(1, 4, 5)), proposedAt(won, 1), "the second change, under the first");
    assertEquals(membership(2, List.of(1, 4, 6), List.of(2)), p.membership());
  }

  @Test
  void phaseOneFollowsAChainOfReportedChanges() {
    Proposer p = proposer(CONFIG);
    Prepare local = localPrepare(campaign(p), 1);
    Ballot old = new Ballot(0, 2);
    Decision own = p.handle(new Promise(1, local.ballot(), List.of(
        new AcceptedValue(0, old, value(change(0, List.of(1, 2, 4), List.of()))),
        new AcceptedValue(1, old, value(command(7, 1, "between"))),
        new AcceptedValue(2, old, value(change(1, List.of(1, 5, 6), List.of())))), 0));
    assertEquals(List.of(2, 3, 4, 5, 6), preparedTo(own));
    p.handle(new Promise(2, local.ballot(), List.of(), 0));
    assertFalse(p.isLeader(), "{1, 2} are majorities of {1, 2, 3} and {1, 2, 4} but not of {1, 5, 6}");
    Decision won = p.handle(new Promise(6, local.ballot(), List.of(), 0));
    assertTrue(p.isLeader());
    assertEquals(new TreeSet<>(List.of(1, 2, 3)), proposedAt(won, 0));
    assertEquals(new TreeSet<>(List.of(1, 2, 4)), proposedAt(won, 1));
    assertEquals(new TreeSet<>(List.of(1, 2, 4)), proposedAt(won, 2));
    assertEquals(membership(2, List.of(1, 5, 6), List.of()), p.membership());
  }

  @Test
  void aReportedChangeSupersededAtAHigherBallotAsksNoOtherVoters() {
    Proposer p = proposer(CONFIG);
    Prepare local = localPrepare(campaign(p), 1);
    p.handle(new Promise(1, local.ballot(),
        List.of(new AcceptedValue(0, new Ballot(0, 2), value(change(0, List.of(1, 4, 5), List.of())))), 0));
    ClientCommand plain = command(7, 1, "plain");
    Decision won = p.handle(new Promise(2, local.ballot(), List.of(new AcceptedValue(0, new Ballot(0, 3), value(plain))), 0));
    assertTrue(p.isLeader(), "the value of the higher ballot is no change: the old voters alone decide");
    assertEquals(List.of(), messages(won, Prepare.class));
    assertEquals(List.of(List.of(new Proposal(0, value(plain)))),
        messagesTo(won, 3, Accept.class).stream().map(Accept::proposals).toList());
    assertEquals(Fixtures.MEMBERSHIP, p.membership());
  }

  // ---- a leader that removes itself ----

  @Test
  void aLeaderWhoseChangeRemovesItHandsOverOnceTheChangeIsChosen() {
    Proposer p = proposer(CONFIG);
    lead(p);
    Decision proposed = p.onClientCommand(change(0, List.of(2, 3), List.of(1)));
    assertEquals(List.of(), releases(proposed));
    Decision one = ack(p, 1, Accept.NO_LEASE, 0L);
    assertEquals(List.of(), releases(one), "not chosen yet: no handover");
    assertEquals(-1, p.transferringTo());
    Decision chosen = ack(p, 2, Accept.NO_LEASE, 0L);
    assertEquals(List.of(2, 3), releases(chosen), "the lease is given back by the new voters");
    assertEquals(List.of(), messagesTo(chosen, 1, Accept.class), "node 1 no longer votes");
    assertEquals(2, p.transferringTo(), "to the first of the new voters");
    assertEquals(List.of(), messages(ack(p, 2, Accept.RELEASE_LEASE), TimeoutNow.class),
        "one release of the two new voters is no majority");
    assertEquals(List.of(new TimeoutNow(1, p.ballot())), messagesTo(ack(p, 3, Accept.RELEASE_LEASE), 2, TimeoutNow.class));
  }

  /** The nodes a decision sends an Accept giving the lease back to, in id order. */
  private static List<Integer> releases(Decision d) {
    return Fixtures.outbound(d).stream()
        .filter(o -> o.message() instanceof Accept a && a.leaseTick() == Accept.RELEASE_LEASE)
        .map(Outbound::to).sorted().toList();
  }

  // ---- leadership transfer ----

  @Test
  void transferToANonVoterIsRefused() {
    Proposer follower = proposer(config(1).learners(List.of(4)).build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> follower.transferLeadership(4));
    assertTrue(e.getMessage().contains("node 4 is not a voting member"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> follower.transferLeadership(9));

    Proposer leader = proposer(CONFIG);
    lead(leader);
    leader.onClientCommand(change(0, List.of(1, 2, 4), List.of(3)));
    assertThrows(IllegalArgumentException.class, () -> leader.transferLeadership(3),
        "node 3 is a learner from the change on");
    assertEquals(-1, leader.transferringTo());
    leader.transferLeadership(4);
    assertEquals(4, leader.transferringTo(), "the voter the change adds can take over");
  }
}
