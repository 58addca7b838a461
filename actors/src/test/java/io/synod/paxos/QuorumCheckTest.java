package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What counts as still hearing a majority, for node 1 leading with a timeout of 20 ticks: a voter
 * whose node the failure detector calls silent is in touch only for a timeout after it last answered.
 */
class QuorumCheckTest {

  private static final int TIMEOUT = 20;
  private static final Membership OLD = new Membership(0, List.of(1, 2, 3), List.of());
  /** Node 4 added: a majority is 3 of 4, and node 3 is down, so node 4 must answer. */
  private static final Membership NEW = new Membership(1, List.of(1, 2, 3, 4), List.of());

  /** Node 1 leading since tick 0, node 2 answering every 5 ticks through tick 100, nodes 3 and 4 silent. */
  private static QuorumCheck leaderAtTick100() {
    QuorumCheck q = new QuorumCheck(1, TIMEOUT, new HashSet<>(Set.of(3, 4)), 0);
    for (long t = 0; t <= 100; t += 5) {
      q.answered(2, t);
      assertFalse(q.lost(t, List.of(OLD)), "tick " + t);
    }
    return q;
  }

  @Test
  void aVoterWhoseNodeIsHeardIsInTouchWithoutAnsweringAndOneCalledSilentOnlyUntilItsTimeoutRunsOut() {
    Set<Integer> silent = new HashSet<>();
    QuorumCheck q = new QuorumCheck(1, TIMEOUT, silent, 0);
    for (long t = 0; t <= 10 * TIMEOUT; t += 5) {
      assertFalse(q.lost(t, List.of(OLD)), "nobody answers, but every node is heard: tick " + t);
    }
    assertEquals(Long.MAX_VALUE, q.nextExpiry(10 * TIMEOUT, List.of(OLD)), "nothing to expire");
    q.answered(2, 200);
    silent.addAll(Set.of(2, 3));
    assertFalse(q.lost(210, List.of(OLD)), "node 2 answered 10 ticks ago");
    assertEquals(200 + TIMEOUT, q.nextExpiry(210, List.of(OLD)));
    assertTrue(q.lost(200 + TIMEOUT, List.of(OLD)), "both nodes silent, node 2's answer too old");
  }

  @Test
  void aVoterAChangeBringsInGetsAFullTimeoutFromWhenTheLeaderFirstCountsIt() {
    QuorumCheck q = leaderAtTick100();
    assertFalse(q.lost(100, List.of(OLD, NEW)), "node 4 has not had a timeout to answer yet");
    assertEquals(100 + TIMEOUT, q.nextExpiry(100, List.of(OLD, NEW)));
    for (long t = 105; t < 100 + TIMEOUT; t += 5) {
      q.answered(2, t);
      assertFalse(q.lost(t, List.of(OLD, NEW)), "tick " + t);
    }
    q.answered(2, 120);
    assertTrue(q.lost(120, List.of(OLD, NEW)), "node 4 never answered: 2 of the 4 voters is no majority");
  }

  @Test
  void aNewVoterThatAnswersKeepsTheLeaderLeading() {
    QuorumCheck q = leaderAtTick100();
    assertFalse(q.lost(100, List.of(OLD, NEW)));
    for (long t = 105; t <= 200; t += 5) {
      q.answered(2, t);
      q.answered(4, t);
      assertFalse(q.lost(t, List.of(OLD, NEW)), "tick " + t);
    }
  }
}
