package io.synod.paxos;

import static io.synod.paxos.Fixtures.ack;
import static io.synod.paxos.Fixtures.bytes;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.lead;
import static io.synod.paxos.Fixtures.localPrepare;
import static io.synod.paxos.Fixtures.messages;
import static io.synod.paxos.Fixtures.messagesTo;
import static io.synod.paxos.Fixtures.outbound;
import static io.synod.paxos.Fixtures.payloads;
import static io.synod.paxos.Fixtures.proposer;
import static io.synod.paxos.Fixtures.sleepUntilDue;
import static io.synod.paxos.Fixtures.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.Accepted;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.Message.Forward;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.Rejected;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The proposer of node 1 in the group {1, 2, 3} leading and carrying client commands: batching,
 * the window, resends, announcing what is chosen, heartbeats, and the commands it holds, forwards
 * or refuses. Most tests feed it acknowledgements by hand; the scenarios at the end run whole nodes
 * through {@link HandRoutedGroup}.
 */
class ProposerPipelineTest {

  private static final GroupConfig CONFIG = config(1).build();

  private static List<List<String>> proposedBatches(Decision d, int to) {
    List<Accept> accepts = messagesTo(d, to, Accept.class);
    assertTrue(accepts.size() <= 1, "more than one Accept to node " + to + " in one step: " + accepts);
    return accepts.isEmpty() ? List.of()
        : accepts.get(0).proposals().stream().map(pr -> payloads(pr.value())).toList();
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
    Proposer p = proposer(config(1).tuning(Tuning.DEFAULTS.withWindow(2).withMaxBatchCommands(3)).build());
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
    Proposer p = proposer(
        config(1).tuning(Tuning.DEFAULTS.withWindow(1).withMaxBatchCommands(100).withMaxBatchBytes(60)).build());
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
    Proposer p = proposer(config(1).tuning(Tuning.DEFAULTS.withWindow(8).withMaxBatchCommands(1)).build());
    lead(p);
    Decision d = p.handle(new Forward(2, List.of(command(7, 1, "a"), command(7, 2, "b"), command(7, 3, "c")), 1));
    for (int m : Fixtures.MEMBERS) {
      assertEquals(List.of(List.of("a"), List.of("b"), List.of("c")), proposedBatches(d, m));
    }
  }

  @Test
  void retransmissionCarriesEveryUnacknowledgedInstanceInOneAccept() {
    Proposer p = proposer(config(1).tuning(Tuning.DEFAULTS.withWindow(8).withMaxBatchCommands(1)).build());
    lead(p);
    p.handle(new Forward(2, List.of(command(7, 1, "a"), command(7, 2, "b"), command(7, 3, "c")), 1));
    ack(p, 2, -1, 0L, 1L, 2L); // node 2 has them all; nodes 1 and 3 have none
    for (int t = 1; t < CONFIG.tuning().retransmitTicks(); t++) {
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
    for (int t = 1; t <= 40 * CONFIG.tuning().retransmitTicks(); t++) {
      Decision d = p.onTick();
      Fixtures.answerHeartbeats(p, d); // the voters answer heartbeats, but the proposal's accepts are lost
      if (!proposedBatches(d, 2).isEmpty()) {
        resentAfter.add(t - last);
        last = t;
      }
    }
    int r = CONFIG.tuning().retransmitTicks();
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
    for (int t = 1; t < CONFIG.tuning().heartbeatTicks(); t++) {
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

  @Test
  void ticksUntilDueNamesTheNextElectionHeartbeatAndResend() {
    Proposer p = proposer(CONFIG);
    // A follower: nothing until its election deadline, then it campaigns.
    Decision campaign = sleepUntilDue(p);
    Prepare prepare = localPrepare(campaign);
    // A candidate waiting for its own acceptor: nothing until the phase deadline.
    assertEquals(CONFIG.tuning().prepareTimeoutTicks(), p.ticksUntilDue());
    p.handle(new Promise(1, prepare.ballot(), List.of(), 0));
    // Asking the peers: the next resend of the prepares comes first.
    assertEquals(CONFIG.tuning().retransmitTicks(), p.ticksUntilDue());
    assertEquals(2, messages(sleepUntilDue(p), Prepare.class).size(), "the prepares resent to both peers");
    p.handle(new Promise(2, prepare.ballot(), List.of(), 0));
    assertTrue(p.isLeader());
    // A leader: its heartbeat, or a resend when one comes first.
    assertEquals(CONFIG.tuning().heartbeatTicks(), p.ticksUntilDue());
    assertEquals(3, messages(sleepUntilDue(p), Accept.class).size(), "the heartbeat");
    p.onClientCommand(command(7, 1, "x"));
    ack(p, 1, -1, 0L);
    for (int beats = 0; beats < 20; beats++) {
      long quiet = p.ticksUntilDue();
      assertTrue(quiet >= 1 && quiet <= CONFIG.tuning().heartbeatTicks(), "quiet for " + quiet);
      Fixtures.answerHeartbeats(p, sleepUntilDue(p)); // heartbeats are answered, the proposal's accepts lost
    }
    assertEquals(1, p.instancesInFlight(), "still unanswered by nodes 2 and 3, and resent all along");
  }

  // ---- client commands at followers ----

  @Test
  void waitingCommandsAreForwardedInPartsOfAtMostMaxBatchBytes() {
    // Five waiting commands of 400 bytes, a 1,000-byte limit: forwarded two, two and one.
    Proposer p = proposer(config(1).tuning(Tuning.DEFAULTS.withWindow(1).withMaxBatchBytes(1000)).build());
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
    Proposer p = proposer(config(1).tuning(Tuning.DEFAULTS.withMaxForwardHops(2)).build());
    p.handle(new LeaderSeen(1, new Ballot(2, 3)));
    assertEquals(List.of(), p.handle(new Forward(2, List.of(command(7, 1, "x")), 2)).sendNow());
    assertEquals(List.of(), p.handle(new Forward(3, List.of(command(7, 2, "y")), 1)).sendNow(),
        "never send commands back to the node they came from");
    assertEquals(2, p.pendingCommands());
  }

  @Test
  void retryOfACommandAlreadyWaitingOrInFlightIsNotCarriedTwice() {
    Proposer p = proposer(config(1).tuning(Tuning.DEFAULTS.withWindow(1)).build());
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
    Proposer p = proposer(config(1).tuning(Tuning.DEFAULTS.withWindow(1)).build());
    lead(p);
    p.onClientCommand(command(7, 1, "a"));
    ack(p, 1, -1, 0L);
    ack(p, 2, -1, 0L);
    // The client did not hear the answer and retries: the learner will answer it as a duplicate.
    assertEquals(List.of(List.of("a")), proposedBatches(p.onClientCommand(command(7, 1, "a")), 2));
  }

  @Test
  void fullQueueRefusesCommandsAsOverloaded() {
    Proposer p = proposer(config(1).tuning(Tuning.DEFAULTS.withMaxPendingCommands(2)).build());
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
}
