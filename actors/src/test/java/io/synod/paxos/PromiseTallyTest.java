package io.synod.paxos;

import static io.synod.paxos.Fixtures.MEMBERSHIP;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Membership.Change;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.Promise;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a campaign makes of the promises it hears: joined pages, the values to re-propose, the memberships it needs. */
class PromiseTallyTest {

  private static final Ballot BALLOT = new Ballot(3, 1);
  private static final Ballot OLD = new Ballot(1, 2);
  private static final Ballot OLDER = new Ballot(0, 3);

  private static AcceptedValue at(long instance, Ballot ballot, String payload) {
    return new AcceptedValue(instance, ballot, value(payload));
  }

  private static Promise whole(int from, long truncatedBelow, AcceptedValue... accepted) {
    return new Promise(from, BALLOT, List.of(accepted), truncatedBelow);
  }

  /** Counts {@code promises} as whole promises of a fresh tally from instance {@code from}. */
  private static PromiseTally tally(long from, Promise... promises) {
    PromiseTally t = new PromiseTally(from, MEMBERSHIP);
    for (Promise p : promises) {
      assertTrue(t.addPage(p));
      assertTrue(t.joinIfWhole(p.from()));
    }
    return t;
  }

  @Test
  void pagesArriveInAnyOrderAndArriveWholeOnlyOnceEveryPageIsIn() {
    PromiseTally t = new PromiseTally(0, MEMBERSHIP);
    assertEquals(-1, t.firstMissingPage(2), "nothing heard from node 2");
    Promise last = new Promise(2, BALLOT, List.of(at(4, OLD, "E")), 0, 4, -1);
    Promise first = new Promise(2, BALLOT, List.of(at(1, OLD, "B")), 3, -1, 2);
    Promise middle = new Promise(2, BALLOT, List.of(at(2, OLD, "C")), 0, 2, 4);
    assertTrue(t.addPage(last));
    assertEquals(-1, t.firstMissingPage(2), "the first page is missing");
    assertFalse(t.joinIfWhole(2));
    assertTrue(t.addPage(first));
    assertFalse(t.addPage(first), "a repeated page");
    assertEquals(2, t.firstMissingPage(2), "the page from instance 2 is missing");
    assertFalse(t.joinIfWhole(2));
    assertFalse(t.hasWhole(2));
    assertTrue(t.addPage(middle));
    assertEquals(Long.MAX_VALUE, t.firstMissingPage(2));
    assertTrue(t.joinIfWhole(2));
    assertTrue(t.hasWhole(2));
    assertEquals(-1, t.firstMissingPage(2), "joined: no pages are pending any more");
    assertEquals(Set.of(2), t.promisers());
    Promise joined = t.mostTruncated();
    assertEquals(new Promise(2, BALLOT, List.of(at(1, OLD, "B"), at(2, OLD, "C"), at(4, OLD, "E")), 3), joined,
        "the pages' values in page order, and the deepest truncation of any page");
  }

  @Test
  void eachInstanceGetsTheValueAcceptedAtTheHighestBallotFromTheFirstPhaseOneCovers() {
    PromiseTally t = tally(2,
        whole(1, 0, at(1, OLD, "below from"), at(2, OLDER, "A"), at(3, OLD, "C")),
        whole(3, 0, at(2, OLD, "B"), at(3, OLDER, "D"), at(5, OLDER, "F")));
    var highest = t.highestAccepted();
    assertEquals(List.of(2L, 3L, 5L), List.copyOf(highest.keySet()), "nothing below instance 2, holes left open");
    assertEquals(at(2, OLD, "B"), highest.get(2L));
    assertEquals(at(3, OLD, "C"), highest.get(3L));
    assertEquals(at(5, OLDER, "F"), highest.get(5L));
  }

  @Test
  void aReportedChangeAddsItsMembershipToTheChainAndTheCampaignNeedsAMajorityOfEach() {
    Membership next = new Membership(1, List.of(1, 4, 5), List.of());
    Value change = value(ClientCommand.membership(99, 1, new Change(0, new Membership(0, next.voters(), List.of()))));
    PromiseTally t = new PromiseTally(0, MEMBERSHIP);
    assertEquals(List.of(MEMBERSHIP), t.chain());
    t.addPage(new Promise(1, BALLOT, List.of(new AcceptedValue(0, OLD, change)), 0));
    t.joinIfWhole(1);
    assertEquals(List.of(MEMBERSHIP, next), t.chain());
    t.addPage(whole(2, 0));
    t.joinIfWhole(2);
    assertFalse(t.won(), "{1, 2} is a majority of {1, 2, 3} only");
    t.addPage(whole(4, 0));
    t.joinIfWhole(4);
    assertTrue(t.won());
  }

  @Test
  void aCampaignCanStillWinUntilTooManyVotersRefused() {
    PromiseTally t = new PromiseTally(0, MEMBERSHIP);
    t.refused(2);
    assertTrue(t.hasRefused(2));
    assertTrue(t.canStillWin(), "1 and 3 may still promise");
    t.refused(3);
    assertFalse(t.canStillWin());
  }

  @Test
  void theMostTruncatedPromiseIsTheOneThatForgotTheMost() {
    assertNull(tally(0, whole(1, 0), whole(2, 0)).mostTruncated(), "nobody forgot anything");
    PromiseTally t = tally(0, whole(1, 4), whole(2, 9), whole(3, 6));
    assertEquals(2, t.mostTruncated().from());
    assertEquals(9, t.mostTruncated().truncatedBelow());
  }

  @Test
  void eachAcceptorIsAskedOnce() {
    PromiseTally t = new PromiseTally(0, MEMBERSHIP);
    assertTrue(t.ask(2));
    assertFalse(t.ask(2));
  }
}
