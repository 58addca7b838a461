package io.synod.paxos;

import static io.synod.paxos.Fixtures.ack;
import static io.synod.paxos.Fixtures.bytes;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.lead;
import static io.synod.paxos.Fixtures.messages;
import static io.synod.paxos.Fixtures.messagesTo;
import static io.synod.paxos.Fixtures.proposer;
import static io.synod.paxos.Fixtures.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.ReadAt;
import io.synod.paxos.Message.ReadIndexReply;
import io.synod.paxos.Message.ReadIndexRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Linearizable reads without the leader's lease (ReadIndex): the leader gives a read the highest
 * instance it assigned once a majority answered a lease request it sent after the read arrived;
 * a follower asks the leader for that index and serves the read from its own learner. Node 1 of
 * the group {1, 2, 3}.
 */
class ProposerReadIndexTest {

  private static final GroupConfig CONFIG = config(1).build();

  /** Node 1 leading with one instance (0) assigned and no lease granted. */
  private static Proposer leaderWithoutLease() {
    Proposer p = proposer(CONFIG);
    lead(p);
    p.onClientCommand(command(7, 1, "x"));
    assertFalse(p.hasLease());
    return p;
  }

  /** Ticks {@code p} until it sends a lease request; returns the request's tick. */
  private static long nextLeaseRequest(Proposer p) {
    for (int t = 0; t < 100; t++) {
      for (Accept a : messagesTo(p.onTick(), 2, Accept.class)) {
        if (a.leaseTick() >= 0) {
          return a.leaseTick();
        }
      }
    }
    return org.junit.jupiter.api.Assertions.fail("no lease request within 100 ticks");
  }

  @Test
  void onlyGrantsOfALeaseRequestSentAfterTheReadArrivedConfirmIt() {
    Proposer p = leaderWithoutLease();
    long before = nextLeaseRequest(p); // a heartbeat's lease request
    Decision asked = p.handle(new ClientRead(1, 5, bytes("q")));
    assertTrue(asked.reads().isEmpty() && messages(asked, ReadIndexReply.class).isEmpty(), "it waits: " + asked);
    assertTrue(messages(asked, Accept.class).stream().allMatch(a -> a.proposals().isEmpty()),
        "a read proposes nothing: no log entry");
    Decision early = ack(p, 2, before);
    ack(p, 3, before);
    assertTrue(messages(early, ReadIndexReply.class).isEmpty(),
        "grants of a request sent before the read arrived prove nothing about the read");
    assertTrue(p.hasLease(), "they renew the lease, though");
    Proposer q = leaderWithoutLease();
    q.handle(new ClientRead(1, 5, bytes("q")));
    long after = nextLeaseRequest(q);
    assertTrue(messages(ack(q, 3, after), ReadIndexReply.class).isEmpty(), "one grant is no majority");
    Decision confirmed = ack(q, 2, after);
    ReadIndexReply reply = messages(confirmed, ReadIndexReply.class).get(0);
    assertEquals(new ReadIndexReply(1, 5, 0, -1), reply, "the highest instance assigned when the read arrived");
    Decision served = q.handle(reply);
    ReadAt at = messagesTo(served, 1, ReadAt.class).get(0);
    assertEquals(List.of(5L, 0L, "q"), List.of(at.readId(), at.readIndex(), string(at.query())));
    assertEquals(1, q.readIndexServed());
  }

  @Test
  void underItsLeaseALeaderGivesAFollowerItsReadIndexAtOnce() {
    Proposer p = leaderWithoutLease();
    long asked = nextLeaseRequest(p);
    ack(p, 1, asked);
    ack(p, 2, asked);
    assertTrue(p.hasLease());
    assertEquals(List.of(new Outbound(3, new ReadIndexReply(1, 8, 0, -1))), Fixtures.outbound(
        p.handle(new ReadIndexRequest(3, 8))));
  }

