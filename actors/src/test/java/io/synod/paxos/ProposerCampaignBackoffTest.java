package io.synod.paxos;

import static io.synod.paxos.Fixtures.campaign;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.messagesTo;
import static io.synod.paxos.Fixtures.proposer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Message.CandidateSeen;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.Prepare;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Elections on a loaded node: one voter goes first when a group starts everywhere at once; each
 * campaign in a row that does not win waits longer, and is more patient; a candidate this node's
 * acceptor promised gets an election timeout to win. Node 1 of the group {1, 2, 3}, whose
 * acceptors never answer here.
 */
class ProposerCampaignBackoffTest {

  private static final GroupConfig CONFIG = config(1).build();
  private static final Tuning TUNING = CONFIG.tuning();

  /** The ticks at which {@code p} starts its next {@code count} campaigns (a prepare to its own acceptor). */
  private static List<Long> campaignStarts(Proposer p, int count) {
    List<Long> starts = new ArrayList<>();
    for (long t = 1; starts.size() < count && t < 100_000; t++) {
      if (!messagesTo(p.onTick(), 1, Prepare.class).isEmpty()) {
        starts.add(t);
      }
    }
    assertEquals(count, starts.size(), "campaigns within 100,000 ticks");
    return starts;
  }

  @Test
  void everyVoterHasItsOwnPlaceInTheFirstElectionAndTheFirstWaitsLeast() {
    Set<Integer> ranks = new HashSet<>();
    for (int self : Fixtures.MEMBERS) {
      GroupConfig c = config(self).build();
      int rank = Proposer.startRank(c);
      ranks.add(rank);
      long due = new Proposer(c, new java.util.SplittableRandom(1)).ticksUntilDue();
      long base = Math.max(TUNING.electionTimeoutTicks(), TUNING.leaseTicks());
      assertTrue(due > base + (long) rank * TUNING.electionTimeoutTicks()
          && due <= base + TUNING.electionJitterTicks() + (long) rank * TUNING.electionTimeoutTicks(),
          "node " + self + " of rank " + rank + " is due in " + due);
    }
    assertEquals(Set.of(0, 1, 2), ranks, "one voter per place");
  }

  @Test
  void eachCampaignThatDoesNotWinWaitsLongerAndLastsLongerUpToSixteenTimes() {
    Proposer p = proposer(CONFIG);
    List<Long> starts = campaignStarts(p, 8);
    for (int k = 0; k + 1 < starts.size(); k++) {
      int doublings = Math.min(k, CampaignBackoff.MAX_DOUBLINGS);
      long patience = (long) TUNING.prepareTimeoutTicks() << doublings;
      long gap = starts.get(k + 1) - starts.get(k);
      assertTrue(gap > patience && gap <= patience + ((long) TUNING.electionJitterTicks() << doublings),
          "campaign " + k + " lasts " + patience + " ticks, then waits up to " + (TUNING.electionJitterTicks()
              << doublings) + ": the next starts " + gap + " ticks later");
    }
  }

  @Test
  void aLeaderSeenEndsTheBackoff() {
    Proposer p = proposer(CONFIG);
    campaignStarts(p, 4);
    p.handle(new LeaderSeen(1, new Ballot(p.ballot().round() + 1, 2)));
    List<Long> next = campaignStarts(p, 2);
    assertTrue(next.get(1) - next.get(0) <= TUNING.prepareTimeoutTicks() + TUNING.electionJitterTicks(),
        "patience and wait start over once a leader was seen: " + next);
  }

  @Test
  void aCandidatePromisedHereGetsAnElectionTimeoutEvenFromAFollowerAboutToCampaign() {
    Proposer p = proposer(CONFIG);
    for (long t = p.ticksUntilDue(); t > 1; t--) {
      p.onTick();
    }
    Ballot candidate = new Ballot(5, 2);
    p.handle(new CandidateSeen(1, candidate));
    assertTrue(p.ticksUntilDue() > TUNING.electionTimeoutTicks(), "waits for the candidate: " + p.ticksUntilDue());
    Prepare own = messagesTo(campaign(p), 1, Prepare.class).get(0);
    assertTrue(own.ballot().isAbove(candidate), "then campaigns above it: " + own.ballot());
  }

  @Test
  void aCampaignOvertakenAtItsOwnAcceptorStopsAndWaitsAnElectionTimeout() {
    Proposer p = proposer(CONFIG);
    campaign(p);
    Ballot mine = p.ballot();
    p.handle(new CandidateSeen(1, new Ballot(mine.round() + 1, 3)));
    long wait = p.ticksUntilDue();
    assertTrue(wait > TUNING.electionTimeoutTicks(), "waits for the higher candidate: " + wait);
    for (long t = 1; t < wait; t++) {
      assertTrue(messagesTo(p.onTick(), 1, Prepare.class).isEmpty(), "no new campaign while it waits");
    }
    assertEquals(1, messagesTo(p.onTick(), 1, Prepare.class).size(), "then it campaigns again");
  }

  @Test
  void unansweredPreparesAreResentTwiceAsLateEachTimeUpToEightTimes() {
    int retransmit = TUNING.retransmitTicks();
    Proposer p = proposer(config(1).tuning(TUNING.withPrepareTimeoutTicks(40 * retransmit)).build());
    Prepare own = messagesTo(campaign(p), 1, Prepare.class).get(0);
    p.handle(new Message.Promise(1, own.ballot(), List.of(), 0)); // our acceptor's promise: the others are asked
    List<Long> resends = new ArrayList<>();
    for (long t = 1; t < 40L * retransmit; t++) {
      if (!messagesTo(p.onTick(), 2, Prepare.class).isEmpty()) {
        resends.add(t);
      }
    }
    List<Long> expected = new ArrayList<>();
    long at = 0;
    for (int k = 0; at + ((long) retransmit << Math.min(k, 3)) < 40L * retransmit; k++) {
      at += (long) retransmit << Math.min(k, 3);
      expected.add(at);
    }
    assertEquals(expected, resends, "resent after 1, 2, 4, 8, 8, ... retransmit intervals");
  }
}
