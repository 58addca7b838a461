package io.synod.bootstrap.tls;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makes a cluster's TLS files in one directory (by default {@code data/tls}): the cluster's own
 * certificate authority ({@code ca.p12}), the trust store every node uses ({@code trust.p12}), one
 * key store per node ({@code node<id>.p12}, the node's key and certificate signed by the CA, whose
 * SAN URI {@code synod:node:<id>} is the node's identity on the wire) and the password of all of
 * them ({@code password}). The directory is rwx------ and every file rw-------.
 *
 * <p>A run makes what is missing and keeps what is there: the CA and the password are made once,
 * so a later run with more members signs their stores with the same CA. {@link #renew} issues every
 * listed node a new key and certificate from that CA (rotation). Each directory is a CA of its own:
 * stores made in two directories do not trust each other, which is how tests make a foreign node.
 * See docs/certificates.md.
 */
public final class ClusterCertificates {

  public static final Path DEFAULT_DIR = Path.of("data", "tls");
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(825);
  /** A node certificate's SAN URI is this followed by the node id. */
  public static final String NODE_URI_PREFIX = "synod:node:";
  static final String CA_FILE = "ca.p12";

  private final Path dir;
  private final Map<Integer, String> hostsById;
  private final Duration validity;
  private final boolean renew;
  private final Instant now = Instant.now();
  private final SecureRandom random = new SecureRandom();
  private final List<TlsFiles.Change> changes = new ArrayList<>();

  private ClusterCertificates(Path dir, Map<Integer, String> hostsById, Duration validity, boolean renew) {
    this.dir = dir;
    this.hostsById = new TreeMap<>(hostsById);
    this.validity = validity;
    this.renew = renew;
  }

  /** The SAN URI that names node {@code nodeId}: {@code synod:node:<id>}. */
  public static String nodeUri(int nodeId) {
    return NODE_URI_PREFIX + nodeId;
  }

  /**
   * Makes in {@code dir} whatever is missing: the directory, the password, the CA, the trust store
   * and a store for each node of {@code hostsById} (node id to its host, an IP address or a DNS
   * name), whose certificate is valid for {@code validity}. Existing files are kept.
   *
   * @throws TlsFilesException naming the file or value when something cannot be made or read
   */
  public static TlsFiles create(Path dir, Map<Integer, String> hostsById, Duration validity) {
    return new ClusterCertificates(dir, hostsById, validity, false).run();
  }

  /**
   * As {@link #create}, but every node of {@code hostsById} gets a new key and certificate from the
   * directory's CA, replacing its store (the CA, the password and the trust store are kept).
   */
  public static TlsFiles renew(Path dir, Map<Integer, String> hostsById, Duration validity) {
    return new ClusterCertificates(dir, hostsById, validity, true).run();
  }

  private TlsFiles run() {
    checkArguments();
    PrivateFiles.prepareDirectory(dir);
    char[] password = password();
    CertificateAuthority authority = authority(password);
    Path trust = trustStore(authority, password);
    Map<Integer, Path> stores = new TreeMap<>();
    hostsById.forEach((id, host) -> stores.put(id, nodeStore(id, host, authority, password)));
    return new TlsFiles(dir, dir.resolve(CA_FILE), trust, dir.resolve(StorePassword.FILE), stores, changes);
  }

  private void checkArguments() {
    if (hostsById.isEmpty()) {
      throw new TlsFilesException("no nodes to make certificates for");
    }
    hostsById.forEach((id, host) -> {
      if (id < 0) {
        throw new TlsFilesException("node ids must be >= 0, got " + id);
      }
      if (host == null || host.isBlank()) {
        throw new TlsFilesException("node " + id + "'s host must not be blank, got '" + host + "'");
      }
    });
    if (validity.isNegative() || validity.isZero()) {
      throw new TlsFilesException("a certificate's validity must be positive, got " + validity);
    }
  }

  private char[] password() {
    Path file = dir.resolve(StorePassword.FILE);
    if (StorePassword.exists(dir)) {
      keep(file, "the stores' password");
      return StorePassword.read(dir);
    }
    List<Path> stores = storesIn(dir);
    if (!stores.isEmpty()) {
      throw new TlsFilesException(file + ": missing, but " + stores + " were sealed with it; put it back, or move "
          + "the stores away to start a new cluster");
    }
    char[] password = StorePassword.create(dir, random);
    changes.add(new TlsFiles.Change(file, TlsFiles.Action.CREATED, "the stores' password", List.of()));
    return password;
  }

  private CertificateAuthority authority(char[] password) {
    Path file = dir.resolve(CA_FILE);
    if (Files.exists(file)) {
      CertificateAuthority authority = CertificateAuthority.read(file, password);
      Instant end = authority.certificate().getNotAfter().toInstant();
      if (!end.isAfter(now)) {
        throw new TlsFilesException(file + ": the CA " + authority.name() + " expired on " + end + "; move it away "
            + "to make a new CA (see rotating the CA in docs/certificates.md)");
      }
      keep(file, "the CA " + authority.name() + ", valid until " + end);
      return authority;
    }
    CertificateAuthority authority = CertificateAuthority.generate(now, random);
    PrivateFiles.write(file, authority.toPkcs12(password));
    changes.add(new TlsFiles.Change(file, TlsFiles.Action.CREATED, "the CA " + authority.name() + ", valid until "
        + authority.certificate().getNotAfter().toInstant(), List.of()));
    return authority;
  }

  private Path trustStore(CertificateAuthority authority, char[] password) {
    Path file = dir.resolve(TrustStore.FILE);
    if (!Files.exists(file)) {
      PrivateFiles.write(file, TrustStore.trustingOnly(authority.certificate(), password));
      changes.add(new TlsFiles.Change(file, TlsFiles.Action.CREATED, "trusts the CA " + authority.name(), List.of()));
      return file;
    }
    KeyStore store = Pkcs12.read(file, password);
    if (TrustStore.trusts(store, authority.certificate())) {
      keep(file, "trusts " + TrustStore.aliases(store));
      return file;
    }
    int earlier = TrustStore.aliases(store).size();
    PrivateFiles.write(file, TrustStore.adding(store, authority.certificate(), password));
    changes.add(new TlsFiles.Change(file, TlsFiles.Action.UPDATED, "now trusts the new CA " + authority.name()
        + " too, beside " + earlier + " earlier one(s); drop them once every node has a certificate from the new CA",
        List.of()));
    return file;
  }

  private Path nodeStore(int id, String host, CertificateAuthority authority, char[] password) {
    Path file = dir.resolve(NodeCredentials.fileName(id));
    boolean exists = Files.exists(file);
    if (exists && !renew) {
      NodeCredentials kept = NodeCredentials.read(id, file, password);
      List<String> problems = kept.problems(authority, host, now);
      boolean tightened = PrivateFiles.makeOwnerOnly(file);
      changes.add(new TlsFiles.Change(file, TlsFiles.Action.KEPT, "node " + id + "'s key and certificate, valid until "
          + kept.certificate().getNotAfter().toInstant() + (tightened ? "; made it rw-------" : "")
          + (problems.isEmpty() ? "" : "; but " + String.join(", ", problems) + ": --renew issues a new one"),
          problems));
      return file;
    }
    NodeCredentials issued = authority.issue(id, host, now, validity, random);
    PrivateFiles.write(file, issued.toPkcs12(password));
    changes.add(new TlsFiles.Change(file, exists ? TlsFiles.Action.RENEWED : TlsFiles.Action.CREATED,
        "node " + id + "'s key and certificate (" + nodeUri(id) + ", " + host + "), valid until "
            + issued.certificate().getNotAfter().toInstant(), List.of()));
    return file;
  }

  /** Records that {@code file} stays as it was, taking group and other permissions off it if it had any. */
  private void keep(Path file, String what) {
    boolean tightened = PrivateFiles.makeOwnerOnly(file);
    changes.add(new TlsFiles.Change(file, TlsFiles.Action.KEPT, what + (tightened ? "; made it rw-------" : ""),
        List.of()));
  }

  private static List<Path> storesIn(Path dir) {
    List<Path> stores = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.p12")) {
      files.forEach(stores::add);
    } catch (IOException e) {
      throw new TlsFilesException(dir + ": cannot list it (" + e + ")");
    }
    stores.sort(null);
    return stores;
  }
}
