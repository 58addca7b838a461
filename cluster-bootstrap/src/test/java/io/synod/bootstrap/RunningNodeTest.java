package io.synod.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.actors.GroupClient;
import io.synod.actors.SynodGroup;
import java.io.ByteArrayOutputStream;
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
}
