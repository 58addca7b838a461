package io.synod.bootstrap.tls;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * The cluster's certificate authority: an EC P-256 key and its self-signed certificate, which signs
 * one certificate per node. A node certificate binds the node's id to its key through the Subject
 * Alternative Name URI {@code synod:node:<id>} (what a peer checks), and also names the node's
 * host. Everything here is computed from the key, the clock reading and the random source it is
 * given; files are {@link ClusterCertificates}' job. BouncyCastle only builds the certificates:
 * keys and signatures come from the JDK's own providers, and no provider is installed in the JVM.
 */
final class CertificateAuthority {

  /** The CA's alias in {@code ca.p12} and in {@code trust.p12}. */
  static final String ALIAS = "synod-ca";
  static final Duration VALIDITY = Duration.ofDays(3653);
  /** Certificates start this long before they are made, so a peer whose clock is behind accepts them. */
  static final Duration BACKDATE = Duration.ofHours(1);
  private static final String SIGNATURE = "SHA256withECDSA";

  private final PrivateKey key;
  private final X509Certificate certificate;

  private CertificateAuthority(PrivateKey key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
  }

  /** A new CA, CN=Synod cluster CA with a short random suffix, valid for ten years from {@code now}. */
  static CertificateAuthority generate(Instant now, SecureRandom random) {
    KeyPair pair = ecKeyPair(random);
    byte[] suffix = new byte[3];
    random.nextBytes(suffix);
    X500Name name = commonName("Synod cluster CA " + HexFormat.of().formatHex(suffix));
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(random),
        Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)), name, pair.getPublic());
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          extensions.createSubjectKeyIdentifier(pair.getPublic()));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the CA certificate's extensions", e);
    }
    return new CertificateAuthority(pair.getPrivate(), sign(builder, pair.getPrivate()));
  }

  /** The CA kept in {@code file} (alias {@value #ALIAS}: its key and certificate). */
  static CertificateAuthority read(Path file, char[] password) {
    KeyStore store = Pkcs12.read(file, password);
    try {
      if (!store.isKeyEntry(ALIAS)) {
        throw new TlsFilesException(file + ": has no key entry '" + ALIAS + "' (the CA's key and certificate); "
            + "aliases there: " + Collections.list(store.aliases()));
      }
      Certificate certificate = store.getCertificate(ALIAS);
      if (!(certificate instanceof X509Certificate x509) || x509.getBasicConstraints() < 0) {
        throw new TlsFilesException(file + ": the certificate of '" + ALIAS + "' is not a CA certificate");
      }
      return new CertificateAuthority((PrivateKey) store.getKey(ALIAS, password), x509);
    } catch (GeneralSecurityException e) {
      throw new TlsFilesException(file + ": cannot read the CA's key (" + e + ")", e);
    }
  }

  /** The CA's key and certificate as a PKCS12 store sealed with {@code password}. */
  byte[] toPkcs12(char[] password) {
    KeyStore store = Pkcs12.empty();
    try {
      store.setKeyEntry(ALIAS, key, password, new Certificate[] {certificate});
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot put the CA's key in a PKCS12 store", e);
    }
    return Pkcs12.encode(store, password);
  }

  X509Certificate certificate() {
    return certificate;
  }

  /** The CA's common name, which says which CA a certificate or store came from. */
  String name() {
    return certificate.getSubjectX500Principal().getName();
  }

  /**
   * A new key and certificate for node {@code nodeId} at {@code host}: CN=synod-node-&lt;id&gt;, SAN
   * URI {@code synod:node:<id>} and the host (an IP address SAN for an IP literal, else a DNS name),
   * serverAuth and clientAuth, digitalSignature. Valid for {@code validity} from {@code now}, but
   * never past the CA's own end, after which no peer would accept it anyway.
   */
  NodeCredentials issue(int nodeId, String host, Instant now, Duration validity, SecureRandom random) {
    KeyPair pair = ecKeyPair(random);
    Instant end = now.plus(validity);
    if (end.isAfter(certificate.getNotAfter().toInstant())) {
      end = certificate.getNotAfter().toInstant();
    }
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(random),
        Date.from(now.minus(BACKDATE)), Date.from(end), commonName("synod-node-" + nodeId), pair.getPublic());
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.uniformResourceIdentifier, ClusterCertificates.nodeUri(nodeId)),
          hostName(host)}));
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          extensions.createSubjectKeyIdentifier(pair.getPublic()));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          extensions.createAuthorityKeyIdentifier(certificate));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build node " + nodeId + "'s certificate extensions", e);
    }
    return new NodeCredentials(nodeId, pair.getPrivate(), sign(builder, key), certificate);
  }

  /** Whether this CA signed {@code issued}. */
  boolean signed(X509Certificate issued) {
    if (!issued.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())) {
      return false;
    }
    try {
      issued.verify(certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Whether {@code host} is an IP address literal (no name lookup), with or without IPv6 brackets. */
  static boolean isIpAddress(String host) {
    return IPAddress.isValid(unbracketed(host));
  }

  private static GeneralName hostName(String host) {
    return isIpAddress(host)
        ? new GeneralName(GeneralName.iPAddress, unbracketed(host))
        : new GeneralName(GeneralName.dNSName, host);
  }

  private static String unbracketed(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static X500Name commonName(String cn) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
  }

  /** A random positive serial of 127 bits (RFC 5280 allows up to 20 bytes; CAs use at least 64 random bits). */
  private static BigInteger serial(SecureRandom random) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    bytes[0] &= 0x7f;
    return new BigInteger(1, bytes).max(BigInteger.ONE);
  }

  private static KeyPair ecKeyPair(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make EC P-256 keys", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate with " + SIGNATURE, e);
    }
  }
}
