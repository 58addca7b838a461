package io.synod.bootstrap.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One node's TLS identity as its store {@code node<id>.p12} holds it: the node's private key and the
 * chain [node certificate, CA certificate] under alias {@value #ALIAS}, which is what a TLS key
 * manager presents to a peer. It also says what is wrong with a store kept from an earlier run
 * (another CA, another host, expired), so the operator learns it before a node fails to connect.
 */
record NodeCredentials(int nodeId, PrivateKey key, X509Certificate certificate, X509Certificate ca) {

  static final String ALIAS = "node";
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;
  private static final int SAN_IP = 7;

  /** The store's file name for node {@code nodeId}. */
  static String fileName(int nodeId) {
    return "node" + nodeId + ".p12";
  }

  /** The key and chain as a PKCS12 store sealed with {@code password}. */
  byte[] toPkcs12(char[] password) {
    KeyStore store = Pkcs12.empty();
    try {
      store.setKeyEntry(ALIAS, key, password, new Certificate[] {certificate, ca});
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot put node " + nodeId + "'s key in a PKCS12 store", e);
    }
    return Pkcs12.encode(store, password);
  }

  /** Node {@code nodeId}'s credentials kept in {@code file}. */
  static NodeCredentials read(int nodeId, Path file, char[] password) {
    KeyStore store = Pkcs12.read(file, password);
    try {
      if (!store.isKeyEntry(ALIAS)) {
        throw new TlsFilesException(file + ": has no key entry '" + ALIAS + "'");
      }
      Certificate[] chain = store.getCertificateChain(ALIAS);
      if (chain == null || chain.length < 2 || !(chain[0] instanceof X509Certificate node)
          || !(chain[chain.length - 1] instanceof X509Certificate ca)) {
        throw new TlsFilesException(file + ": the entry '" + ALIAS + "' does not hold the chain [node certificate, "
            + "CA certificate]");
      }
      return new NodeCredentials(nodeId, (PrivateKey) store.getKey(ALIAS, password), node, ca);
    } catch (GeneralSecurityException e) {
      throw new TlsFilesException(file + ": cannot read node " + nodeId + "'s key (" + e + ")", e);
    }
  }

  /**
   * What would keep these credentials from working for node {@code nodeId} at {@code host} in a
   * cluster of {@code authority} at {@code now}; empty if nothing.
   */
  List<String> problems(CertificateAuthority authority, String host, Instant now) {
    List<String> problems = new ArrayList<>();
    if (!authority.signed(certificate)) {
      problems.add("issued by " + certificate.getIssuerX500Principal().getName() + ", not by the current CA "
          + authority.name());
    }
    if (!certificate.getNotAfter().toInstant().isAfter(now)) {
      problems.add("expired on " + certificate.getNotAfter().toInstant());
    }
    List<String> uris = subjectAltNames(SAN_URI);
    if (!uris.equals(List.of(ClusterCertificates.nodeUri(nodeId)))) {
      problems.add("its SAN URIs are " + uris + ", not [" + ClusterCertificates.nodeUri(nodeId) + "]");
    }
    if (!namesHost(host)) {
      problems.add("it does not name the host " + host + " (it names " + subjectAltNames(SAN_DNS)
          + subjectAltNames(SAN_IP) + ")");
    }
    return problems;
  }

  private boolean namesHost(String host) {
    if (!CertificateAuthority.isIpAddress(host)) {
      return subjectAltNames(SAN_DNS).stream().anyMatch(host::equalsIgnoreCase);
    }
    try {
      // A literal is parsed, not looked up; the JDK prints IPv6 SANs in full, so compare addresses.
      InetAddress wanted = InetAddress.getByName(host.replace("[", "").replace("]", ""));
      for (String ip : subjectAltNames(SAN_IP)) {
        if (InetAddress.getByName(ip).equals(wanted)) {
          return true;
        }
      }
      return false;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private List<String> subjectAltNames(int type) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return List.of();
    }
    List<String> found = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        if (((Integer) name.get(0)) == type) {
          found.add(String.valueOf(name.get(1)));
        }
      }
    }
    return found;
  }
}
