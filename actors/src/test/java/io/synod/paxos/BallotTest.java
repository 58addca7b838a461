package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BallotTest {

  @Test
  void ballotsOrderByRoundThenByNodeId() {
    List<Ballot> sorted = List.of(Ballot.ZERO, new Ballot(0, 3), new Ballot(1, 0), new Ballot(1, 2),
        new Ballot(1, 9), new Ballot(2, 1), new Ballot(10, 0));
    List<Ballot> shuffled = new ArrayList<>(sorted);
    Collections.reverse(shuffled);
    Collections.swap(shuffled, 1, 4);
    Collections.sort(shuffled);
    assertEquals(sorted, shuffled);
  }

  @Test
  void ballotsOfDifferentNodesNeverTie() {
    Ballot a = new Ballot(4, 1);
    Ballot b = new Ballot(4, 2);
    assertTrue(a.isBelow(b));
    assertTrue(b.isAbove(a));
    assertFalse(a.isAbove(b));
    assertFalse(a.isAbove(a));
    assertFalse(a.isBelow(a));
    assertEquals(0, a.compareTo(new Ballot(4, 1)));
  }

  @Test
  void nextIsAboveEveryBallotOfItsRoundWhateverTheNode() {
    Ballot high = new Ballot(3, 99);
    Ballot next = high.next(1);
    assertEquals(new Ballot(4, 1), next);
    assertTrue(next.isAbove(high));
  }

  @Test
  void zeroIsBelowEveryBallotAProposerUses() {
    assertTrue(Ballot.ZERO.isBelow(Ballot.ZERO.next(0)));
    assertTrue(Ballot.ZERO.isBelow(new Ballot(1, 0)));
  }

  @Test
  void maxPicksTheHigherAndKeepsTheFirstOnATie() {
    Ballot a = new Ballot(2, 1);
    Ballot b = new Ballot(2, 3);
    assertSame(b, Ballot.max(a, b));
    assertSame(b, Ballot.max(b, a));
    Ballot twin = new Ballot(2, 1);
    assertSame(a, Ballot.max(a, twin));
  }

  @Test
  void negativeRoundIsRejectedNamingTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Ballot(-1, 0));
    assertEquals("ballot round must be >= 0, got -1", e.getMessage());
  }

  @Test
  void negativeNodeIdIsRejectedNamingTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Ballot(0, -7));
    assertEquals("ballot node id must be >= 0, got -7", e.getMessage());
  }

  @Test
  void ballotPrintsAsRoundDotNode() {
    assertEquals("12.3", new Ballot(12, 3).toString());
  }

  @Test
  void messagesRejectNegativeInstancesNamingTheField() {
    IllegalArgumentException prepare = assertThrows(IllegalArgumentException.class,
        () -> new Message.Prepare(1, Ballot.ZERO, -3));
    assertEquals("fromInstance must be >= 0, got -3", prepare.getMessage());
    IllegalArgumentException proposal = assertThrows(IllegalArgumentException.class,
        () -> new Message.Proposal(-1, Value.noop()));
    assertEquals("instance must be >= 0, got -1", proposal.getMessage());
    IllegalArgumentException lease = assertThrows(IllegalArgumentException.class,
        () -> new Message.Accept(1, Ballot.ZERO, List.of(), -4));
    assertEquals("leaseTick must be >= -3, got -4", lease.getMessage());
    IllegalArgumentException max = assertThrows(IllegalArgumentException.class,
        () -> new Message.CatchUpRequest(1, 0, 0));
    assertEquals("max must be >= 1, got 0", max.getMessage());
  }
}
