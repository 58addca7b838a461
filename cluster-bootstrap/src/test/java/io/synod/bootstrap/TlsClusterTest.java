package io.synod.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.synod.actors.GroupClient;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artery's TLS transport switched on by the repository's {@code conf/tls.conf}: three nodes that
 * trust one self-signed certificate, made here with the JDK's keytool as that file describes, commit.
 */
class TlsClusterTest {

  @TempDir
  Path dir;

  private void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aClusterOverArteryTlsCommits() throws Exception {
    Path keys = dir.resolve("node.p12");
    Path trust = dir.resolve("trust.p12");
    keytool("-genkeypair", "-alias", "synod", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=synod", "-ext", "SAN=IP:127.0.0.1", "-keystore", keys.toString(), "-storetype", "PKCS12",
        "-storepass", "changeit", "-keypass", "changeit");
    keytool("-exportcert", "-alias", "synod", "-keystore", keys.toString(), "-storepass", "changeit",
        "-file", dir.resolve("synod.crt").toString());
    keytool("-importcert", "-noprompt", "-alias", "synod", "-file", dir.resolve("synod.crt").toString(),
        "-keystore", trust.toString(), "-storetype", "PKCS12", "-storepass", "changeit");

    StringBuilder cluster = new StringBuilder("synod.cluster.members = [");
    for (int i = 1; i <= 3; i++) {
      cluster.append("\n  { id = ").append(i).append(", host = \"127.0.0.1\", port = ").append(freePort()).append(" }");
    }
    cluster.append("\n]\nsynod.cluster.groups = [ { id = \"counter\", type = \"").append(CounterType.class.getName())
        .append("\" } ]\n");
    // The repository's sample TLS settings, with this test's stores.
    String tls = "pekko.remote.artery.ssl.config-ssl-engine { key-store = \"" + keys + "\", trust-store = \""
        + trust + "\" }\n"
        // The first command waits for the first election, over fresh TLS connections.
        + "synod.client.request-timeout = 30 s\n";
    com.typesafe.config.Config sample = ConfigFactory.parseFile(Path.of("..", "conf", "tls.conf").toFile());
    List<RunningNode> nodes = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        NodeConfig config = NodeConfig.from(ConfigFactory.parseString(cluster + tls + "\nsynod.node { id = " + i
            + ", data-dir = \"" + dir.resolve("data" + i) + "\" }").withFallback(sample).resolve());
        assertEquals("tls-tcp", config.config().getString("pekko.remote.artery.transport"));
        nodes.add(RunningNode.start(config));
      }
      GroupClient<Long, Long> counter = nodes.get(0).client("counter");
      assertEquals(4L, counter.propose(4L).toCompletableFuture().get(60, TimeUnit.SECONDS));
      GroupClient<Long, Long> other = nodes.get(2).client("counter");
      assertEquals(5L, other.propose(1L).toCompletableFuture().get(60, TimeUnit.SECONDS),
          "node 3's command crossed TLS to the leader and back");
    } finally {
      // All at once: a node stopping alone waits for its peers' side of the TLS close, which Artery
      // over TLS does not always get from live peers (its remoting terminator then never finishes:
      // seen here as a node that did not stop within a minute, with only Artery's TLS streams left).
      nodes.parallelStream().forEach(RunningNode::close);
    }
  }
}
