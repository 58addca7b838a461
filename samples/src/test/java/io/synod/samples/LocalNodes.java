package io.synod.samples;

import com.typesafe.config.ConfigFactory;
import io.synod.bootstrap.NodeConfig;
import io.synod.bootstrap.RunningNode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Three standalone nodes in this JVM, from the demo's {@code conf/cluster.conf} with free ports
 * and data under {@code dir}, and an HTTP client for their APIs ({@link #sendAdmin} with the admin
 * token each node made in its data directory). {@link #close} stops them.
 */
public final class LocalNodes implements AutoCloseable {

  private static final Duration T = Duration.ofSeconds(30);

  private final List<RunningNode> nodes = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private final List<String> adminTokens = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(T).build();

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public static LocalNodes start(Path dir) throws Exception {
    LocalNodes n = new LocalNodes();
    try {
      StringBuilder members = new StringBuilder("synod.cluster.members = [");
      for (int i = 1; i <= 3; i++) {
        members.append("\n  { id = ").append(i).append(", host = \"127.0.0.1\", port = ").append(freePort()).append(" }");
      }
      members.append("\n]\nsynod.cluster.insecure = on");
      for (int i = 1; i <= 3; i++) {
        int port = freePort();
        n.httpPorts.add(port);
        NodeConfig config = NodeConfig.from(ConfigFactory.parseString(members + "\n"
                + "synod.node { id = " + i + ", data-dir = \"" + dir.resolve("node" + i) + "\", http.port = " + port + " }")
            .withFallback(ConfigFactory.parseFile(Path.of("..", "conf", "cluster.conf").toFile())).resolve());
        n.nodes.add(RunningNode.start(config));
        // Made by the node at its first start, as the demo's nodes make theirs.
        n.adminTokens.add(Files.readString(config.dataDir().resolve("admin-token")).strip());
      }
    } catch (Exception | Error e) {
      n.close();
      throw e;
    }
    return n;
  }

  /** Sends a request to node {@code node} (0-based) and returns the response, body as text. */
  public HttpResponse<String> send(int node, String method, String path, String body) throws Exception {
    return http.send(request(node, method, path, body).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** As {@link #send(int, String, String)}, with node {@code node}'s admin token. */
  public HttpResponse<String> sendAdmin(int node, String method, String path) throws Exception {
    return http.send(request(node, method, path, null).header("Authorization", "Bearer " + adminTokens.get(node))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(int node, String method, String path, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(node) + path)).timeout(T)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
  }

  public HttpResponse<String> send(int node, String method, String path) throws Exception {
    return send(node, method, path, null);
  }

  /** Stops node {@code node} (0-based); the others run on. */
  public void stop(int node) {
    nodes.get(node).close();
  }

  @Override
  public void close() {
    nodes.forEach(RunningNode::close);
  }
}
