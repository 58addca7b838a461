package io.synod.actors.internal;

/**
 * How a node proves, in every message, which node it is. Artery merges what all connections bring
 * into one stream and tells a receiver nothing about the connection a message came over, so a
 * node cannot check a sender's claim on the way in. It can on the way out: the node it connects to
 * must present the certificate of the node configured at that address ({@code
 * NodeTlsEngineProvider}). Tickets carry that guarantee over to the way in:
 *
 * <ol>
 *   <li>Node A, to talk to node B, sends B a {@link Request} with a random nonce.
 *   <li>B answers with a {@link Grant} sent to the address configured for A, not to whoever asked,
 *       so only the real A receives it: the ticket B issued to A (random, one per peer, for B's
 *       lifetime) and A's nonce. A takes a grant only with the nonce it sent, so a grant forged by
 *       someone else is refused, and a request forged in A's name only sends A a ticket it ignores.
 *   <li>A stamps every message to B with that ticket ({@link Stamped}); B drops any message whose
 *       ticket is not the one it issued to the node the message claims to come from.
 *   <li>When B drops a message for a ticket it did not issue (it restarted, or A did), it tells A
 *       ({@link Stale}, at most once a second per peer), and A asks again.
 * </ol>
 *
 * Only mutual TLS with a certificate per node makes this an authentication: over plain TCP the
 * tickets only keep out a sender that cannot receive what is sent to the address it claims.
 */
public sealed interface TicketExchange extends NodeGateway.Command {

  /** Node {@code from} asks for the ticket to stamp its messages to the receiver with. */
  record Request(int from, Ticket nonce) implements TicketExchange {
    public Request {
      GroupEnvelope.checkGroupAndSender("tickets", from);
      if (nonce == null) {
        throw new IllegalArgumentException("a ticket request needs a nonce");
      }
    }
  }

  /** Node {@code issuer}'s answer to the request with {@code nonce}: stamp messages to it with {@code ticket}. */
  record Grant(int issuer, Ticket nonce, Ticket ticket) implements TicketExchange {
    public Grant {
      GroupEnvelope.checkGroupAndSender("tickets", issuer);
      if (nonce == null || ticket == null) {
        throw new IllegalArgumentException("a ticket grant needs a nonce and a ticket");
      }
    }
  }

  /** Node {@code issuer} dropped a message from the receiver for a ticket it did not issue: ask again. */
  record Stale(int issuer) implements TicketExchange {
    public Stale {
      GroupEnvelope.checkGroupAndSender("tickets", issuer);
    }
  }
}
