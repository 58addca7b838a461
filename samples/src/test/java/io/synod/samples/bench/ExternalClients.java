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
 * The rows of clients outside the nodes on one cluster: starts {@link ExternalLoad} as a child JVM
 * against the cluster's HTTP ports with every number of clients to run, echoes its warm-up, and
 * for each run ({@link #next}) reads the nodes' costs ({@link NodeCosts}) when its measured window
 * opens and closes (by this JVM's clock, from the child's {@code EXTERNAL-STARTED}) and parses its
 * result. One child for all the runs, so that its compiler warms up once. {@link #close} kills it
 * (so does a shutdown hook, should this JVM end first); every wait for it is bounded. Its error
 * output goes to {@code external.log} beside the nodes' logs.
 */
final class ExternalClients implements AutoCloseable {

  /** How long the child may take to start a run's clients, besides its warm-up. */
  private static final Duration START = Duration.ofSeconds(60);
  /** How long after a run's window closes the child may take to answer: its request timeout and some. */
  private static final Duration FINISH = Duration.ofSeconds(40);
  private static final Pattern RESULT = Pattern.compile(
      "EXTERNAL-RESULT clients=(\\d+) ops=(\\d+) errors=(\\d+) seconds=([0-9.E]+) histogram=(\\S*)");

  private final Process child;
  private final Thread kill;
  private final Thread reader;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final NodeProcesses nodes;
  private final Transport transport;
  private final Path log;
  private final double warmUp;
  private final double runWarmup;
  private final double seconds;
  private boolean first = true;

  private ExternalClients(Process child, NodeProcesses nodes, Transport transport, Path log, double warmUp,
      double runWarmup, double seconds) {
    this.child = child;
    this.nodes = nodes;
    this.transport = transport;
    this.log = log;
    this.warmUp = warmUp;
    this.runWarmup = runWarmup;
    this.seconds = seconds;
    this.kill = new Thread(child::destroyForcibly, "external-load-cleanup");
    Runtime.getRuntime().addShutdownHook(kill);
    this.reader = new Thread(() -> copyLines(child.getInputStream(), lines), "external-load-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts the child: a warm-up of at most {@code warmUp} seconds, then a run per number of
   * {@code clients} of {@code groups} groups with {@code size}-byte values, each {@code runWarmup}
   * seconds and then {@code seconds} measured. Take the runs with {@link #next}, in that order.
   */
  static ExternalClients start(NodeProcesses nodes, Transport transport, Path logDir, int groups, int size,
      double warmUp, double runWarmup, double seconds, List<Integer> clients) throws IOException {
    List<String> ports = new ArrayList<>();
    for (int n = 1; n <= nodes.size(); n++) {
      ports.add(String.valueOf(nodes.uri(n, "/").getPort()));
    }
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
        System.getProperty("java.class.path"), ExternalLoad.class.getName(), String.join(",", ports),
        String.valueOf(groups), String.valueOf(size), String.valueOf(warmUp), String.valueOf(runWarmup),
        String.valueOf(seconds), String.join(",", clients.stream().map(String::valueOf).toList()));
    Files.createDirectories(logDir);
    Path log = logDir.resolve("external.log");
    Files.writeString(log, "---- started " + Instant.now() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    return new ExternalClients(child, nodes, transport, log, warmUp, runWarmup, seconds);
  }

  /** The next run, which must be of {@code clients} clients: its commits, latency and the nodes' costs. */
  Load next(int clients) throws Exception {
    Duration start = first ? START.plusSeconds((long) Math.ceil(warmUp)) : START;
    first = false;
    String started = expect("EXTERNAL-STARTED", start);
    if (!started.equals("EXTERNAL-STARTED clients=" + clients)) {
      throw new IllegalStateException("the external clients started '" + started + "', not " + clients + " clients");
    }
    long at = System.nanoTime();
    InNodeLoad.sleepUntil(at + (long) (runWarmup * 1e9));
    NodeCosts.Sample from = NodeCosts.read(nodes, HTTP);
    InNodeLoad.sleepUntil(at + (long) ((runWarmup + seconds) * 1e9));
    NodeCosts.Sample costs = NodeCosts.read(nodes, HTTP).since(from);
    Matcher m = RESULT.matcher(expect("EXTERNAL-RESULT", FINISH));
    if (!m.find() || Integer.parseInt(m.group(1)) != clients) {
      throw new IllegalStateException("the external clients' result is not readable or not of " + clients
          + " clients; see " + log);
    }
    return new Load(0, Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Double.parseDouble(m.group(4)),
        BenchService.decode(m.group(5)), costs);
  }

  @Override
  public void close() throws InterruptedException {
    child.destroyForcibly();
    child.waitFor(10, TimeUnit.SECONDS);
    try {
      Runtime.getRuntime().removeShutdownHook(kill);
    } catch (IllegalStateException e) {
      // this JVM is shutting down, and the hook runs anyway
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
   * The first line that starts with {@code prefix}, within {@code timeout}, echoing the warm-up's
   * steps on the way; fails once the child's output has closed without it.
   */
  private String expect(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      String line = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
      if (line != null && line.startsWith(prefix)) {
        return line;
      }
      if (line != null && line.startsWith("EXTERNAL-WARM-UP ")) {
        System.out.printf(Locale.ROOT, "BENCH warm-up transport=%s external clients %s commits/s%n", transport.tag(),
            line.substring("EXTERNAL-WARM-UP ".length()));
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
