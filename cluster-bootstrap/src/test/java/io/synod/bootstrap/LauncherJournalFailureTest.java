package io.synod.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.actors.GroupClient;
import io.synod.persistence.DiskFaults;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone launcher's whole run loop, in this JVM, on the real journal: a node that served
 * meets an fsync error, and {@link NodeLauncher#run} stops it and returns exit code 74 with one
 * line; a node started again on the same data serves everything it acknowledged.
 */
class LauncherJournalFailureTest {

  private static final Duration T = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(T).build();

  @AfterEach
  void clearDiskFaults() {
    DiskFaults.clear(journalDir());
  }

  private Path journalDir() {
    return dir.resolve("data").resolve("journal");
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Path nodeFile(int httpPort) throws Exception {
    return Files.writeString(dir.resolve("node1.conf"), String.join("\n",
        "synod.cluster.members = [ { id = 1, host = \"127.0.0.1\", port = " + freePort() + " } ]",
        "synod.cluster.insecure = on",
        "synod.cluster.groups = [ { id = \"counter\", type = \"" + CounterType.class.getName() + "\" } ]",
        "synod.cluster.http-services = [ \"" + CounterHttp.class.getName() + "\" ]",
        "synod.node { id = 1, data-dir = \"" + dir.resolve("data") + "\", http.port = " + httpPort + " }"));
  }

  private HttpResponse<String> add(int httpPort) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/add"))
        .POST(HttpRequest.BodyPublishers.noBody()).timeout(T).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POST /add until the node answers 200 (it may still be starting or electing itself); the value. */
  private long addUntilServed(int httpPort, CompletableFuture<Integer> exit) throws Exception {
    long deadline = System.nanoTime() + T.toNanos();
    while (true) {
      if (exit.isDone()) {
        throw new AssertionError("the launcher returned " + exit.join() + " before the node served");
      }
      try {
        HttpResponse<String> r = add(httpPort);
        if (r.statusCode() == 200) {
          return Long.parseLong(r.body().strip());
        }
      } catch (java.net.ConnectException notYetListening) {
        // the node binds HTTP last; try again
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("the node did not serve POST /add within " + T);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void anFsyncErrorMakesTheLauncherStopTheNodeAndExitWithCode74AndOneLineAndARestartServesWhatWasAcknowledged()
      throws Exception {
    int httpPort = freePort();
    Path file = nodeFile(httpPort);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread launcher = new Thread(() -> exit.complete(NodeLauncher.run(new String[] {file.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))),
        "launcher");
    launcher.setDaemon(true);
    launcher.start();
    try {
      long acknowledged = addUntilServed(httpPort, exit);
      acknowledged = addUntilServed(httpPort, exit);
      assertEquals(2L, acknowledged);

      DiskFaults.failNextForce(journalDir(), "EIO");
      try {
        HttpResponse<String> failed = add(httpPort); // the group's only acceptor writes: its force fails
        assertNotEquals(200, failed.statusCode(), "not acknowledged: " + failed.body());
      } catch (java.io.IOException connectionClosed) {
        // The launcher stopped the node before it answered: not acknowledged either.
      }

      assertEquals(NodeLauncher.JOURNAL_FAILED, exit.get(T.toSeconds(), TimeUnit.SECONDS));
      String line = err.toString(StandardCharsets.UTF_8).strip();
      assertEquals(1, line.lines().count(), "one line: " + line);
      String journal = journalDir().toAbsolutePath().normalize().toString();
      assertTrue(line.startsWith("synod: node 1 stops: the journal failed: journal " + journal + " failed")
          && line.contains("EIO") && line.endsWith("; restart the process to recover from what is on disk"), line);
      RunningNode stopped = CounterHttp.served().orElseThrow();
      assertTrue(stopped.system().whenTerminated().isCompleted(), "the launcher stopped the node before returning");
    } finally {
      if (!exit.isDone()) {
        CounterHttp.served().ifPresent(RunningNode::close); // the launcher did not: leave no node behind
      }
    }

    DiskFaults.clear(journalDir());
    try (RunningNode again = RunningNode.start(NodeConfig.load(file))) {
      GroupClient<Long, Long> counter = again.client("counter");
      long value = counter.read(0L).toCompletableFuture().get(T.toSeconds(), TimeUnit.SECONDS);
      assertTrue(value == 2L || value == 3L, "both acknowledged increments, and the failed one at most: " + value);
      assertEquals(value + 1, counter.propose(1L).toCompletableFuture().get(T.toSeconds(), TimeUnit.SECONDS));
    }
  }
}
