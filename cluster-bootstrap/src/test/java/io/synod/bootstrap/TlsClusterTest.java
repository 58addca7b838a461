package io.synod.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.synod.actors.GroupClient;
import io.synod.bootstrap.tls.ClusterCertificates;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standalone nodes over Artery's mutual TLS, each with its own certificate as {@code ./synod certs}
 * makes them: three nodes commit; a node without TLS (and without {@code insecure = on}), or whose
 * key store names another node, refuses to start with exit code 2 and a line naming the key.
 */
class TlsClusterTest {

  @TempDir
  Path dir;

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A cluster file for three nodes whose certificates are in {@code tls}. */
  private String cluster(Path tls) throws Exception {
    StringBuilder cluster = new StringBuilder("synod.cluster.members = [");
    for (int i = 1; i <= 3; i++) {
      cluster.append("\n  { id = ").append(i).append(", host = \"127.0.0.1\", port = ").append(freePort()).append(" }");
    }
    return cluster.append("\n]\nsynod.cluster.groups = [ { id = \"counter\", type = \"").append(CounterType.class.getName())
        .append("\" } ]\nsynod.cluster.tls.dir = \"").append(tls).append("\"\n")
        // The first command waits for the first election, over fresh TLS connections.
        .append("synod.client.request-timeout = 30 s\n").toString();
  }

  @Test
  void threeNodesWithTheirOwnCertificatesCommitOverMutualTls() throws Exception {
    Path tls = dir.resolve("tls");
    ClusterCertificates.create(tls, Map.of(1, "127.0.0.1", 2, "127.0.0.1", 3, "127.0.0.1"), Duration.ofDays(2));
    String cluster = cluster(tls);
    List<RunningNode> nodes = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        NodeConfig config = NodeConfig.from(ConfigFactory.parseString(cluster + "synod.node { id = " + i
            + ", data-dir = \"" + dir.resolve("data" + i) + "\" }"));
        assertEquals("tls-tcp", config.config().getString("pekko.remote.artery.transport"));
        assertTrue(config.config().getBoolean("pekko.remote.artery.untrusted-mode"));
        nodes.add(RunningNode.start(config));
      }
      GroupClient<Long, Long> counter = nodes.get(0).client("counter");
      assertEquals(4L, counter.propose(4L).toCompletableFuture().get(60, TimeUnit.SECONDS));
      GroupClient<Long, Long> other = nodes.get(2).client("counter");
      assertEquals(5L, other.propose(1L).toCompletableFuture().get(60, TimeUnit.SECONDS),
          "node 3's command crossed TLS to the leader and back");
      for (RunningNode n : nodes) {
        assertEquals(0L, n.synod().refusedMessages().getOrDefault("tls-identity", 0L), "no genuine peer was refused");
      }
    } finally {
      // All at once: a node stopping alone waits for its peers' side of the TLS close, which Artery
      // over TLS does not always get from live peers (its remoting terminator then never finishes:
      // seen here as a node that did not stop within a minute, with only Artery's TLS streams left).
      nodes.parallelStream().forEach(RunningNode::close);
    }
  }

  /** Runs the launcher on {@code nodeFile} as {@code ./synod node} would; its exit code and standard error. */
  private static String[] launch(Path nodeFile) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = NodeLauncher.run(new String[] {nodeFile.toString()}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {String.valueOf(code), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void aNodeWithoutItsCertificateRefusesToStartNamingTheKeyUnlessToldInsecure() throws Exception {
    Path file = Files.writeString(dir.resolve("node1.conf"), cluster(dir.resolve("no-tls-here"))
        + "synod.node { id = 1, data-dir = \"" + dir.resolve("data1") + "\" }\n");
    String[] result = launch(file);
    assertEquals(String.valueOf(NodeLauncher.INVALID_CONFIG), result[0], result[1]);
    assertTrue(result[1].contains("synod.node.tls.key-store") && result[1].contains("./synod certs")
        && result[1].contains("synod.cluster.insecure = on"), result[1]);
    assertEquals(1, result[1].lines().count(), "one line: " + result[1]);

    NodeConfig insecure = NodeConfig.from(ConfigFactory.parseString(cluster(dir.resolve("no-tls-here"))
        + "synod.cluster.insecure = on\nsynod.node { id = 1, data-dir = \"" + dir.resolve("data1") + "\" }"));
    assertEquals("tcp", insecure.config().getString("pekko.remote.artery.transport"));
    assertTrue(insecure.config().getBoolean("synod.insecure"), "Synod is told, and warns at start");
    assertTrue(insecure.config().getBoolean("pekko.remote.artery.untrusted-mode"), "untrusted mode either way");
  }

  @Test
  void aNodeWhoseKeyStoreNamesAnotherNodeRefusesToStart() throws Exception {
    Path tls = dir.resolve("tls");
    ClusterCertificates.create(tls, Map.of(1, "127.0.0.1", 2, "127.0.0.1", 3, "127.0.0.1"), Duration.ofDays(2));
    Path file = Files.writeString(dir.resolve("node1.conf"), cluster(tls) + "synod.node { id = 1, data-dir = \""
        + dir.resolve("data1") + "\", tls.key-store = \"" + tls.resolve("node2.p12") + "\" }\n");
    String[] result = launch(file);
    assertEquals(String.valueOf(NodeLauncher.INVALID_CONFIG), result[0], result[1]);
    assertTrue(result[1].contains("synod.node.tls.key-store") && result[1].contains("names node 2, not this node 1"),
        result[1]);
  }

  @Test
  void aPasswordFileOthersMayReadRefusesStart() throws Exception {
    Path tls = dir.resolve("tls");
    ClusterCertificates.create(tls, Map.of(1, "127.0.0.1", 2, "127.0.0.1", 3, "127.0.0.1"), Duration.ofDays(2));
    Files.setPosixFilePermissions(tls.resolve("password"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Path file = Files.writeString(dir.resolve("node1.conf"), cluster(tls) + "synod.node { id = 1, data-dir = \""
        + dir.resolve("data1") + "\" }\n");
    String[] result = launch(file);
    assertEquals(String.valueOf(NodeLauncher.INVALID_CONFIG), result[0], result[1]);
    assertTrue(result[1].contains("synod.node.tls.password-file") && result[1].contains("chmod 600"), result[1]);
  }
}
