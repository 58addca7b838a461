package io.synod.paxos;

import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.lead;
import static io.synod.paxos.Fixtures.proposer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Ticks handed over in bursts ({@link Proposer#onTicks}, {@link Learner#onTicks}, {@link
 * Acceptor#onTicks}), as a busy shell hands over the ticks it slept through: a proposer does
 * exactly what as many single ticks would have done, but skips the quiet ones.
 */
class ProposerTickBurstTest {

  private static final GroupConfig CONFIG = config(1).build();
  /** Burst sizes that straddle heartbeats, prepare timeouts and election deadlines. */
  private static final int[] BURSTS = {1, 7, 2, 13, 60, 3, 31, 1, 45, 9};

  /** The non-empty decisions of {@code ticks} single ticks. */
  private static List<Decision> oneByOne(Proposer p, int ticks) {
    List<Decision> out = new ArrayList<>();
    for (int t = 0; t < ticks; t++) {
      Decision d = p.onTick();
      if (!d.isEmpty()) {
        out.add(d);
      }
    }
    return out;
  }

  /** The non-empty decisions of the same number of ticks, in bursts; returns how many bursts it took. */
  private static List<Decision> inBursts(Proposer p, int ticks) {
    List<Decision> out = new ArrayList<>();
    int left = ticks;
    for (int i = 0; left > 0; i++) {
      int burst = Math.min(left, BURSTS[i % BURSTS.length]);
      p.onTicks(burst, d -> {
        if (!d.isEmpty()) {
          out.add(d);
        }
      });
      left -= burst;
    }
    return out;
  }

  private static void assertSameState(Proposer expected, Proposer actual) {
    assertEquals(expected.ballot(), actual.ballot());
    assertEquals(expected.isLeader(), actual.isLeader());
    assertEquals(expected.leaderHint(), actual.leaderHint());
    assertEquals(expected.ticksUntilDue(), actual.ticksUntilDue());
    assertEquals(expected.hasLease(), actual.hasLease());
  }

  /**
   * Ticks {@code single} one by one and {@code burst}, built alike, in bursts, for {@code ticks};
   * both must do the same and end alike. Returns what they did.
   */
  private static List<Decision> sameInBursts(Proposer single, Proposer burst, int ticks) {
    List<Decision> expected = oneByOne(single, ticks);
    assertEquals(expected, inBursts(burst, ticks));
    assertSameState(single, burst);
    return expected;
  }

  @Test
  void aCandidateNobodyAnswersCampaignsAgainAndAgainExactlyAsWithSingleTicks() {
    Proposer single = proposer(CONFIG);
    Proposer burst = proposer(CONFIG);
    List<Decision> done = sameInBursts(single, burst, 2000);
    assertTrue(done.size() > 5, "the candidate campaigned several times: " + done.size());
  }

  @Test
  void aCandidateResendsItsPreparesExactlyAsWithSingleTicks() {
    GroupConfig patient = config(1).tuning(CONFIG.tuning().withPrepareTimeoutTicks(300)).build();
    Proposer single = proposer(patient);
    Proposer burst = proposer(patient);
    for (Proposer p : List.of(single, burst)) {
      Message.Prepare own = Fixtures.messagesTo(Fixtures.campaign(p), 1, Message.Prepare.class).get(0);
      p.handle(new Message.Promise(1, own.ballot(), List.of(), 0)); // the others are asked, and asked again
    }
    List<Decision> done = sameInBursts(single, burst, 1000);
    long resends = done.stream().filter(d -> !Fixtures.messagesTo(d, 2, Message.Prepare.class).isEmpty()).count();
    assertTrue(resends > 3, "the prepares were resent several times: " + done);
  }

  @Test
  void aLeaderHeartbeatsAndGoesQuietExactlyAsWithSingleTicks() {
    Proposer single = proposer(CONFIG);
    Proposer burst = proposer(CONFIG);
    lead(single);
    lead(burst);
    List<Decision> done = sameInBursts(single, burst, 1000);
    assertTrue(done.size() > 10, "the leader heartbeat: " + done.size());
  }

  @Test
  void aBurstRunsOneTickPerDeadlineNotOnePerTick() {
    Proposer p = proposer(CONFIG);
    lead(p);
    List<Decision> ticked = new ArrayList<>();
    p.onTicks(30, ticked::add);
    int heartbeats = 30 / CONFIG.tuning().heartbeatTicks();
    assertTrue(ticked.size() <= heartbeats + 1, "at most one tick per heartbeat due, got " + ticked.size());
    assertFalse(ticked.isEmpty());
  }

  @Test
  void aLearnerActsOnABurstOnceAndAnAcceptorOnlyCountsIt() {
    Learner single = new Learner(CONFIG, new ListStateMachine(), new SplittableRandom(3));
    Learner burst = new Learner(CONFIG, new ListStateMachine(), new SplittableRandom(3));
    int probe = 2 * CONFIG.tuning().electionTimeoutTicks();
    int asked = 0;
    for (int t = 0; t < probe + 1; t++) {
      asked += single.onTick().sendNow().size();
    }
    assertEquals(1, asked, "a learner that hears nothing asks a peer once per probe interval");
    assertEquals(1, burst.onTicks(probe + 1).sendNow().size(), "and once in a burst as long");
    assertThrows(IllegalArgumentException.class, () -> burst.onTicks(0));

    Acceptor acceptor = new Acceptor(CONFIG);
    assertTrue(acceptor.onTicks(1000).isEmpty());
    assertThrows(IllegalArgumentException.class, () -> acceptor.onTicks(-1));
  }
}
