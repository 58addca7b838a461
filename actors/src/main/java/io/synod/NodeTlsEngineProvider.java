package io.synod;

import io.synod.actors.internal.NodeIdentities;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider;
import scala.Option;

/**
 * Artery's TLS for a Synod node: Pekko's {@link ConfigSSLEngineProvider} (key store, trust store,
 * mutual authentication from {@code pekko.remote.artery.ssl.config-ssl-engine}) with a node
 * identity check on every connection. A node's certificate names it by a subject alternative name
 * of type URI, {@value #URI_PREFIX}{@code <id>}. A peer connecting to this node must present one
 * of a node Synod knows; a node this node connects to must present the one of the node configured
 * at that host and port, so what this node sends a node reaches that node only (which is what
 * {@code TicketExchange} builds on). A connection refused for its identity is counted and logged in
 * the node's refusals; a certificate chain the trust store does not hold is refused by TLS itself
 * (and logged by Pekko). Set it as {@code
 * pekko.remote.artery.ssl.ssl-engine-provider}; it serves only actor systems whose Artery peers are
 * Synod nodes, and refuses every connection until Synod starts on the system.
 */
public class NodeTlsEngineProvider extends ConfigSSLEngineProvider {

  /** How a certificate names a node: this, then the node id, as a URI subject alternative name. */
  public static final String URI_PREFIX = "synod:node:";

  private static final int SAN_URI = 6;

  private final ActorSystem system;

  public NodeTlsEngineProvider(ActorSystem system) {
    super(system);
    this.system = system;
  }

  /** This node connected to {@code hostname}: the peer must be the node configured there. */
  @Override
  public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
    Option<Throwable> base = super.verifyClientSession(hostname, session);
    NodeIdentities identities = NodeIdentities.of(system);
    String peer = hostname + ":" + session.getPeerPort();
    if (base.isDefined() || !identities.started()) {
      return base.isDefined() ? base : notStarted(identities, peer);
    }
    OptionalInt expected = identities.nodeAt(hostname, session.getPeerPort());
    OptionalInt presented = nodeId(session);
    if (expected.isEmpty()) {
      return refuse(identities, peer, "no Synod node is configured at " + peer);
    }
    if (presented.isEmpty() || presented.getAsInt() != expected.getAsInt()) {
      return refuse(identities, peer, "the node at " + peer + " is node " + expected.getAsInt()
          + ", but its certificate " + describe(session, presented));
    }
    return Option.apply(null);
  }

  /** A peer connected to this node: its certificate must name a node Synod knows. */
  @Override
  public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
    Option<Throwable> base = super.verifyServerSession(hostname, session);
    NodeIdentities identities = NodeIdentities.of(system);
    OptionalInt presented = nodeId(session);
    String peer = presented.isPresent() ? "node " + presented.getAsInt() : "a peer without a node identity";
    if (base.isDefined() || !identities.started()) {
      return base.isDefined() ? base : notStarted(identities, peer);
    }
    if (presented.isEmpty() || !identities.knows(presented.getAsInt())) {
      return refuse(identities, peer, "a connecting peer's certificate " + describe(session, presented)
          + ", which is not a node of this cluster");
    }
    return Option.apply(null);
  }

  /** The node id {@code certificate} names, if it names exactly one. */
  public static OptionalInt nodeId(X509Certificate certificate) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return OptionalInt.empty();
    }
    OptionalInt found = OptionalInt.empty();
    for (List<?> name : names == null ? List.<List<?>>of() : names) {
      if (Integer.valueOf(SAN_URI).equals(name.get(0)) && name.get(1) instanceof String uri
          && uri.startsWith(URI_PREFIX)) {
        OptionalInt id = parseId(uri.substring(URI_PREFIX.length()));
        if (id.isEmpty() || found.isPresent()) {
          return OptionalInt.empty(); // malformed, or two identities: neither is trusted
        }
        found = id;
      }
    }
    return found;
  }

  private static OptionalInt parseId(String s) {
    try {
      int id = Integer.parseInt(s);
      return id >= 0 && String.valueOf(id).equals(s) ? OptionalInt.of(id) : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  private static OptionalInt nodeId(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x ? nodeId(x) : OptionalInt.empty();
    } catch (SSLPeerUnverifiedException e) {
      return OptionalInt.empty();
    }
  }

  private static String describe(SSLSession session, OptionalInt presented) {
    String subject;
    try {
      subject = session.getPeerPrincipal().getName();
    } catch (SSLPeerUnverifiedException e) {
      subject = "(none)";
    }
    return "(" + subject + ") " + (presented.isPresent() ? "names node " + presented.getAsInt()
        : "names no node (it needs one subject alternative name " + URI_PREFIX + "<id>)");
  }

  private static Option<Throwable> refuse(NodeIdentities identities, String peer, String why) {
    identities.refusals().refuse(peer, "tls-identity", () -> why);
    return Option.apply(new SSLPeerUnverifiedException("Synod refused the TLS peer " + peer + ": " + why));
  }

  /**
   * Artery listens as soon as the actor system starts, before Synod starts on it and says which
   * node is where: a peer that connects meanwhile is refused (it connects again), counted apart and
   * logged at INFO, as any node's start causes it.
   */
  private static Option<Throwable> notStarted(NodeIdentities identities, String peer) {
    String why = "Synod has not started on this node yet";
    identities.refusals().refuse(peer, "tls-not-started", () -> why, true);
    return Option.apply(new SSLPeerUnverifiedException("Synod refused the TLS peer " + peer + ": " + why));
  }
}
