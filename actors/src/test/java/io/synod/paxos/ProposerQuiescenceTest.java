package io.synod.paxos;

import static io.synod.paxos.Fixtures.ack;
import static io.synod.paxos.Fixtures.bytes;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.idleUntilQuiesce;
import static io.synod.paxos.Fixtures.lead;
import static io.synod.paxos.Fixtures.messages;
import static io.synod.paxos.Fixtures.messagesTo;
import static io.synod.paxos.Fixtures.proposer;
import static io.synod.paxos.Fixtures.quietLeader;
import static io.synod.paxos.Fixtures.sleepUntilDue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.WakeUp;
import io.synod.paxos.PeerLiveness.Change;
import io.synod.paxos.PeerLiveness.News;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Idle groups go quiet: a leader with no work stops heartbeating once every voter heard that the
 * group is idle, and its followers stop their election timers; work, a read, a follower's {@link
 * WakeUp} or news of a peer's node ({@link PeerLiveness}) ends it. Node 1 of the group {1, 2, 3}.
 */
class ProposerQuiescenceTest {

  private static final GroupConfig CONFIG = config(1).build();
  private static final Tuning TUNING = CONFIG.tuning();

  @Test
  void anIdleLeaderSaysSoUntilEveryVoterHeardThenSendsNothing() {
    Proposer p = proposer(CONFIG);
    lead(p);
    Decision first = idleUntilQuiesce(p, TUNING);
    for (int m : Fixtures.MEMBERS) {
      assertEquals(Accept.QUIESCE, messagesTo(first, m, Accept.class).get(0).leaseTick());
    }
    ack(p, 1, Accept.QUIESCE);
    ack(p, 2, Accept.QUIESCE);
    assertFalse(p.isQuiet(), "node 3 has not heard yet");
    Decision again = sleepUntilDue(p);
    assertEquals(1, messagesTo(again, 3, Accept.class).size(), "the one that has not heard is told again");
    assertEquals(0, messagesTo(again, 2, Accept.class).size(), "the others are not");
    ack(p, 3, Accept.QUIESCE);
    assertTrue(p.isQuiet());
    assertTrue(p.ticksUntilDue() >= 1000 * TUNING.heartbeatTicks(), "a quiet leader sleeps, got " + p.ticksUntilDue());
    for (int t = 0; t < 10 * TUNING.electionTimeoutTicks(); t++) {
      assertTrue(p.onTick().isEmpty(), "a quiet leader sends nothing");
    }
    assertTrue(p.isLeader());
    assertFalse(p.hasLease(), "its lease ran out: it asked for none since");
  }

  @Test
  void aCommandWakesAQuietLeaderWhoseNextHeartbeatAsksForTheLease() {
    Proposer p = quietLeader(CONFIG);
    Decision d = p.onClientCommand(command(7, 1, "x"));
    assertEquals(1, messagesTo(d, 2, Accept.class).get(0).proposals().size(), "the command goes out at once");
    assertFalse(p.isQuiet());
    Decision beat = sleepUntilDue(p);
    assertTrue(messagesTo(beat, 3, Accept.class).get(0).leaseTick() >= 0, "heartbeats ask for the lease again");
  }

  @Test
  void aReadWithoutALeaseWakesTheLeaderWhoseNextTickAsksTheLeaseThatConfirmsTheRead() {
    Proposer p = quietLeader(CONFIG);
    Decision d = p.handle(new ClientRead(1, 5, bytes("q")));
    assertTrue(d.reads().isEmpty() && messages(d, Message.ReadIndexReply.class).isEmpty(), "it waits: " + d);
    assertFalse(p.isQuiet(), "the read woke the group");
    assertEquals(1, p.ticksUntilDue(), "a lease request is due at the next tick");
    long asked = messagesTo(p.onTick(), 2, Accept.class).get(0).leaseTick();
    assertTrue(asked >= 0, "it asks for its lease");
    ack(p, 1, asked);
    Decision confirmed = ack(p, 2, asked);
    assertEquals(List.of(new Message.ReadIndexReply(1, 5, -1, -1)), messages(confirmed, Message.ReadIndexReply.class),
        "confirmed at the read index of an empty log");
    assertTrue(p.hasLease(), "the next read is served under the lease");
  }

