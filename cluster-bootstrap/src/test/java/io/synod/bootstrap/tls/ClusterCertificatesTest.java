package io.synod.bootstrap.tls;

import static io.synod.bootstrap.tls.CertificateChecks.SAN_DNS;
import static io.synod.bootstrap.tls.CertificateChecks.SAN_IP;
import static io.synod.bootstrap.tls.CertificateChecks.SAN_URI;
import static io.synod.bootstrap.tls.CertificateChecks.chain;
import static io.synod.bootstrap.tls.CertificateChecks.sans;
import static io.synod.bootstrap.tls.CertificateChecks.validate;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link ClusterCertificates} writes, what a later run keeps, adds and renews. */
class ClusterCertificatesTest {

  private static final Duration VALIDITY = ClusterCertificates.DEFAULT_VALIDITY;
  private static final Map<Integer, String> HOSTS = Map.of(1, "127.0.0.1", 2, "127.0.0.1", 3, "node3.example");

  @TempDir
  Path tmp;

  private Path dir() {
    return tmp.resolve("data").resolve("tls");
  }

  private static X509Certificate nodeCertificate(TlsFiles files, int node) throws Exception {
    return chain(files.readNodeStore(node))[0];
  }

  private static X509Certificate caCertificate(TlsFiles files) throws Exception {
    return (X509Certificate) files.readTrustStore().getCertificate("synod-ca");
  }

  private static TlsFiles.Change change(TlsFiles files, Path file) {
    return files.changes().stream().filter(c -> c.file().equals(file)).findFirst().orElseThrow();
  }

