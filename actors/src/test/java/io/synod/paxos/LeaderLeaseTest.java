package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How grants of a leader's requests become its lease, and when the lease ends. */
class LeaderLeaseTest {

  private static final long LEASE = 10;
  private static final List<Membership> ONE = List.of(Fixtures.MEMBERSHIP);

  @Test
  void aMajorityOfGrantsMakesALeaseThatRunsFromTheRequestsTick() {
    LeaderLease lease = new LeaderLease(LEASE);
    lease.ask(5);
    lease.onGrant(5, 1, ONE);
    assertFalse(lease.covers(5), "one grant of three is no lease");
    lease.onGrant(5, 1, ONE);
    assertFalse(lease.covers(5), "the same acceptor twice is still one grant");
    lease.onGrant(5, 3, ONE);
    assertTrue(lease.covers(5));
    assertTrue(lease.covers(5 + LEASE - 1));
    assertFalse(lease.covers(5 + LEASE), "the lease runs leaderLeaseTicks from the tick it was asked at");
    assertEquals(5 + LEASE, lease.until());
  }

  @Test
  void aGrantForARequestNeverMadeOrForgottenCountsForNothing() {
    LeaderLease lease = new LeaderLease(LEASE);
    lease.ask(5);
    lease.onGrant(6, 1, ONE);
    lease.onGrant(6, 2, ONE);
    assertFalse(lease.covers(6), "nobody asked at tick 6");
    lease.ask(20); // forgets the request of tick 5, too old to extend a lease
    lease.onGrant(5, 1, ONE);
    lease.onGrant(5, 2, ONE);
    assertFalse(lease.covers(6));
  }

  @Test
  void aLaterRequestsGrantsExtendTheLeaseAndAnOlderOnesCannotShortenIt() {
    LeaderLease lease = new LeaderLease(LEASE);
    lease.ask(0);
    lease.ask(4);
    lease.onGrant(4, 1, ONE);
    lease.onGrant(4, 2, ONE);
    assertEquals(4 + LEASE, lease.until());
    lease.onGrant(0, 1, ONE);
    lease.onGrant(0, 2, ONE);
    assertEquals(4 + LEASE, lease.until(), "the older request's grants were forgotten with the later majority");
  }

  @Test
  void whileAChangeIsDecidedGrantsMustBeAMajorityOfEachMembership() {
    List<Membership> both = List.of(Fixtures.MEMBERSHIP, new Membership(1, List.of(1, 4, 5), List.of()));
    LeaderLease lease = new LeaderLease(LEASE);
    lease.ask(0);
    lease.onGrant(0, 2, both);
    lease.onGrant(0, 3, both);
    assertFalse(lease.covers(0), "a majority of {1, 2, 3} but none of {1, 4, 5}");
    lease.onGrant(0, 4, both);
    assertFalse(lease.covers(0), "one of {1, 4, 5} is no majority");
    lease.onGrant(0, 5, both);
    assertTrue(lease.covers(0));
  }

  @Test
  void droppingEndsTheLeaseAndForgetsEveryRequest() {
    LeaderLease lease = new LeaderLease(LEASE);
    lease.ask(0);
    lease.ask(2);
    lease.onGrant(0, 1, ONE);
    lease.onGrant(0, 2, ONE);
    lease.onGrant(2, 1, ONE);
    lease.drop();
    assertFalse(lease.covers(1));
    assertEquals(0, lease.until());
    lease.onGrant(2, 2, ONE);
    assertFalse(lease.covers(3), "a request made before the drop counts for nothing after it");
  }
}
