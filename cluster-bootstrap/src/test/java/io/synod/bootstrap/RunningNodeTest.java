package io.synod.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.actors.GroupClient;
import io.synod.actors.SynodGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A standalone node from a HOCON file, in this JVM: it starts, commits, stops, and starts again. */
class RunningNodeTest {

  @TempDir
  Path dir;

  private Path nodeFile() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("cluster.conf"), String.join("\n",
        "synod.cluster.members = [ { id = 1, host = \"127.0.0.1\", port = " + port + " } ]",
        "synod.cluster.insecure = on",
        "synod.cluster.groups = [ { id = \"counter\", type = \"" + CounterType.class.getName() + "\" } ]"));
    return Files.writeString(dir.resolve("node1.conf"), String.join("\n",
        "include \"cluster.conf\"",
        "synod.node { id = 1, data-dir = \"" + dir.resolve("data") + "\" }"));
  }

  @SuppressWarnings("unchecked")
  private static GroupClient<Long, Long> client(RunningNode node) {
    SynodGroup<Long, Long> def = (SynodGroup<Long, Long>) node.definitions().get("counter");
    return def.client(node.synod(), node.groups().get("counter"));
  }

  @Test
  void aNodeStartsFromItsFileCommitsAndKeepsItsStateAcrossARestart() throws Exception {
    Path file = nodeFile();
    try (RunningNode node = RunningNode.start(NodeConfig.load(file))) {
      GroupClient<Long, Long> counter = client(node);
      assertEquals(5L, counter.propose(5L).toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertEquals(7L, counter.propose(2L).toCompletableFuture().get(30, TimeUnit.SECONDS));
    }
    assertTrue(Files.isDirectory(dir.resolve("data").resolve("journal")), "the journal lives under data-dir");
    try (RunningNode again = RunningNode.start(NodeConfig.load(file))) {
      assertEquals(7L, client(again).read(0L).toCompletableFuture().get(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void theLauncherExitsWithCode2AndOneLineNamingTheKeyOnABadFile() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.conf"), "synod.node.id = 1\nsynod.cluster.members = []\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = NodeLauncher.run(new String[] {bad.toString()}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(NodeLauncher.INVALID_CONFIG, code);
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(message.contains("synod.cluster.members"), message);
    assertEquals(1, message.strip().lines().count(), "one line: " + message);
    assertEquals(NodeLauncher.USAGE, NodeLauncher.run(new String[0], System.out, new PrintStream(new ByteArrayOutputStream())));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The node's file, its HTTP API on {@code port}. */
  private Path nodeFileServingHttpOn(int port) throws Exception {
    Path file = nodeFile();
    Files.writeString(file, Files.readString(file) + "\nsynod.node.http.port = " + port + "\n");
    return file;
  }

  @Test
  void theStatusSaysWhetherEachGroupRunsOrRestartsAndWhetherTheJournalFailed() throws Exception {
    int httpPort = freePort();
    Path file = nodeFileServingHttpOn(httpPort);
    try (RunningNode node = RunningNode.start(NodeConfig.load(file))) {
      assertEquals(1L, client(node).propose(1L).toCompletableFuture().get(30, TimeUnit.SECONDS));
      java.net.http.HttpResponse<String> status = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort + "/status")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, status.statusCode());
      String body = status.body();
      assertTrue(body.contains("\"node\":1,\"journalFailure\":null,\"refused\":{"), body);
      assertTrue(body.contains("},\"groups\":[{\"id\":\"counter\",\"leader\":1,"), body);
      assertTrue(body.contains(",\"state\":\"running\",\"restarts\":0,\"lastFailure\":null,\"restartInMillis\":-1,"
          + "\"checkpointsRefused\":0,\"lastCheckpointRefusal\":\"\",\"stopped\":null}"), body);
    }
  }

  @Test
  void aGroupStoppedForGoodByAChecksumMismatchSaysWhyInTheStatus() throws Exception {
    int httpPort = freePort();
    Path file = nodeFileServingHttpOn(httpPort);
    try (RunningNode node = RunningNode.start(NodeConfig.load(file))) {
      assertEquals(1L, client(node).propose(1L).toCompletableFuture().get(30, TimeUnit.SECONDS));
      // Node 2 asserts two different chains through instance 0: at least one differs from node 1's.
      for (int chain : new int[] {0x5EED, 0x5EED ^ 1}) {
        node.groups().get("counter").tell(new io.synod.actors.internal.GroupCoordinator.Inbound(
            new io.synod.paxos.Message.Chosen(2, java.util.List.of(), 1, new io.synod.paxos.Message.ChainMark(0, chain))));
      }
      java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + httpPort + "/status")).build();
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      String body;
      do {
        body = http.send(get, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      } while (!body.contains("\"state\":\"stopped\"") && System.nanoTime() < deadline);
      assertTrue(body.contains("{\"id\":\"counter\",\"leader\":-1,\"appliedThrough\":-1,"), body);
      assertTrue(body.contains(",\"state\":\"stopped\","), body);
      assertTrue(body.contains(",\"stopped\":\"its learner failed: ChecksumMismatchException: group 'counter': checksum"
          + " mismatch at instance 0 with node 2: node 1's chain through instance 0 is crc32 "), body);
    }
  }

  @Test
  void whenTheJournalFailsTheLauncherStopsTheNodeAndExitsWithCode74AndOneLine() {
    java.util.concurrent.CompletableFuture<io.synod.persistence.JournalFailedException> failure =
        new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
    failure.complete(io.synod.persistence.JournalFailures.failed("journal /data/journal failed: cannot force\n"
        + "20261207.cq4 to disk", new java.io.IOException("EIO")));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = NodeLauncher.awaitExit(3, failure, new java.util.concurrent.CompletableFuture<>(),
        new java.util.concurrent.CompletableFuture<>(), () -> stopped.set(true),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(NodeLauncher.JOURNAL_FAILED, code);
    assertEquals(74, code);
    assertTrue(stopped.get(), "the node is stopped before the process exits");
    assertEquals("synod: node 3 stops: the journal failed: journal /data/journal failed: cannot force 20261207.cq4 to"
        + " disk; restart the process to recover from what is on disk", err.toString(StandardCharsets.UTF_8).strip());

    stopped.set(false);
    assertEquals(0, NodeLauncher.awaitExit(3, new java.util.concurrent.CompletableFuture<>(),
        new java.util.concurrent.CompletableFuture<>(), java.util.concurrent.CompletableFuture.completedFuture(null),
        () -> stopped.set(true), System.err),
        "a node stopped otherwise (SIGTERM) exits with 0");
    assertTrue(!stopped.get());
  }

  @Test
  void aGroupBothConfiguredAndCreatedAtRuntimeStopsTheNodeWithCode2AndOneLineNamingIt() {
    java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = NodeLauncher.awaitExit(2, new java.util.concurrent.CompletableFuture<>(),
        java.util.concurrent.CompletableFuture.completedFuture("group 'orders' was created at runtime (type counter,"
            + " members [1, 2, 3], incarnation 4), but node 2 runs a group of that id outside the catalog"),
        new java.util.concurrent.CompletableFuture<>(), () -> stopped.set(true),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(NodeLauncher.INVALID_CONFIG, code);
    assertTrue(stopped.get(), "the node is stopped before the process exits");
    assertEquals("synod: node 2 stops: group 'orders' was created at runtime (type counter, members [1, 2, 3],"
        + " incarnation 4), but node 2 runs a group of that id outside the catalog; remove it from"
        + " synod.cluster.groups", err.toString(StandardCharsets.UTF_8).strip());
  }
}
