package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When a handover may tell its target to campaign. */
class HandoverTest {

  private static final List<Membership> ONE = List.of(Fixtures.MEMBERSHIP);

  @Test
  void theTargetMayCampaignOnceAMajorityWithItsOwnAcceptorGaveTheLeaseBack() {
    Handover h = new Handover(2, 50);
    assertEquals(2, h.target());
    assertEquals(50, h.deadline());
    assertTrue(h.onReleased(1));
    assertTrue(h.onReleased(3));
    assertFalse(h.targetMayCampaign(ONE), "a majority, but the target's own acceptor would refuse its prepare");
    assertFalse(h.onReleased(3), "a repeated release is no news");
    assertTrue(h.onReleased(2));
    assertTrue(h.targetMayCampaign(ONE));
  }

  @Test
  void theTargetsReleaseAloneIsNotEnough() {
    Handover h = new Handover(2, 50);
    h.onReleased(2);
    assertFalse(h.targetMayCampaign(ONE));
  }

  @Test
  void whileAChangeIsDecidedTheReleasesMustBeAMajorityOfEachMembership() {
    List<Membership> both = List.of(Fixtures.MEMBERSHIP, new Membership(1, List.of(2, 4, 5), List.of()));
    Handover h = new Handover(2, 50);
    h.onReleased(2);
    h.onReleased(3);
    assertFalse(h.targetMayCampaign(both), "a majority of {1, 2, 3}, one of {2, 4, 5}");
    h.onReleased(5);
    assertTrue(h.targetMayCampaign(both));
  }
}
