package io.synod.bootstrap.tls;

import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A cluster's TLS directory after {@link ClusterCertificates#create} or {@link
 * ClusterCertificates#renew}: where each file is, and what the run did to it. A node uses its own
 * store {@code nodeStores().get(id)} as key store, {@code trustStore()} as trust store, both opened
 * with {@link #password()}; {@code caStore()} stays with the operator (it signs new nodes).
 */
public record TlsFiles(Path dir, Path caStore, Path trustStore, Path passwordFile, Map<Integer, Path> nodeStores,
    List<Change> changes) {

  public TlsFiles {
    nodeStores = Map.copyOf(nodeStores);
    changes = List.copyOf(changes);
  }

  /** What a run did to a file. */
  public enum Action {
    CREATED,
    /** Left as it was (a node store: also when it has {@link Change#problems}). */
    KEPT,
    /** The trust store, which now also trusts a new CA. */
    UPDATED,
    /** A node store whose key and certificate were issued anew ({@code --renew}). */
    RENEWED
  }

  /**
   * What happened to {@code file}: {@code detail} describes it for an operator, {@code problems}
   * lists what would stop a kept node store from working (another CA, another host, expired).
   */
  public record Change(Path file, Action action, String detail, List<String> problems) {
    public Change {
      problems = List.copyOf(problems);
    }
  }

  /** The one password of every store, read from {@link #passwordFile()}. */
  public char[] password() {
    return StorePassword.read(dir);
  }

  /** Node {@code nodeId}'s store. */
  public Path nodeStore(int nodeId) {
    Path store = nodeStores.get(nodeId);
    if (store == null) {
      throw new IllegalArgumentException("no store for node " + nodeId + " in " + dir + "; nodes: "
          + new TreeSet<>(nodeStores.keySet()));
    }
    return store;
  }

  /** Node {@code nodeId}'s store, opened: its key and chain under alias {@code node}. */
  public KeyStore readNodeStore(int nodeId) {
    return Pkcs12.read(nodeStore(nodeId), password());
  }

  /** The trust store, opened. */
  public KeyStore readTrustStore() {
    return Pkcs12.read(trustStore, password());
  }
}