  @Test
  void aQuietLeaderConfirmsToAFollowerThatAsksAndHeartbeatsWhenAPeerRestarted() {
    Proposer p = quietLeader(CONFIG);
    Decision confirm = p.handle(new WakeUp(2));
    assertEquals(Accept.QUIESCE, messagesTo(confirm, 2, Accept.class).get(0).leaseTick(), "still quiet: it says so");
    assertTrue(messagesTo(confirm, 3, Accept.class).isEmpty(), "to the one that asked only");
    assertTrue(p.isQuiet());
    Proposer q = quietLeader(CONFIG);
    assertTrue(messages(q.onPeerNews(new News(3, Change.SILENT)), Accept.class).isEmpty(), "silence is no reason");
    assertTrue(messagesTo(q.onPeerNews(new News(3, Change.RESTARTED)), 3, Accept.class).get(0).leaseTick() >= 0,
        "a restarted peer learns who leads");
  }

  @Test
  void aFollowerOfAQuietLeaderHasNoDeadlineAndCampaignsSoonAfterTheLeadersNodeFallsSilent() {
    Proposer p = proposer(CONFIG);
    Ballot leader = new Ballot(3, 2);
    p.handle(new LeaderSeen(1, leader, true));
    assertTrue(p.isQuiet());
    assertTrue(p.ticksUntilDue() >= (long) Proposer.QUIET_BACKSTOP_FACTOR * TUNING.electionTimeoutTicks(),
        "it sleeps until the backstop, got " + p.ticksUntilDue());
    for (int t = 0; t < 10 * TUNING.electionTimeoutTicks(); t++) {
      assertTrue(p.onTick().isEmpty(), "a quiet follower never campaigns on its own");
    }
    assertTrue(p.onPeerNews(new News(3, Change.SILENT)).isEmpty(), "another node's silence changes nothing");
    assertTrue(p.isQuiet());
    p.onPeerNews(new News(2, Change.SILENT));
    assertFalse(p.isQuiet());
    assertTrue(p.ticksUntilDue() <= TUNING.electionJitterTicks(), "it campaigns after a jitter, not a whole timeout");
    assertEquals(1, messagesTo(sleepUntilDue(p), 1, Prepare.class).size());
  }

  @Test
  void aFollowerWhoseQuietLeaderLostALeadershipAsksItToHeartbeatAndRunsItsTimerAgain() {
    Proposer p = proposer(CONFIG);
    p.handle(new LeaderSeen(1, new Ballot(3, 2), true));
    Decision d = p.onPeerNews(new News(2, Change.LEADERSHIP_LOST));
    assertEquals(1, messagesTo(d, 2, WakeUp.class).size());
    assertFalse(p.isQuiet());
    assertTrue(p.ticksUntilDue() > TUNING.electionTimeoutTicks(), "a whole timeout: the leader may still lead");
    p.handle(new LeaderSeen(1, new Ballot(3, 2), false)); // it does: its heartbeat
    assertTrue(p.ticksUntilDue() > TUNING.electionTimeoutTicks());
  }

  @Test
  void aQuietFollowerAsksItsLeaderAtTheBackstopAndWhenTheLeaderIsHeardAgain() {
    Proposer p = proposer(CONFIG);
    p.handle(new LeaderSeen(1, new Ballot(3, 2), true));
    Decision backstop = sleepUntilDue(p);
    assertEquals(1, messagesTo(backstop, 2, WakeUp.class).size(), "a late accept may have quieted it: ask");
    assertFalse(p.isQuiet());
    p.handle(new LeaderSeen(1, new Ballot(3, 2), true)); // the leader's answer: still quiet
    assertTrue(p.isQuiet());
    assertEquals(1, messagesTo(p.onPeerNews(new News(2, Change.BACK)), 2, WakeUp.class).size());
    assertFalse(p.isQuiet());
  }

  @Test
  void aQuietHeartbeatOfAnOlderLeaderDoesNotQuietAFollower() {
    Proposer p = proposer(CONFIG);
    p.handle(new LeaderSeen(1, new Ballot(5, 3), false));
    p.handle(new LeaderSeen(1, new Ballot(3, 2), true));
    assertFalse(p.isQuiet(), "a newer leader is known: waiting without a deadline for an older one could wait forever");
  }
}
