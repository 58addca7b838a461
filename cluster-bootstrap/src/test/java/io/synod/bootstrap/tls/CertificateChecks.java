package io.synod.bootstrap.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What the tests read from certificates and stores, with the JDK's own X.509 classes only. */
public final class CertificateChecks {

  static final int SAN_DNS = 2;
  public static final int SAN_URI = 6;
  static final int SAN_IP = 7;

  private CertificateChecks() {}

  /** The subject alternative names of {@code certificate} of the given type (6: URI, 7: IP, 2: DNS). */
  public static List<String> sans(X509Certificate certificate, int type) throws GeneralSecurityException {
    List<String> found = new ArrayList<>();
    Collection<List<?>> names = certificate.getSubjectAlternativeNames();
    if (names != null) {
      for (List<?> name : names) {
        if ((Integer) name.get(0) == type) {
          found.add((String) name.get(1));
        }
      }
    }
    return found;
  }

  /** The chain of the node store's entry {@code node}: [node certificate, CA certificate]. */
  public static X509Certificate[] chain(KeyStore nodeStore) throws GeneralSecurityException {
    Certificate[] chain = nodeStore.getCertificateChain("node");
    X509Certificate[] x509 = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) {
      x509[i] = (X509Certificate) chain[i];
    }
    return x509;
  }

  /**
   * Validates {@code leaf} with PKIX against every certificate {@code trustStore} trusts (no
   * revocation: the cluster's CA publishes no CRL); throws if it does not chain up to one of them.
   */
  static void validate(X509Certificate leaf, KeyStore trustStore) throws GeneralSecurityException {
    Set<TrustAnchor> anchors = new HashSet<>();
    for (String alias : Collections.list(trustStore.aliases())) {
      anchors.add(new TrustAnchor((X509Certificate) trustStore.getCertificate(alias), null));
    }
    PKIXParameters parameters = new PKIXParameters(anchors);
    parameters.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
  }
}
