package io.synod.actors.internal;

import java.security.SecureRandom;

/**
 * 128 random bits that only two nodes know: a ticket that one node issued to another (see {@link
 * TicketExchange}), or the nonce of a request for one. Equal bits, equal ticket; the bits never
 * appear in logs ({@link #toString} hides them).
 */
public record Ticket(long hi, long lo) {

  /** A fresh ticket from {@code random}. */
  static Ticket random(SecureRandom random) {
    return new Ticket(random.nextLong(), random.nextLong());
  }

  @Override
  public String toString() {
    return "Ticket[hidden]";
  }
}