  @Test
  void aFollowerAsksTheLeaderAndServesAtTheIndexItGets() {
    Proposer f = proposer(CONFIG);
    f.handle(new LeaderSeen(1, new Ballot(4, 3)));
    Decision asked = f.handle(new ClientRead(1, 6, bytes("q")));
    assertEquals(List.of(new Outbound(3, new ReadIndexRequest(1, 6))), Fixtures.outbound(asked));
    assertTrue(asked.reads().isEmpty());
    ReadAt at = messagesTo(f.handle(new ReadIndexReply(3, 6, 41, -1)), 1, ReadAt.class).get(0);
    assertEquals(41, at.readIndex());
    assertEquals("q", string(at.query()));
    assertTrue(f.handle(new ReadIndexReply(3, 6, 41, -1)).isEmpty(), "a duplicate answer changes nothing");
    f.handle(new ClientRead(1, 8, bytes("q")));
    assertEquals(-1, messagesTo(f.handle(new ReadIndexReply(3, 8, -1, -1)), 1, ReadAt.class).get(0).readIndex(),
        "an empty log's read index, -1, is an answer, not a refusal");

    f.handle(new ClientRead(1, 7, bytes("q")));
    ReadOutcome refused = f.handle(ReadIndexReply.refused(3, 7, 2)).reads().get(0);
    assertFalse(refused.served());
    assertEquals(2, refused.leaderHint(), "the leader it asked named another");
  }

  @Test
  void aReadWhoseIndexNeverComesIsRefusedAfterTwoElectionTimeouts() {
    Proposer f = proposer(CONFIG);
    f.handle(new LeaderSeen(1, new Ballot(4, 3)));
    f.handle(new ClientRead(1, 6, bytes("q")));
    long timeout = 2L * CONFIG.tuning().electionTimeoutTicks();
    for (long t = 1; t < timeout; t++) {
      assertTrue(f.onTick().reads().isEmpty(), "refused after " + t + " ticks");
    }
    assertEquals(1, f.ticksUntilDue(), "the refusal is due: a driver that sleeps must not miss it");
    ReadOutcome refused = f.onTick().reads().get(0);
    assertEquals(6, refused.readId());
    assertFalse(refused.served());
  }

  @Test
  void withNoLeaderKnownAReadWaitsForOneAndANonLeaderRefusesToGiveAnIndex() {
    Proposer f = proposer(CONFIG);
    Decision held = f.handle(new ClientRead(1, 6, bytes("q")));
    assertTrue(held.isEmpty(), "no leader known: the read waits for one " + held);
    Decision known = f.handle(new LeaderSeen(1, new Ballot(4, 3)));
    assertEquals(List.of(new ReadIndexRequest(1, 6)), messagesTo(known, 3, ReadIndexRequest.class),
        "the leader it learns of is asked");
    assertTrue(messages(f.handle(new LeaderSeen(1, new Ballot(4, 3))), ReadIndexRequest.class).isEmpty(),
        "the same leader again: not asked again");
    assertEquals(List.of(new Outbound(2, ReadIndexReply.refused(1, 9, 3))),
        Fixtures.outbound(f.handle(new ReadIndexRequest(2, 9))));
  }

  @Test
  void waitingReadsAreRefusedWhenTheLeaderHandsOverOrStepsDown() {
    Proposer p = leaderWithoutLease();
    p.handle(new ReadIndexRequest(3, 8));
    Decision handover = p.transferLeadership(2);
    assertEquals(List.of(ReadIndexReply.refused(1, 8, 2)), messagesTo(handover, 3, ReadIndexReply.class));
    assertEquals(List.of(ReadIndexReply.refused(1, 9, 2)),
        messagesTo(p.handle(new ReadIndexRequest(3, 9)), 3, ReadIndexReply.class), "no new ones either");

    Proposer q = leaderWithoutLease();
    q.handle(new ReadIndexRequest(3, 8));
    Decision stepped = q.handle(new Message.Rejected(2, q.ballot(), new Ballot(q.ballot().round() + 1, 2), false));
    assertFalse(q.isLeader());
    assertEquals(List.of(ReadIndexReply.refused(1, 8, 2)), messagesTo(stepped, 3, ReadIndexReply.class));
  }
}
