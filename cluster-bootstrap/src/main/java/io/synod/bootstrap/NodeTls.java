package io.synod.bootstrap;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.synod.NodeTlsEngineProvider;
import io.synod.bootstrap.tls.PrivateFiles;
import io.synod.bootstrap.tls.TlsFilesException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * How a standalone node talks to the others: mutual TLS over Artery with its own key and
 * certificate (by default the files {@code ./synod certs} writes under {@code
 * synod.cluster.tls.dir}), checked before anything starts: the key store must hold this node's key
 * and a certificate naming this node ({@code synod:node:<id>}), the trust store the cluster's CA,
 * the password must open both, and the key store and the password file must be their owner's
 * alone. Without them the node refuses to start, naming the key, unless
 * {@code synod.cluster.insecure = on}: then plain TCP, and Synod logs a WARN at start.
 */
record NodeTls(boolean insecure, Path keyStore, Path trustStore, String password) {

  private static final String NODE = "synod.node.tls";
  private static final String CLUSTER = "synod.cluster";

  @Override
  public String toString() {
    return "NodeTls[insecure=" + insecure + ", keyStore=" + keyStore + ", trustStore=" + trustStore + "]";
  }

  /** Reads and checks the TLS settings of node {@code self} from {@code full}. */
  static NodeTls from(Config full, int self) {
    if (full.getBoolean(CLUSTER + ".insecure")) {
      return new NodeTls(true, null, null, null);
    }
    Path dir = Path.of(full.getString(CLUSTER + ".tls.dir"));
    Path keyStore = file(full, NODE + ".key-store", dir.resolve("node" + self + ".p12"));
    refuseIfShared(NODE + ".key-store", keyStore);
    Path trustStore = file(full, NODE + ".trust-store", dir.resolve("trust.p12"));
    String password = password(full, dir);
    checkKeyStore(keyStore, password, self);
    load(NODE + ".trust-store", trustStore, password);
    return new NodeTls(false, keyStore, trustStore, password);
  }

  /** What this makes Pekko and Synod do: TLS with Synod's identity checks, or plain TCP said so. */
  Config pekko() {
    Map<String, Object> c = new HashMap<>();
    c.put("pekko.remote.artery.untrusted-mode", "on");
    if (insecure) {
      c.put("synod.insecure", "on");
      return ConfigFactory.parseMap(c);
    }
    String ssl = "pekko.remote.artery.ssl.";
    c.put("pekko.remote.artery.transport", "tls-tcp");
    c.put(ssl + "ssl-engine-provider", NodeTlsEngineProvider.class.getName());
    c.put(ssl + "config-ssl-engine.key-store", keyStore.toString());
    c.put(ssl + "config-ssl-engine.trust-store", trustStore.toString());
    c.put(ssl + "config-ssl-engine.key-store-password", password);
    c.put(ssl + "config-ssl-engine.key-password", password);
    c.put(ssl + "config-ssl-engine.trust-store-password", password);
    c.put(ssl + "config-ssl-engine.require-mutual-authentication", "on");
    c.put("synod.insecure", "off");
    return ConfigFactory.parseMap(c);
  }

  private static Path file(Config full, String key, Path fallback) {
    String s = full.getString(key);
    Path p = (s.isBlank() ? fallback : Path.of(s)).toAbsolutePath().normalize();
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new InvalidConfigException(key + " = " + p + ": no such readable file. Create the cluster's certificates"
          + " with ./synod certs (see docs/security.md), or set " + CLUSTER + ".insecure = on to run without TLS");
    }
    return p;
  }

  private static String password(Config full, Path dir) {
    String given = full.getString(NODE + ".password");
    if (!given.isEmpty()) {
      return given;
    }
    Path file = file(full, NODE + ".password-file", dir.resolve("password"));
    refuseIfShared(NODE + ".password-file", file);
    try {
      String p = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (p.isEmpty()) {
        throw new InvalidConfigException(NODE + ".password-file = " + file + " is empty");
      }
      return p;
    } catch (IOException e) {
      throw new InvalidConfigException(NODE + ".password-file = " + file + ": cannot read it (" + e + ")");
    }
  }

  private static KeyStore load(String key, Path file, String password) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new InvalidConfigException(key + " = " + file + ": cannot open it as a PKCS12 store with the password of "
          + NODE + ".password or " + NODE + ".password-file (" + e.getMessage() + ")");
    }
  }

  /** The key store must hold a key whose certificate names this node. */
  private static void checkKeyStore(Path file, String password, int self) {
    String key = NODE + ".key-store";
    KeyStore store = load(key, file, password);
    try {
      for (String alias : Collections.list(store.aliases())) {
        Certificate c = store.isKeyEntry(alias) ? store.getCertificate(alias) : null;
        if (c instanceof X509Certificate x) {
          OptionalInt id = NodeTlsEngineProvider.nodeId(x);
          if (id.isPresent() && id.getAsInt() == self) {
            return;
          }
          throw new InvalidConfigException(key + " = " + file + ": its certificate (" + x.getSubjectX500Principal()
              + ") names " + (id.isPresent() ? "node " + id.getAsInt() : "no node") + ", not this node " + self
              + " (it needs the subject alternative name URI " + NodeTlsEngineProvider.URI_PREFIX + self + ")");
        }
      }
    } catch (java.security.KeyStoreException e) {
      throw new InvalidConfigException(key + " = " + file + ": cannot read it (" + e.getMessage() + ")");
    }
    throw new InvalidConfigException(key + " = " + file + ": holds no private key with a certificate");
  }

  private static void refuseIfShared(String key, Path p) {
    String shared;
    try {
      shared = PrivateFiles.sharedWithOthers(p);
    } catch (TlsFilesException e) {
      throw new InvalidConfigException(key + " = " + p + ": " + e.getMessage());
    }
    if (!shared.isEmpty()) {
      throw new InvalidConfigException(key + " = " + p + " may be read or written by others than its owner (" + shared
          + "); run 'chmod 600 " + p + "'");
    }
  }
}
