package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What counts as still hearing a majority, for node 1 leading with a timeout of 20 ticks. */
class QuorumCheckTest {

  private static final int TIMEOUT = 20;
  private static final Membership OLD = new Membership(0, List.of(1, 2, 3), List.of());
  /** Node 4 added: a majority is 3 of 4, and node 3 is down, so node 4 must answer. */
  private static final Membership NEW = new Membership(1, List.of(1, 2, 3, 4), List.of());

  /** Node 1 leading since tick 0, node 2 answering every 5 ticks through tick 100, node 3 down. */
  private static QuorumCheck leaderAtTick100() {
    QuorumCheck q = new QuorumCheck(1, TIMEOUT, new HashSet<>(), 0);
    for (long t = 0; t <= 100; t += 5) {
      q.answered(2, t);
      assertFalse(q.lost(t, List.of(OLD), v -> false), "tick " + t);
    }
    return q;
  }

  @Test
  void aVoterAChangeBringsInGetsAFullTimeoutFromWhenTheLeaderFirstCountsIt() {
    QuorumCheck q = leaderAtTick100();
    assertFalse(q.lost(100, List.of(OLD, NEW), v -> false), "node 4 has not had a timeout to answer yet");
    assertEquals(100 + TIMEOUT, q.nextExpiry(100, List.of(OLD, NEW), v -> false));
    for (long t = 105; t < 100 + TIMEOUT; t += 5) {
      q.answered(2, t);
      assertFalse(q.lost(t, List.of(OLD, NEW), v -> false), "tick " + t);
    }
    q.answered(2, 120);
    assertTrue(q.lost(120, List.of(OLD, NEW), v -> false), "node 4 never answered: 2 of the 4 voters is no majority");
  }

  @Test
  void aNewVoterThatAnswersKeepsTheLeaderLeading() {
    QuorumCheck q = leaderAtTick100();
    assertFalse(q.lost(100, List.of(OLD, NEW), v -> false));
    for (long t = 105; t <= 200; t += 5) {
      q.answered(2, t);
      q.answered(4, t);
      assertFalse(q.lost(t, List.of(OLD, NEW), v -> false), "tick " + t);
    }
  }
}
