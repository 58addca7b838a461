package io.synod.bootstrap.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * The cluster's trust store {@code trust.p12}: the CA certificates a node accepts its peers'
 * certificates from, as trusted certificate entries and nothing else. A new one holds only the
 * current CA, alias {@value CertificateAuthority#ALIAS}. When the CA changes (rotation: the old
 * {@code ca.p12} moved away and a new one made), the new CA is added and the ones already trusted
 * are kept, so nodes still on old certificates and nodes on new ones accept each other until the
 * operator drops the old CA.
 */
final class TrustStore {

  static final String FILE = "trust.p12";
  /** Earlier CAs move to this alias followed by the start of their certificate's SHA-256 fingerprint. */
  static final String PREVIOUS_PREFIX = CertificateAuthority.ALIAS + "-old-";

  private TrustStore() {}

  /** A trust store holding only {@code ca}, sealed with {@code password}. */
  static byte[] trustingOnly(X509Certificate ca, char[] password) {
    KeyStore store = Pkcs12.empty();
    try {
      store.setCertificateEntry(CertificateAuthority.ALIAS, ca);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot put the CA certificate in a PKCS12 store", e);
    }
    return Pkcs12.encode(store, password);
  }

  /** Whether {@code store} trusts {@code ca}, under whatever alias. */
  static boolean trusts(KeyStore store, X509Certificate ca) {
    try {
      return store.getCertificateAlias(ca) != null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot search a PKCS12 store", e);
    }
  }

  /** The aliases {@code store} holds. */
  static List<String> aliases(KeyStore store) {
    try {
      return Collections.list(store.aliases());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot list a PKCS12 store", e);
    }
  }

  /**
   * {@code store} with {@code ca} added under {@value CertificateAuthority#ALIAS}: the certificate
   * that held that alias moves to {@value #PREVIOUS_PREFIX}&lt;fingerprint&gt;, every other entry stays.
   */
  static byte[] adding(KeyStore store, X509Certificate ca, char[] password) {
    try {
      Certificate previous = store.getCertificate(CertificateAuthority.ALIAS);
      if (previous != null) {
        store.deleteEntry(CertificateAuthority.ALIAS);
        store.setCertificateEntry(PREVIOUS_PREFIX + fingerprint(previous), previous);
      }
      store.setCertificateEntry(CertificateAuthority.ALIAS, ca);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot add the CA certificate to a PKCS12 store", e);
    }
    return Pkcs12.encode(store, password);
  }

  private static String fingerprint(Certificate certificate) throws CertificateEncodingException {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
