package io.synod.samples;

import io.synod.bootstrap.NodeLauncher;
import io.synod.bootstrap.tls.ClusterCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster of standalone nodes as real JVM processes on 127.0.0.1: one per member, started with
 * {@link NodeLauncher} from node files that include {@code clusterFile} (whose members are replaced
 * by free ports), data under {@code dataDir}, output in {@code logDir}. Nodes are numbered from 1.
 * Processes can be killed with SIGKILL, paused with SIGSTOP and resumed with SIGCONT, and started
 * again on the same ports and data. Every node has the same admin token ({@link #adminToken}, set in
 * its file). {@link #close} kills every process (a JVM shutdown hook does too, should the test JVM
 * end first).
 */
public final class NodeProcesses implements AutoCloseable {

  private final int size;
  private final Path dataDir;
  private final Path logDir;
  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private final boolean[] paused;
  private final List<String> jvmOptions;
  private final String adminToken = newToken();

  /** Small heaps, one GC thread and the quick compiler: several nodes share the test machine's cores. */
  public static final List<String> LIGHT = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private final Thread cleanup = new Thread(this::killAll, "node-processes-cleanup");

  private NodeProcesses(int size, Path dataDir, Path logDir, List<String> jvmOptions) {
    this.jvmOptions = List.copyOf(jvmOptions);
    this.size = size;
    this.dataDir = dataDir;
    this.logDir = logDir;
    this.paused = new boolean[size + 1];
    for (int i = 0; i < size; i++) {
      processes.add(null);
    }
  }

  /** Ports handed out by this JVM, so that two clusters never share one. */
  private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();
  private static final SplittableRandom PORTS = new SplittableRandom();

  /**
   * A port that is free now, below Linux's ephemeral range (32768 and up by default), so that no
   * outgoing connection takes it while its node is down between a kill and a restart.
   */
  private static int freePort() throws IOException {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = 20_000 + PORTS.nextInt(12_000);
      if (TAKEN.contains(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", port));
        TAKEN.add(port);
        return port;
      } catch (IOException inUse) {
        // try another
      }
    }
    throw new IOException("no free port between 20000 and 32000 in 1000 tries");
  }

  /**
   * Where the node processes' pids are kept while they run: a test JVM that is killed cannot kill
   * its nodes (a stopped one would stay stopped, holding its ports), so the next cluster started
   * from this directory kills the ones still listed.
   */
  private static final Path PIDS = Path.of("target", "node-processes.pids");

  private static void killLeftovers() throws IOException {
    if (!Files.exists(PIDS)) {
      return;
    }
    for (String line : Files.readAllLines(PIDS)) {
      ProcessHandle.of(Long.parseLong(line.strip())).filter(h -> h.info().commandLine()
          .map(c -> c.contains(NodeLauncher.class.getName())).orElse(false)).ifPresent(ProcessHandle::destroyForcibly);
    }
    Files.delete(PIDS);
  }

  /**
   * Writes the node files for {@code size} members and starts every node with the {@link #LIGHT}
   * JVM options; {@code nodeConfig} gives HOCON added to node {@code n}'s file.
   */
  public static NodeProcesses start(int size, Path clusterFile, IntFunction<String> nodeConfig, Path dataDir,
      Path logDir) throws IOException {
    return start(size, clusterFile, nodeConfig, dataDir, logDir, LIGHT);
  }

  /** As {@link #start(int, Path, IntFunction, Path, Path)}, with these JVM options for the nodes. */
  public static NodeProcesses start(int size, Path clusterFile, IntFunction<String> nodeConfig, Path dataDir,
      Path logDir, List<String> jvmOptions) throws IOException {
    killLeftovers();
    NodeProcesses p = new NodeProcesses(size, dataDir, logDir, jvmOptions);
    Runtime.getRuntime().addShutdownHook(p.cleanup);
    try {
      Files.createDirectories(dataDir);
      Files.createDirectories(logDir);
      // Mutual TLS between the nodes, each with its own certificate, as in production (the cluster
      // file may still say synod.cluster.insecure = on, e.g. the benchmark's plain-TCP runs).
      Map<Integer, String> hosts = new TreeMap<>();
      StringBuilder members = new StringBuilder("synod.cluster.members = [");
      for (int i = 1; i <= size; i++) {
        members.append("\n  { id = ").append(i).append(", host = \"127.0.0.1\", port = ").append(freePort())
            .append(" }");
        p.httpPorts.add(freePort());
        hosts.put(i, "127.0.0.1");
      }
      Path tls = ClusterCertificates.create(dataDir.resolve("tls"), hosts, Duration.ofDays(2)).dir();
      members.append("\n]\nsynod.cluster.tls.dir = \"").append(tls.toAbsolutePath()).append("\"\n");
      for (int i = 1; i <= size; i++) {
        Files.writeString(p.nodeFile(i), "include file(\"" + clusterFile.toAbsolutePath().normalize() + "\")\n"
            + members + nodeConfig.apply(i) + "\nsynod.node { id = " + i + ", data-dir = \"" + dataDir.resolve("data" + i)
            + "\", http.port = " + p.httpPorts.get(i - 1) + ", http.admin-token = \"" + p.adminToken + "\" }\n");
      }
      for (int i = 1; i <= size; i++) {
        p.start(i);
      }
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
    return p;
  }

  public int size() {
    return size;
  }

  /** The token every node's state-changing admin routes ask for ({@code Authorization: Bearer <token>}). */
  public String adminToken() {
    return adminToken;
  }

  private static String newToken() {
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  private Path nodeFile(int node) {
    return dataDir.resolve("node" + node + ".conf");
  }

  /** Starts node {@code node}'s process (again), appending its output to its log. */
  public void start(int node) throws IOException {
    Process running = processes.get(node - 1);
    if (running != null && running.isAlive()) {
      throw new IllegalStateException("node " + node + " is running (pid " + running.pid() + ")");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String f : System.getProperty("synod.jvm.flags", "").split("\\s+")) {
      if (!f.isBlank() && !f.startsWith("${")) {
        cmd.add(f);
      }
    }
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-cp", System.getProperty("java.class.path"), NodeLauncher.class.getName(), nodeFile(node).toString()));
    Path log = logDir.resolve("node" + node + ".log");
    Files.writeString(log, "---- started " + Instant.now() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    processes.set(node - 1, p);
    Files.createDirectories(PIDS.toAbsolutePath().getParent());
    Files.writeString(PIDS, p.pid() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    paused[node] = false;
  }

  /** Kills node {@code node}'s process with SIGKILL and waits until it is gone. */
  public void kill(int node) {
    Process p = processes.get(node - 1);
    if (p != null) {
      p.destroyForcibly(); // SIGKILL, which also ends a stopped process
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("node " + node + " did not die within 30 s of SIGKILL");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    paused[node] = false;
  }

  /** SIGSTOP: the process stops dead, its sockets open, until {@link #resume}. */
  public void pause(int node) {
    signal(node, "STOP");
    paused[node] = true;
  }

  /** SIGCONT. */
  public void resume(int node) {
    signal(node, "CONT");
    paused[node] = false;
  }

  private void signal(int node, String signal) {
    Process p = processes.get(node - 1);
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("node " + node + " is not running: cannot send SIG" + signal);
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Node {@code node}'s current process as the operating system sees it (its pid, its CPU time so
   * far: the benchmark reads what the nodes spend per commit); fails if it was never started.
   */
  public ProcessHandle handle(int node) {
    Process p = processes.get(node - 1);
    if (p == null) {
      throw new IllegalStateException("node " + node + " was never started");
    }
    return p.toHandle();
  }

  /** Running, and not paused. */
  public boolean up(int node) {
    Process p = processes.get(node - 1);
    return p != null && p.isAlive() && !paused[node];
  }

  public boolean paused(int node) {
    return paused[node];
  }

  public URI uri(int node, String path) {
    return URI.create("http://127.0.0.1:" + httpPorts.get(node - 1) + path);
  }

  /** GET {@code path} on {@code node}, or null if it does not answer 200 within {@code timeout}. */
  public String get(HttpClient http, int node, String path, Duration timeout) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(node, path)).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** POST {@code path} to {@code node} with no body; fails unless it answers 200 within {@code timeout}. */
  public void post(HttpClient http, int node, String path, Duration timeout) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(node, path)).timeout(timeout)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("node " + node + " refused " + path + ": " + r.statusCode() + " " + r.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("node " + node + " did not take " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The leader of {@code group} as node {@code node}'s {@code /status} shows it; -1 if none or no answer. */
  public int leaderSeenBy(HttpClient http, int node, String group) {
    String status = get(http, node, "/status", Duration.ofSeconds(5));
    if (status == null) {
      return -1;
    }
    Matcher m = Pattern.compile("\"id\":\"" + Pattern.quote(group) + "\",\"leader\":(-?\\d+)").matcher(status);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Polls {@code condition} every 100 ms until it holds; fails naming {@code what} after {@code timeout}. */
  public static void await(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  private void killAll() {
    for (Process p : processes) {
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }

  @Override
  public void close() {
    killAll();
    for (int i = 1; i <= size; i++) {
      kill(i);
    }
    try {
      Files.deleteIfExists(PIDS);
    } catch (IOException e) {
      // the next cluster tries again; the processes are gone
    }
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down, and the hook runs anyway
    }
  }
}
