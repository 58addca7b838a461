package io.synod.paxos;

import static io.synod.paxos.Fixtures.ack;
import static io.synod.paxos.Fixtures.bytes;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.lead;
import static io.synod.paxos.Fixtures.messages;
import static io.synod.paxos.Fixtures.proposer;
import static io.synod.paxos.Fixtures.quietLeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.PeerLiveness.Change;
import io.synod.paxos.PeerLiveness.News;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Check-quorum: a leader that has not heard from a majority of its voters steps down, drops its
 * lease and stops naming itself leader. A voter is heard while its node's failure detector hears
 * that node, or for an election timeout after its last answer; so a leader whose voters answer late
 * on a loaded machine leads on. Node 1 of the group {1, 2, 3}.
 */
class ProposerCheckQuorumTest {

  private static final GroupConfig CONFIG = config(1).build();
  private static final long TIMEOUT = QuorumCheck.timeoutTicks(CONFIG.tuning());

  /** The node's failure detector calls these nodes silent. */
  private static void silent(Proposer p, int... nodes) {
    for (int node : nodes) {
      p.onPeerNews(new News(node, Change.SILENT));
    }
  }

  @Test
  void anActiveLeaderThatHearsNoVoterForAnElectionTimeoutStepsDownAndDropsItsLease() {
    Proposer p = proposer(CONFIG);
    long asked = messages(lead(p), Accept.class).get(0).leaseTick();
    ack(p, 2, asked);
    ack(p, 3, asked);
    assertTrue(p.hasLease());
    silent(p, 2, 3);
    for (int t = 1; t < TIMEOUT; t++) {
      p.onTick();
      assertTrue(p.isLeader(), "stepped down " + t + " ticks after its voters last answered");
    }
    p.onTick();
    assertFalse(p.isLeader(), "no answer from a majority for an election timeout: it must step down");
    assertFalse(p.hasLease());
    assertEquals(-1, p.leaderHint(), "it names no leader, itself least of all");
    assertEquals(1, p.quorumLosses());
    Decision read = p.handle(new ClientRead(1, 9, bytes("q")));
    assertTrue(read.isEmpty(), "a leader that stepped down serves no read: it waits for a leader to ask " + read);
  }

  @Test
  void anActiveLeaderWhoseVotersAnswerLateButWhoseNodesAreHeardLeadsOn() {
    Proposer p = proposer(CONFIG);
    lead(p);
    for (int t = 0; t < 10 * TIMEOUT; t++) {
      p.onTick(); // no answer at all, as from nodes too loaded to pass a thousand groups' answers on in time
    }
    assertTrue(p.isLeader(), "its node hears both voters' nodes: it is not cut off");
    assertEquals(0, p.quorumLosses());
  }

  @Test
  void oneVoterAnsweringIsAMajorityWithTheLeaderAndKeepsItLeading() {
    Proposer p = proposer(CONFIG);
    lead(p);
    silent(p, 2, 3); // its answers alone keep node 2 in touch
    for (int t = 0; t < 10 * TIMEOUT; t++) {
      for (Outbound o : p.onTick().sendNow()) {
        if (o.to() == 2 && o.message() instanceof Accept) {
          ack(p, 2, Accept.NO_LEASE); // node 3 never answers
        }
      }
    }
    assertTrue(p.isLeader());
    assertEquals(0, p.quorumLosses());
  }

