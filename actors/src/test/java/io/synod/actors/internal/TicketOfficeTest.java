package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ticket rules of one node (node 1 of nodes 1, 2 and 3), without actors or a network. */
class TicketOfficeTest {

  private static final long MS = 1_000_000L;

  private final TicketOffice office = new TicketOffice(1, List.of(1, 2, 3), new SecureRandom());

  @Test
  void eachNodeGetsItsOwnTicketAndOnlyThatOneAdmitsIt() {
    Ticket two = office.issuedTo(2);
    Ticket three = office.issuedTo(3);
    assertNotEquals(two, three);
    assertTrue(office.admits(2, two));
    assertFalse(office.admits(2, three), "node 3's ticket does not let a sender pass as node 2");
    assertFalse(office.admits(4, two), "an unknown node has no ticket");
    assertNull(office.issuedTo(4));
  }

  @Test
  void aRequestIsAnsweredWithTheRequestersTicketAndItsNonce() {
    Ticket nonce = new Ticket(5, 6);
    assertEquals(new TicketExchange.Grant(1, nonce, office.issuedTo(2)),
        office.answer(new TicketExchange.Request(2, nonce)));
    assertEquals(office.issuedTo(3), office.answer(new TicketExchange.Request(3, nonce)).ticket());
    assertNull(office.answer(new TicketExchange.Request(9, nonce)), "an unknown node gets nothing");
    assertNull(office.answer(new TicketExchange.Request(1, nonce)), "nor does this node itself");
  }

  @Test
  void aGrantCountsOnlyWithTheNonceOfThisNodesRequestAndOnlyOnce() {
    List<TicketOffice.Outgoing> requests = office.requests();
    assertEquals(List.of(2, 3), requests.stream().map(TicketOffice.Outgoing::to).toList(), "at start, every peer");
    Ticket nonce = requests.get(0).request().nonce();
    assertEquals(requests, office.requests(), "asked again with the same nonces until answered");
    assertNull(office.take(new TicketExchange.Grant(2, new Ticket(0, 0), new Ticket(7, 7))), "a forged grant");
    assertNull(office.take(new TicketExchange.Grant(3, nonce, new Ticket(7, 7))), "node 2's nonce from node 3");
    assertEquals(new Ticket(7, 7), office.take(new TicketExchange.Grant(2, nonce, new Ticket(7, 7))));
    assertNull(office.take(new TicketExchange.Grant(2, nonce, new Ticket(8, 8))), "the nonce is used up");
    assertTrue(office.answersAnsweredRequest(new TicketExchange.Grant(2, nonce, new Ticket(7, 7))),
        "a second answer to the same request is no news");
    assertFalse(office.answersAnsweredRequest(new TicketExchange.Grant(2, new Ticket(0, 0), new Ticket(7, 7))));
    assertEquals(List.of(3), office.requests().stream().map(TicketOffice.Outgoing::to).toList());
  }

  @Test
  void aStaleTicketIsAskedForAgainWithANewNonce() {
    Ticket first = office.requests().get(0).request().nonce();
    office.take(new TicketExchange.Grant(2, first, new Ticket(7, 7)));
    office.stale(2);
    office.stale(9); // unknown: ignored
    office.stale(1); // itself: ignored
    List<TicketOffice.Outgoing> again = office.requests();
    assertEquals(List.of(2, 3), again.stream().map(TicketOffice.Outgoing::to).toList());
    assertNotEquals(first, again.get(0).request().nonce());
  }

  @Test
  void aPeerIsToldItsTicketIsStaleAtMostOnceASecond() {
    assertTrue(office.tellStale(2, 0));
    assertFalse(office.tellStale(2, 500 * MS));
    assertTrue(office.tellStale(3, 500 * MS));
    assertTrue(office.tellStale(2, TicketOffice.STALE_INTERVAL_NANOS));
    assertFalse(office.tellStale(9, 0), "not an unknown node");
  }
}
