package io.synod.samples.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.synod.bootstrap.NodeConfig;
import io.synod.bootstrap.RunningNode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The counter's HTTP API on three standalone nodes started in this JVM from the demo's cluster file. */
class CounterHttpTest {

  private static final Duration T = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private final List<RunningNode> nodes = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(T).build();

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeEach
  void start() throws Exception {
    List<Integer> artery = List.of(freePort(), freePort(), freePort());
    StringBuilder members = new StringBuilder("synod.cluster.members = [");
    for (int i = 0; i < 3; i++) {
      members.append("\n  { id = ").append(i + 1).append(", host = \"127.0.0.1\", port = ").append(artery.get(i)).append(" }");
    }
    members.append("\n]");
    for (int i = 1; i <= 3; i++) {
      int port = freePort();
      httpPorts.add(port);
      // The demo's cluster file, with free ports and a temporary data directory.
      NodeConfig config = NodeConfig.from(ConfigFactory.parseString(members + "\n"
              + "synod.node { id = " + i + ", data-dir = \"" + dir.resolve("node" + i) + "\", http.port = " + port + " }")
          .withFallback(ConfigFactory.parseFile(Path.of("..", "conf", "cluster.conf").toFile())).resolve());
      nodes.add(RunningNode.start(config));
    }
  }

  @AfterEach
  void stop() {
    nodes.forEach(RunningNode::close);
  }

  private HttpResponse<String> send(int node, String method, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(node) + path))
        .timeout(T).method(method, HttpRequest.BodyPublishers.noBody()).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void incrementsOnAnyNodeAreSeenByReadsOnEveryNode() throws Exception {
    assertEquals("5", send(0, "POST", "/counter/increment?by=5").body().strip());
    assertEquals("3", send(1, "POST", "/counter/increment?by=-2").body().strip());
    for (int node = 0; node < 3; node++) {
      HttpResponse<String> r = send(node, "GET", "/counter");
      assertEquals(200, r.statusCode());
      assertEquals("3", r.body().strip(), "node " + (node + 1) + " reads every acknowledged increment");
    }
    HttpResponse<String> status = send(2, "GET", "/status");
    assertEquals(200, status.statusCode());
    assertTrue(status.body().contains("\"node\":3") && status.body().contains("\"id\":\"counter\""), status.body());
    assertTrue(!status.body().contains("\"leader\":-1"), "a leader is known: " + status.body());
  }

  @Test
  void badRequestsGetA4xxAndChangeNothing() throws Exception {
    HttpResponse<String> notANumber = send(0, "POST", "/counter/increment?by=lots");
    assertEquals(400, notANumber.statusCode());
    assertTrue(notANumber.body().contains("whole number"), notANumber.body());
    assertEquals(400, send(0, "POST", "/counter/increment").statusCode());
    assertEquals(404, send(0, "GET", "/nothing/here").statusCode());
    assertEquals("0", send(1, "GET", "/counter").body().strip(), "nothing was applied");
  }
}
