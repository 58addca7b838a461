package io.synod.samples.bench;

import static io.synod.samples.bench.BenchCluster.HTTP;

import io.synod.samples.NodeProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One row of clients outside the nodes: starts {@link ExternalLoad} as a child JVM against the
 * cluster's HTTP ports, reads the nodes' costs ({@link NodeCosts}) when its measured window opens
 * and closes (by this JVM's clock, from the child's {@code EXTERNAL-STARTED}), and parses its
 * result. The child is killed when the row ends, however it ends (and by a shutdown hook should
 * this JVM end first); every wait for it is bounded. Its error output goes to {@code
 * external-<clients>.log} beside the nodes' logs.
 */
final class ExternalClients {

  /** How long the child may take to start its clients. */
  private static final Duration START = Duration.ofSeconds(60);
  /** How long after its window closes the child may take to answer: its request timeout and some. */
  private static final Duration FINISH = Duration.ofSeconds(40);
  private static final Pattern RESULT = Pattern.compile(
      "EXTERNAL-RESULT clients=(\\d+) ops=(\\d+) errors=(\\d+) seconds=([0-9.E]+) histogram=(\\S*)");

  private ExternalClients() {}

  static Load run(NodeProcesses nodes, Path logDir, int groups, int clients, int size, double warmup, double seconds)
      throws Exception {
    List<String> ports = new ArrayList<>();
    for (int n = 1; n <= nodes.size(); n++) {
      ports.add(String.valueOf(nodes.uri(n, "/").getPort()));
    }
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
        System.getProperty("java.class.path"), ExternalLoad.class.getName(), String.join(",", ports),
        String.valueOf(groups), String.valueOf(clients), String.valueOf(size), String.valueOf(warmup),
        String.valueOf(seconds));
    Path log = logDir.resolve("external-" + clients + ".log");
    Files.createDirectories(logDir);
    Files.writeString(log, "---- started " + Instant.now() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Thread kill = new Thread(child::destroyForcibly, "external-load-cleanup");
    Runtime.getRuntime().addShutdownHook(kill);
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> copyLines(child.getInputStream(), lines), "external-load-output");
      reader.setDaemon(true);
      reader.start();
      expect(lines, "EXTERNAL-STARTED", START, reader, child, log);
      long started = System.nanoTime();
      InNodeLoad.sleepUntil(started + (long) (warmup * 1e9));
      NodeCosts.Sample from = NodeCosts.read(nodes, HTTP);
      InNodeLoad.sleepUntil(started + (long) ((warmup + seconds) * 1e9));
      NodeCosts.Sample costs = NodeCosts.read(nodes, HTTP).since(from);
      Matcher m = RESULT.matcher(expect(lines, "EXTERNAL-RESULT", FINISH, reader, child, log));
      if (!m.find()) {
        throw new IllegalStateException("the external clients' result is not readable; see " + log);
      }
      if (Integer.parseInt(m.group(1)) != clients) {
        throw new IllegalStateException(m.group(1) + " of " + clients + " external clients ran");
      }
      return new Load(0, Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Double.parseDouble(m.group(4)),
          BenchService.decode(m.group(5)), costs);
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
      try {
        Runtime.getRuntime().removeShutdownHook(kill);
      } catch (IllegalStateException e) {
        // this JVM is shutting down, and the hook runs anyway
      }
    }
  }

  /** Every line the child prints, into {@code lines}, until its output closes. */
  private static void copyLines(InputStream out, BlockingQueue<String> lines) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      // the child was killed
    }
  }

  /**
   * The first line that starts with {@code prefix}, within {@code timeout}; fails once the child's
   * output has closed ({@code reader} ended) without it.
   */
  private static String expect(BlockingQueue<String> lines, String prefix, Duration timeout, Thread reader,
      Process child, Path log) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      String line = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
      if (line != null && line.startsWith(prefix)) {
        return line;
      }
      if (line == null && !reader.isAlive() && lines.isEmpty()) {
        throw new IllegalStateException(String.format(Locale.ROOT, "the external clients closed their output (exit "
            + "%s) before printing %s; see %s", child.isAlive() ? "not yet" : child.exitValue(), prefix, log));
      }
    }
    throw new IllegalStateException("the external clients did not print " + prefix + " within " + timeout + "; see "
        + log);
  }
}