  @Test
  void aLeaderStepsDownWhenAVoterStopsAnsweringAndItsMajorityWithItIsGone() {
    Proposer p = proposer(GroupConfig.builder(Fixtures.GROUP, 1, List.of(1, 2, 3, 4, 5)).build()); // majority 3
    Ballot ballot = Fixtures.localPrepare(Fixtures.campaign(p)).ballot();
    for (int promiser = 1; promiser <= 3; promiser++) {
      p.handle(new Message.Promise(promiser, ballot, List.of(), 0));
    }
    assertTrue(p.isLeader());
    silent(p, 2, 3, 4, 5);
    long lastFromFour = 0;
    boolean stillLeading = true;
    for (int t = 1; t <= 10 * TIMEOUT && stillLeading; t++) {
      for (Outbound o : p.onTick().sendNow()) {
        boolean answers = o.to() == 2 || o.to() == 4 && t < 3 * TIMEOUT;
        if (answers && o.message() instanceof Accept) {
          ack(p, o.to(), Accept.NO_LEASE);
          lastFromFour = o.to() == 4 ? t : lastFromFour;
        }
      }
      stillLeading = p.isLeader();
      if (!stillLeading) {
        assertTrue(t >= lastFromFour + TIMEOUT, "stepped down at " + t + " though node 4 answered at " + lastFromFour);
        assertTrue(t <= lastFromFour + TIMEOUT + CONFIG.tuning().heartbeatTicks(),
            "stepped down at " + t + ", long after node 4 last answered at " + lastFromFour);
      }
    }
    assertFalse(stillLeading, "with only node 2 answering, 2 of 5 is no majority");
  }

  @Test
  void aQuietLeaderStepsDownWhenItsNodeNoLongerHearsAMajorityOfTheVotersNodes() {
    Proposer p = quietLeader(CONFIG);
    for (int t = 0; t < 10 * TIMEOUT; t++) {
      assertTrue(p.onTick().isEmpty(), "quiet: it sends nothing, and its voters answer nothing");
    }
    assertTrue(p.isLeader(), "its voters' nodes are heard: it still leads");
    assertTrue(p.onPeerNews(new News(2, Change.SILENT)).isEmpty());
    assertTrue(p.isLeader(), "node 3 and itself are a majority");
    p.onPeerNews(new News(2, Change.BACK));
    p.onPeerNews(new News(3, Change.SILENT));
    assertTrue(p.isLeader(), "node 2 is heard again: still a majority");
    p.onPeerNews(new News(2, Change.SILENT));
    assertFalse(p.isLeader(), "neither voter's node is heard: it must step down");
    assertEquals(-1, p.leaderHint());
    assertEquals(1, p.quorumLosses());
  }

  @Test
  void aLeaderGoingQuietWithAVoterDownLeadsOnWhileTheVoterThatHeardItIsAlive() {
    Proposer p = proposer(CONFIG);
    lead(p);
    silent(p, 3); // node 3 is down
    Fixtures.idleUntilQuiesce(p, CONFIG.tuning());
    ack(p, 2, Accept.QUIESCE); // the group keeps going quiet, telling node 3 again and again
    for (int t = 0; t < 10 * TIMEOUT; t++) {
      p.onTick();
    }
    assertFalse(p.isQuiet());
    assertTrue(p.isLeader(), "node 2 heard the group is idle and its node is heard: with this one, a majority");
    p.onPeerNews(new News(2, Change.SILENT));
    assertFalse(p.isLeader(), "node 2's node fell silent and node 3 never answered");
  }

  @Test
  void aQuietLeaderWokenByWorkGivesItsVotersAFreshTimeoutToAnswer() {
    Proposer p = quietLeader(CONFIG);
    for (int t = 0; t < 10 * TIMEOUT; t++) {
      p.onTick();
    }
    assertTrue(p.isLeader(), "quiet: its voters owe it no answer");
    p.onClientCommand(command(7, 1, "x"));
    assertFalse(p.isQuiet());
    silent(p, 2, 3); // both voters' nodes fall silent as work arrives
    assertTrue(p.isLeader(), "woken just now: each voter gets a timeout to answer");
    for (int t = 1; t < TIMEOUT; t++) {
      p.onTick();
      assertTrue(p.isLeader(), "stepped down " + t + " ticks after waking, before its voters could answer");
    }
    p.onTick();
    assertFalse(p.isLeader(), "woken, and no voter answered for an election timeout");
  }
}
