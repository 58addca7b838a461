package io.synod.paxos;

import static io.synod.paxos.Fixtures.MEMBERSHIP;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Membership.Change;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A leader's view of which membership holds at each instance, and the quorum arithmetic under it. */
class MembershipViewTest {

  private static final Membership NEXT = new Membership(1, List.of(1, 4, 5), List.of(2));

  /** The value of a change from the initial membership to {@link #NEXT}. */
  private static Value changeToNext() {
    return value(ClientCommand.membership(99, 1, new Change(0, new Membership(0, NEXT.voters(), NEXT.learners()))));
  }

  @Test
  void aChangeProposedAtAnInstanceHoldsFromTheNextOne() {
    MembershipView view = new MembershipView(3, MEMBERSHIP, Set.of(1, 2));
    assertFalse(view.noteProposed(3, value("plain")), "a plain value changes nothing");
    assertTrue(view.noteProposed(4, changeToNext()));
    assertEquals(MEMBERSHIP, view.at(4), "the change's own instance is decided by the old voters");
    assertEquals(NEXT, view.at(5));
    assertEquals(NEXT, view.at(99));
    assertEquals(MEMBERSHIP, view.at(0), "before the view's first instance: the first membership");
    assertEquals(NEXT, view.latest());
    assertEquals(5, view.latestFrom());
    assertEquals(3, view.firstFrom());
  }

  @Test
  void theLiveMembershipsAreThoseFromAnInstanceOnAndForgettingDropsOnlyEarlierOnes() {
    MembershipView view = new MembershipView(0, MEMBERSHIP, Set.of(1, 2));
    view.noteProposed(2, changeToNext());
    assertEquals(List.of(MEMBERSHIP, NEXT), List.copyOf(view.from(1)));
    assertEquals(List.of(NEXT), List.copyOf(view.from(3)));
    assertEquals(Set.of(1, 2, 3, 4, 5), Quorums.votersOf(view.from(0)));
    assertEquals(Set.of(1, 2, 4, 5), Quorums.everyoneOf(view.from(3)), "voters and learners of {1, 4, 5} + {2}");
    view.forgetBefore(2);
    assertEquals(0, view.firstFrom(), "instance 2 is still decided by the first membership");
    view.forgetBefore(3);
    assertEquals(3, view.firstFrom());
    assertEquals(List.of(NEXT), List.copyOf(view.from(0)));
  }

  @Test
  void aLeaderMayProposeUnderAMembershipOnlyIfAMajorityOfItsVotersPromised() {
    MembershipView view = new MembershipView(0, MEMBERSHIP, Set.of(1, 2));
    assertTrue(view.promisedByMajorityOf(MEMBERSHIP));
    view.noteProposed(0, changeToNext());
    assertFalse(view.promisedByMajorityOf(view.latest()), "only node 1 of {1, 4, 5} promised");
    assertTrue(new MembershipView(0, MEMBERSHIP, Set.of(1, 4)).promisedByMajorityOf(NEXT));
  }

  @Test
  void aMajorityOfEachMembershipIsNeededAndAnyNodesBeyondItAreIgnored() {
    List<Membership> both = List.of(MEMBERSHIP, NEXT);
    assertTrue(Quorums.majorityOfEach(List.of(MEMBERSHIP), Set.of(1, 3)));
    assertFalse(Quorums.majorityOfEach(both, Set.of(1, 3)), "no majority of {1, 4, 5}");
    assertFalse(Quorums.majorityOfEach(both, Set.of(2, 3, 4)), "nodes 2 and 3 do not vote in {1, 4, 5}");
    assertTrue(Quorums.majorityOfEach(both, Set.of(1, 2, 4)));
    assertTrue(Quorums.majorityOfEach(List.of(MEMBERSHIP), Set.of(1, 2, 9)), "a stranger counts for nothing, harms nothing");
  }

  @Test
  void aMajorityIsStillPossibleUntilTooManyVotersOfOneMembershipRefused() {
    List<Membership> both = List.of(MEMBERSHIP, NEXT);
    assertTrue(Quorums.majorityStillPossible(both, Set.of(2, 4)));
    assertFalse(Quorums.majorityStillPossible(both, Set.of(4, 5)), "{1, 4, 5} lost two of three");
    assertTrue(Quorums.majorityStillPossible(both, Set.of(2)));
    assertTrue(Quorums.majorityStillPossible(List.of(), Set.of(1, 2, 3)), "no membership asks for anything");
    assertFalse(Quorums.majorityStillPossible(List.of(MEMBERSHIP), Set.of(1, 3)));
  }
}