  @Test
  void everyFileIsOwnerOnlyInAnOwnerOnlyDirectory() throws Exception {
    TlsFiles files = ClusterCertificates.create(dir(), HOSTS, VALIDITY);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir())));
    Set<String> names = new TreeSet<>();
    try (Stream<Path> list = Files.list(dir())) {
      for (Path file : list.toList()) {
        names.add(file.getFileName().toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
      }
    }
    assertEquals(new TreeSet<>(List.of("ca.p12", "trust.p12", "password", "node1.p12", "node2.p12", "node3.p12")),
        names, "these files and no temporary one");
    assertEquals(dir().resolve("node3.p12"), files.nodeStore(3));
  }

  @Test
  void thePasswordIsOneRandomLineThatOpensEveryStore() throws Exception {
    TlsFiles files = ClusterCertificates.create(dir(), HOSTS, VALIDITY);
    List<String> lines = Files.readAllLines(files.passwordFile(), StandardCharsets.US_ASCII);
    assertEquals(1, lines.size());
    assertTrue(lines.get(0).length() >= 40, lines.get(0));
    char[] password = files.password();
    assertArrayEquals(lines.get(0).toCharArray(), password);
    assertTrue(Pkcs12.read(files.caStore(), password).isKeyEntry("synod-ca"));
    TlsFiles other = ClusterCertificates.create(tmp.resolve("other"), HOSTS, VALIDITY);
    assertNotEquals(lines.get(0), new String(other.password()), "each directory draws its own");
    assertThrows(TlsFilesException.class, () -> Pkcs12.read(files.caStore(), other.password()));
  }

  @Test
  void theNodeStoreHoldsAP256KeyWhoseChainValidatesUpToTheTrustedCa() throws Exception {
    TlsFiles files = ClusterCertificates.create(dir(), HOSTS, VALIDITY);
    KeyStore store = files.readNodeStore(2);
    assertEquals(List.of("node"), Collections.list(store.aliases()));
    assertEquals("EC", store.getKey("node", files.password()).getAlgorithm());
    X509Certificate[] chain = chain(store);
    assertEquals(2, chain.length);
    assertEquals(caCertificate(files), chain[1]);
    assertEquals(256, ((ECPublicKey) chain[0].getPublicKey()).getParams().getCurve().getField().getFieldSize());

    KeyStore trust = files.readTrustStore();
    assertEquals(List.of("synod-ca"), Collections.list(trust.aliases()));
    assertTrue(trust.isCertificateEntry("synod-ca"), "a trusted certificate entry, no key");
    validate(chain[0], trust);

    TlsFiles foreign = ClusterCertificates.create(tmp.resolve("foreign"), HOSTS, VALIDITY);
    assertThrows(CertPathValidatorException.class, () -> validate(chain[0], foreign.readTrustStore()),
        "another directory's CA does not vouch for this node");
  }

  @Test
  void aNodeCertificateNamesItsNodeUriAndHost() throws Exception {
    TlsFiles files = ClusterCertificates.create(dir(), HOSTS, VALIDITY);
    X509Certificate two = nodeCertificate(files, 2);
    assertEquals("CN=synod-node-2", two.getSubjectX500Principal().getName());
    assertEquals(List.of("synod:node:2"), sans(two, SAN_URI));
    assertEquals(List.of("127.0.0.1"), sans(two, SAN_IP));
    assertEquals(List.of(), sans(two, SAN_DNS));
    X509Certificate three = nodeCertificate(files, 3);
    assertEquals(List.of("synod:node:3"), sans(three, SAN_URI));
    assertEquals(List.of("node3.example"), sans(three, SAN_DNS), "a name that is not an IP address is a DNS SAN");
    assertEquals(List.of(), sans(three, SAN_IP));

    assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), two.getExtendedKeyUsage(),
        "serverAuth and clientAuth");
    boolean[] usage = two.getKeyUsage();
    assertTrue(usage[0], "digitalSignature");
    assertFalse(usage[5], "no keyCertSign");
    assertTrue(two.getCriticalExtensionOIDs().contains("2.5.29.15"), "keyUsage is critical");
    assertEquals(-1, two.getBasicConstraints(), "not a CA");
    assertEquals("SHA256withECDSA", two.getSigAlgName());
    assertNotEquals(two.getSerialNumber(), three.getSerialNumber());
    assertTrue(two.getSerialNumber().bitLength() > 64, "a random serial: " + two.getSerialNumber());

    Duration left = Duration.between(Instant.now(), two.getNotAfter().toInstant());
    assertTrue(left.compareTo(VALIDITY.minusHours(1)) > 0 && left.compareTo(VALIDITY) <= 0, left.toString());
  }

  @Test
  void theCaIsASelfSignedP256CaForTenYears() throws Exception {
    TlsFiles files = ClusterCertificates.create(dir(), HOSTS, VALIDITY);
    X509Certificate ca = caCertificate(files);
    assertTrue(ca.getSubjectX500Principal().getName().matches("CN=Synod cluster CA [0-9a-f]{6}"),
        ca.getSubjectX500Principal().getName());
    assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
    ca.verify(ca.getPublicKey());
    assertTrue(ca.getBasicConstraints() >= 0, "CA:true");
    assertTrue(ca.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.19", "2.5.29.15")),
        "basicConstraints and keyUsage are critical: " + ca.getCriticalExtensionOIDs());
    boolean[] usage = ca.getKeyUsage();
    assertTrue(usage[5] && usage[6], "keyCertSign and cRLSign");
    assertFalse(usage[0], "no digitalSignature");
    assertEquals("SHA256withECDSA", ca.getSigAlgName());
    long days = Duration.between(Instant.now(), ca.getNotAfter().toInstant()).toDays();
    assertTrue(days >= 3650 && days <= 3653, days + " days");
    assertNotEquals(ca.getSubjectX500Principal(),
        caCertificate(ClusterCertificates.create(tmp.resolve("other"), HOSTS, VALIDITY)).getSubjectX500Principal(),
        "each CA has its own name");
  }

  @Test
  void aSecondRunKeepsTheCaAndTheStoresAndAddsANewNode() throws Exception {
    Map<Integer, String> first = Map.of(1, "127.0.0.1", 2, "127.0.0.1");
    TlsFiles before = ClusterCertificates.create(dir(), first, VALIDITY);
    List<Path> kept = List.of(before.caStore(), before.trustStore(), before.passwordFile(), before.nodeStore(1),
        before.nodeStore(2));
    List<byte[]> bytes = kept.stream().map(ClusterCertificatesTest::read).toList();

    TlsFiles after = ClusterCertificates.create(dir(), Map.of(1, "127.0.0.1", 2, "127.0.0.1", 4, "127.0.0.1"),
        VALIDITY);
    for (int i = 0; i < kept.size(); i++) {
      assertArrayEquals(bytes.get(i), read(kept.get(i)), kept.get(i) + " is kept as it was");
      assertEquals(TlsFiles.Action.KEPT, change(after, kept.get(i)).action(), kept.get(i).toString());
    }
    assertEquals(List.of(), change(after, after.nodeStore(1)).problems());
    assertEquals(TlsFiles.Action.CREATED, change(after, after.nodeStore(4)).action());
    X509Certificate four = nodeCertificate(after, 4);
    assertEquals(List.of("synod:node:4"), sans(four, SAN_URI));
    validate(four, after.readTrustStore());
    assertEquals(caCertificate(before), chain(after.readNodeStore(4))[1], "signed by the same CA");
  }

  @Test
  void renewIssuesEveryNodeANewKeyAndCertificateFromTheSameCa() throws Exception {
    TlsFiles before = ClusterCertificates.create(dir(), HOSTS, VALIDITY);
    byte[] ca = read(before.caStore());
    X509Certificate old = nodeCertificate(before, 1);

    TlsFiles after = ClusterCertificates.renew(dir(), HOSTS, Duration.ofDays(30));
    X509Certificate renewed = nodeCertificate(after, 1);
    assertEquals(TlsFiles.Action.RENEWED, change(after, after.nodeStore(1)).action());
    assertArrayEquals(ca, read(after.caStore()), "the CA stays");
    assertEquals(TlsFiles.Action.KEPT, change(after, after.trustStore()).action());
    assertNotEquals(old.getSerialNumber(), renewed.getSerialNumber());
    assertNotEquals(old.getPublicKey(), renewed.getPublicKey(), "a new key too");
    assertTrue(renewed.getNotAfter().before(old.getNotAfter()), "with the new validity");
    validate(renewed, after.readTrustStore());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(after.nodeStore(1))));
  }

  @Test
  void aNewCaJoinsTheOldOneInTheTrustStoreAndKeptStoresSayTheyNeedRenewing() throws Exception {
    Map<Integer, String> hosts = Map.of(1, "127.0.0.1", 2, "127.0.0.1");
    TlsFiles before = ClusterCertificates.create(dir(), hosts, VALIDITY);
    X509Certificate oldCa = caCertificate(before);
    X509Certificate oldNode = nodeCertificate(before, 1);
    Files.move(before.caStore(), tmp.resolve("ca-old.p12")); // the operator moves the old CA away

    TlsFiles during = ClusterCertificates.create(dir(), hosts, VALIDITY);
    X509Certificate newCa = caCertificate(during);
    assertNotEquals(oldCa, newCa);
    assertEquals(TlsFiles.Action.UPDATED, change(during, during.trustStore()).action());
    assertTrue(change(during, during.trustStore()).detail().contains("beside 1 earlier"),
        change(during, during.trustStore()).detail());
    KeyStore trust = during.readTrustStore();
    assertEquals(2, trust.size());
    assertEquals(newCa, trust.getCertificate("synod-ca"));
    assertEquals("synod-ca-old-", trust.getCertificateAlias(oldCa).substring(0, 13));
    TlsFiles.Change keptNode = change(during, during.nodeStore(1));
    assertEquals(TlsFiles.Action.KEPT, keptNode.action());
    assertTrue(keptNode.problems().stream().anyMatch(p -> p.contains("not by the current CA")),
        keptNode.problems().toString());
    validate(oldNode, trust); // nodes still on old certificates are accepted during the change

    TlsFiles after = ClusterCertificates.renew(dir(), hosts, VALIDITY);
    X509Certificate newNode = nodeCertificate(after, 1);
    assertTrue(newNode.getIssuerX500Principal().equals(newCa.getSubjectX500Principal()));
    validate(newNode, after.readTrustStore());
    assertEquals(2, after.readTrustStore().size(), "dropping the old CA is the operator's step");
  }

  @Test
  void aKeptStoreThatNamesAnotherHostIsReported() throws Exception {
    ClusterCertificates.create(dir(), Map.of(1, "127.0.0.1"), VALIDITY);
    TlsFiles moved = ClusterCertificates.create(dir(), Map.of(1, "10.0.0.7"), VALIDITY);
    List<String> problems = change(moved, moved.nodeStore(1)).problems();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("10.0.0.7"), problems.get(0));
    assertTrue(change(moved, moved.nodeStore(1)).detail().contains("--renew"));
  }

  @Test
  void storesWithoutTheirPasswordAreRefusedNamingTheFile() throws Exception {
    TlsFiles files = ClusterCertificates.create(dir(), HOSTS, VALIDITY);
    Files.delete(files.passwordFile());
    TlsFilesException e = assertThrows(TlsFilesException.class,
        () -> ClusterCertificates.create(dir(), HOSTS, VALIDITY));
    assertTrue(e.getMessage().startsWith(files.passwordFile() + ": missing"), e.getMessage());

    Files.writeString(files.passwordFile(), "not-the-password\n");
    e = assertThrows(TlsFilesException.class, () -> ClusterCertificates.create(dir(), HOSTS, VALIDITY));
    assertTrue(e.getMessage().contains(files.caStore().toString()) && e.getMessage().contains("password"),
        e.getMessage());
  }

  @Test
  void anExistingDirectoryOpenToOthersIsRefusedAndAWorldReadableFileIsTightened() throws Exception {
    Files.createDirectories(dir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.setPosixFilePermissions(dir(), PosixFilePermissions.fromString("rwxr-xr-x"));
    TlsFilesException e = assertThrows(TlsFilesException.class,
        () -> ClusterCertificates.create(dir(), HOSTS, VALIDITY));
    assertTrue(e.getMessage().contains("chmod 700 " + dir()), e.getMessage());

    Files.setPosixFilePermissions(dir(), PrivateFiles.OWNER_DIRECTORY);
    TlsFiles files = ClusterCertificates.create(dir(), HOSTS, VALIDITY);
    Files.setPosixFilePermissions(files.nodeStore(1), PosixFilePermissions.fromString("rw-r--r--"));
    TlsFiles again = ClusterCertificates.create(dir(), HOSTS, VALIDITY);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.nodeStore(1))));
    assertTrue(change(again, files.nodeStore(1)).detail().contains("made it rw-------"));
  }

  @Test
  void badArgumentsAreRefusedNamingTheValue() {
    TlsFilesException e = assertThrows(TlsFilesException.class,
        () -> ClusterCertificates.create(dir(), Map.of(-3, "127.0.0.1"), VALIDITY));
    assertTrue(e.getMessage().contains("-3"), e.getMessage());
    e = assertThrows(TlsFilesException.class, () -> ClusterCertificates.create(dir(), Map.of(1, " "), VALIDITY));
    assertTrue(e.getMessage().contains("node 1"), e.getMessage());
    e = assertThrows(TlsFilesException.class,
        () -> ClusterCertificates.create(dir(), HOSTS, Duration.ofDays(-1)));
    assertTrue(e.getMessage().contains("PT-24H"), e.getMessage());
    assertFalse(Files.exists(dir()), "nothing is made from bad arguments");
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
