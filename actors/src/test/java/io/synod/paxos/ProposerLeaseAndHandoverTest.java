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
import static io.synod.paxos.Fixtures.proposer;
import static io.synod.paxos.Fixtures.sleepUntilDue;
import static io.synod.paxos.Fixtures.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.ReadAt;
import io.synod.paxos.Message.Rejected;
import io.synod.paxos.Message.TimeoutNow;
import io.synod.paxos.Message.TransferLeadership;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The proposer of node 1 in the group {1, 2, 3} as a lease holder: how grants make and renew its
 * lease, the reads it serves or refuses, and how it hands leadership over.
 */
class ProposerLeaseAndHandoverTest {

  private static final GroupConfig CONFIG = config(1).build();

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
    for (int t = 0; t < CONFIG.tuning().electionTimeoutTicks() && p.isLeader(); t++) {
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
    for (long t = 1; t < CONFIG.tuning().leaderLeaseTicks(); t++) {
      p.onTick();
      ack(p, 2, Accept.NO_LEASE); // node 2 still answers, but grants nothing: the lease is not renewed
      assertTrue(p.hasLease(), "lease lost " + t + " ticks after asking");
    }
    p.onTick();
    ack(p, 2, Accept.NO_LEASE);
    assertFalse(p.hasLease(), "lease must end " + CONFIG.tuning().leaderLeaseTicks() + " ticks after it was asked for");
    assertTrue(p.isLeader(), "an expired lease does not end a leadership that still hears a majority");
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
    long end = beat.leaseTick() + CONFIG.tuning().leaderLeaseTicks();
    assertTrue(end > first + CONFIG.tuning().leaderLeaseTicks());
    for (long now = beat.leaseTick(); now < end - 1; now++) {
      Fixtures.answerHeartbeats(p, p.onTick()); // passes the end of the first lease on the way; no grants
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

}
