package io.synod.samples.fault;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.samples.NodeProcesses;
import io.synod.samples.fault.History.Op;
import io.synod.samples.fault.History.Outcome;
import io.synod.samples.linearizability.Linearizability;
import io.synod.samples.linearizability.Linearizability.Operation;
import io.synod.samples.linearizability.Models;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * Jepsen-style fault testing of real node processes. A 3-node and then a 5-node cluster of
 * standalone nodes (the samples' counter and key-value store, from {@link #clusterConfig}) run as
 * JVM processes on 127.0.0.1, while concurrent {@link FaultClient}s use their HTTP API and the
 * {@link Nemesis}, on a schedule drawn from the seed, kills nodes with SIGKILL and restarts them,
 * pauses them with SIGSTOP and resumes them with SIGCONT, cuts the network between them with
 * Artery's test mode ({@link NemesisService}), and does two of these at once. Then every fault is
 * healed and each client must make progress again.
 *
 * <p>Checked: every key's history and the counter's history are linearizable ({@link
 * Linearizability}, register and counter models); no acknowledged write is lost (every ok
 * increment is counted; the final value of each key is one no acknowledged write followed); every
 * node's state checksum ({@code GET /digest}) is the same at the same applied instance; and no
 * request got an answer the API does not give. Any problem writes the histories and the nemesis's
 * actions (and for a history that is not linearizable, its smallest bad window) to {@code
 * target/fault/} and fails naming the files and the seed.
 *
 * <p>{@code -Dsynod.fault.seed=N} replays a schedule; {@code -Dsynod.fault.soak=true} runs the long
 * soak (50 kill cycles per cluster, 100 in all) instead of the short run (6 per cluster); {@code
 * -Dsynod.fault.keep-history=true} keeps the histories of runs without problems too.
 */
class FaultTest {

  private static final Duration REQUEST = Duration.ofSeconds(4);
  private static final Duration RECOVERY = Duration.ofSeconds(90);
  private static final List<String> KEYS = List.of("a", "b", "c", "d");
  static final List<String> GROUPS = List.of("counter", "kv-0", "kv-1");
  private static final Path REPORTS = Path.of("target", "fault");
  private static final int CLIENTS = 5;
  /** Runs one test of this class from the repository's root, building what it needs in place. */
  private static final String COMMAND = "mvn -B verify -pl samples -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest=";

  private static final Nemesis.Plan SHORT = new Nemesis.Plan(5, 2, 2, 1);
  private static final Nemesis.Plan SOAK = new Nemesis.Plan(45, 15, 15, 5);

  @TempDir
  Path dir;

  /**
   * Membership change under load: four node processes, the groups beginning on nodes 1, 2 and 3;
   * node 4 runs them as a joiner. While the clients write, the operator adds node 4 to every group
   * over HTTP (it catches up, then votes), removes node 1 from every group and kills it. The
   * histories must be linearizable with nothing acknowledged lost, and nodes 2, 3 and 4 must end
   * with the same state.
   */
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aFourthNodeJoinsAndAnOldOneLeavesWhileClientsWrite() {
    long seed = seed();
    Run run = new Run(4, seed, COMMAND + "FaultTest#aFourthNodeJoinsAndAnOldOneLeavesWhileClientsWrite"
        + " -Dsynod.fault.seed=" + seed);
    run(run, clusterConfig(", members = [1, 2, 3]"),
        n -> n == 4 ? "synod.node.join = [\"counter\", \"kv-0\", \"kv-1\"]" : "",
        nemesis -> nemesis.replaceMember(4, 1), Set.of(), Set.of(1, 2, 3), Set.of(2, 3, 4));
    System.out.println("MEMBERSHIP-SUMMARY seed=" + seed + " ops=" + run.ops + " ok=" + run.ok + " unknown="
        + run.unknown + " lost=" + run.lost + " linearizable=" + run.linearizable + " problems=" + run.problems.size());
    assertTrue(run.problems.isEmpty(), () -> "seed " + seed + " (replay: " + run.replay + "):\n  "
        + String.join("\n  ", run.problems));
    assertTrue(run.ok > 0, "the clients got answers");
  }

  /** What one cluster's run did and found. */
  private static final class Run {
    final int size;
    final long seed;
    final String replay;
    int kills;
    int pauses;
    int partitions;
    long ops;
    long ok;
    long unknown;
    long lost;
    boolean linearizable = true;
    /** Why the run stopped before its checks, if it did. */
    Throwable aborted;
    final List<String> problems = new ArrayList<>();

    Run(int size, long seed, String replay) {
      this.size = size;
      this.seed = seed;
      this.replay = replay;
    }

    String name() {
      return "seed" + seed + "-" + size + "nodes";
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private static long seed() {
    return Long.getLong("synod.fault.seed", new SecureRandom().nextInt(1_000_000_000));
  }

  // Every wait inside is bounded; this is the backstop (the soak takes about half an hour). On a
  // timeout the node processes are killed by NodeProcesses' shutdown hook when the test JVM exits.
  @Test
  @Timeout(value = 120, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void historiesUnderKillsPausesAndPartitionsAreLinearizableAndLoseNothing() {
    long seed = seed();
    Nemesis.Plan plan = Boolean.getBoolean("synod.fault.soak") ? SOAK : SHORT;
    String replay = COMMAND + "FaultTest#historiesUnderKillsPausesAndPartitionsAreLinearizableAndLoseNothing"
        + " -Dsynod.fault.seed=" + seed + (plan == SOAK ? " -Dsynod.fault.soak=true" : "");
    List<Run> runs = new ArrayList<>();
    for (int size : new int[] {3, 5}) {
      Run run = new Run(size, seed, replay);
      runs.add(run);
      run(run, n -> "", nemesis -> nemesis.runSchedule(plan), Set.of());
    }
    Run total = new Run(0, seed, replay);
    List<String> problems = new ArrayList<>();
    for (Run r : runs) {
      total.ops += r.ops;
      total.ok += r.ok;
      total.unknown += r.unknown;
      total.kills += r.kills;
      total.pauses += r.pauses;
      total.partitions += r.partitions;
      total.lost += r.lost;
      total.linearizable &= r.linearizable;
      r.problems.forEach(p -> problems.add(r.size + " nodes: " + p));
    }
    System.out.println("FAULT-SUMMARY seed=" + seed + " ops=" + total.ops + " ok=" + total.ok + " unknown="
        + total.unknown + " kills=" + total.kills + " pauses=" + total.pauses + " partitions=" + total.partitions
        + " lost=" + total.lost + " linearizable=" + total.linearizable);
    if (!problems.isEmpty()) {
      AssertionFailedError failure = new AssertionFailedError("seed " + seed + " (replay: " + replay + "):\n  "
          + String.join("\n  ", problems));
      runs.stream().filter(r -> r.aborted != null).forEach(r -> failure.addSuppressed(r.aborted));
      throw failure;
    }
  }

  /** The cluster file: the samples' groups and services, the nemesis, Artery's test mode. */
  private static String clusterConfig() {
    return clusterConfig("");
  }

  /** As {@link #clusterConfig()}, each group with {@code membership} (e.g. {@code , members = [1, 2, 3]}). */
  static String clusterConfig(String membership) {
    return String.join("\n",
        "synod.cluster {",
        "  groups = [",
        "    { id = \"counter\", type = \"io.synod.samples.counter.CounterType\"" + membership + " }",
        "    { id = \"kv-0\", type = \"io.synod.samples.kv.KvType\"" + membership + " }",
        "    { id = \"kv-1\", type = \"io.synod.samples.kv.KvType\"" + membership + " }",
        "  ]",
        "  http-services = [",
        "    \"io.synod.samples.counter.CounterService\"",
        "    \"io.synod.samples.kv.KvService\"",
        "    \"" + NemesisService.class.getName() + "\"",
        "  ]",
        "}",
        // Checkpoints often, so that restarted nodes also catch up from a peer's checkpoint.
        "synod.group.checkpoint { every-instances = 300, acceptor-snapshot-every = 200 }",
        "synod.client.request-timeout = 3 s",
        "pekko.remote.artery.advanced.test-mode = on",
        "");
  }

  /**
   * The suite checking itself: node 1 is misconfigured with a lease far longer than its peers grant
   * (10 s against 300 ms) and elections quicker than theirs, so it leads and, once paused or cut
   * off, goes on answering reads from its own state after the others have moved on. The suite must
   * say so: a history that is not linearizable, written with its window to a file. (Node 1 cannot
   * win an election while its own acceptor holds a 10 s lease for another leader, so the nemesis
   * first cuts that leader off for longer. The clients send node 1 only reads: a leader with
   * writes of its own in flight holds reads back until they are chosen, which hides its stale
   * state.)
   */
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aLeaderServingReadsPastTheLeaseItsPeersGrantIsCaught() throws IOException {
    long seed = seed();
    Run run = new Run(3, seed, COMMAND + "FaultTest#aLeaderServingReadsPastTheLeaseItsPeersGrantIsCaught"
        + " -Dsynod.fault.seed=" + seed);
    run(run, n -> n == 1
        ? "synod.group { lease = 10 s, election-timeout = 50 ms, election-jitter = 10 ms }"
        : "synod.group { election-timeout = 1 s }", nemesis -> nemesis.leadThenIsolate(1, "counter"), Set.of(1));
    assertNull(run.aborted, "the run stopped early (seed " + seed + "): " + run.problems);
    assertFalse(run.linearizable, "stale reads were served, and the checker must find them (seed " + seed + "): "
        + run.problems);
    String report = run.problems.stream().filter(p -> p.contains("not linearizable: see ")).findFirst()
        .orElseThrow(() -> new AssertionError("no report of the stale reads: " + run.problems));
    String file = Files.readString(Path.of(report.substring(report.indexOf("see ") + 4)));
    assertTrue(file.contains("## smallest non-linearizable window") && file.contains("## whole history"), file);
  }

  /** What the nemesis does in one run. */
  interface Schedule {
    void run(Nemesis nemesis) throws IOException;
  }

  /**
   * Starts the cluster and the clients, runs the schedule, heals, requires progress, reads the
   * final state and checks what was recorded, also when a step fails (that is a problem too).
   *
   * @param readOnly nodes the clients send only reads to
   */
  private void run(Run run, IntFunction<String> nodeConfig, Schedule schedule, Set<Integer> readOnly) {
    Set<Integer> all = new java.util.TreeSet<>();
    for (int n = 1; n <= run.size; n++) {
      all.add(n);
    }
    run(run, clusterConfig(), nodeConfig, schedule, readOnly, all, all);
  }

  /**
   * As above, with the cluster file {@code clusterFile}; {@code leadersAt} are the nodes that must
   * see a leader of every group before the clients start, {@code finalNodes} those whose states are
   * compared at the end.
   */
  private void run(Run run, String clusterFile, IntFunction<String> nodeConfig, Schedule schedule,
      Set<Integer> readOnly, Set<Integer> leadersAt, Set<Integer> finalNodes) {
    SplittableRandom random = new SplittableRandom(run.seed * 31 + run.size);
    Path logs = REPORTS.resolve(run.name());
    History history = new History();
    List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    List<FaultClient> clients = new ArrayList<>();
    Nemesis nemesis = null;
    try {
      Path cluster = Files.writeString(dir.resolve("cluster-" + run.size + ".conf"), clusterFile);
      try (NodeProcesses nodes = NodeProcesses.start(run.size, cluster, nodeConfig, dir.resolve("run-" + run.size),
          logs)) {
        NodeProcesses.await(RECOVERY, "nodes " + leadersAt + " see a leader of every group",
            () -> allHaveLeaders(nodes, leadersAt));
        for (int c = 0; c < CLIENTS; c++) {
          FaultClient client = new FaultClient(c, random.nextLong(), nodes, readOnly, history, KEYS, REQUEST, stop,
              unexpected);
          clients.add(client);
          Thread t = new Thread(client, "fault-client-" + c);
          threads.add(t);
          t.start();
        }
        try {
          nemesis = new Nemesis(nodes, random, history, http);
          schedule.run(nemesis);
          long healed = System.nanoTime();
          history.nemesis("every fault healed: waiting for every client to make progress");
          NodeProcesses.await(RECOVERY, "every client makes progress after the faults are healed",
              () -> clients.stream().allMatch(c -> c.lastOkInvoked() > healed));
        } finally {
          stop.set(true);
          for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            if (t.isAlive()) {
              throw new IllegalStateException(t.getName() + " did not stop within 30 s");
            }
          }
        }
        history.nemesis("stop the clients");
        finalReads(nodes, history);
        compareDigests(nodes, run, finalNodes);
      }
    } catch (Exception | AssertionError e) {
      run.aborted = e;
      run.problems.add("the run stopped early: " + e);
    }
    if (nemesis != null) {
      run.kills = nemesis.kills();
      run.pauses = nemesis.pauses();
      run.partitions = nemesis.partitions();
    }
    run.ops = history.size();
    run.ok = history.count(Outcome.OK);
    run.unknown = history.count(Outcome.UNKNOWN);
    if (!unexpected.isEmpty()) {
      run.problems.add(unexpected.size() + " answers the API does not give, first: " + unexpected.get(0));
    }
    try {
      if (history.size() > 0) {
        checkLost(history, run);
        check(history, null, new Linearizability<>(Models.COUNTER), run);
        for (String key : history.keys()) {
          check(history, key, new Linearizability<>(Models.REGISTER), run);
        }
        writeHistories(history, logs, run);
      }
    } catch (IOException e) {
      run.problems.add("the run's files could not be written: " + e);
    }
    System.out.println("FAULT-RUN nodes=" + run.size + " seed=" + run.seed + " ops=" + run.ops + " ok=" + run.ok
        + " unknown=" + run.unknown + " kills=" + run.kills + " pauses=" + run.pauses + " partitions="
        + run.partitions + " lost=" + run.lost + " linearizable=" + run.linearizable + " logs=" + logs);
  }

  /** The nemesis's actions always; every history if there was a problem or they are asked for. */
  private static void writeHistories(History history, Path logs, Run run) throws IOException {
    Files.createDirectories(logs);
    long origin = history.origin();
    Files.write(logs.resolve("nemesis.txt"), history.events().stream().map(e -> e.line(origin)).toList());
    if (!run.problems.isEmpty() || Boolean.getBoolean("synod.fault.keep-history")) {
      for (String key : history.keys()) {
        Files.write(logs.resolve("history-key-" + key + ".txt"), history.lines(key, origin));
      }
      Files.write(logs.resolve("history-counter.txt"), history.lines(null, origin));
      if (!run.problems.isEmpty()) {
        run.problems.add("histories, the nemesis's actions and node logs: " + logs.toAbsolutePath());
      }
    }
  }

  private boolean allHaveLeaders(NodeProcesses nodes, Set<Integer> at) {
    for (int n : at) {
      for (String g : GROUPS) {
        if (nodes.leaderSeenBy(http, n, g) < 0) {
          return false;
        }
      }
    }
    return true;
  }

  /** A last linearizable read of every key and of the counter, part of the history that is checked. */
  private void finalReads(NodeProcesses nodes, History history) throws IOException, InterruptedException {
    for (String key : KEYS) {
      history.add(finalRead(nodes, key, "/kv/" + key, new Models.Read()));
    }
    history.add(finalRead(nodes, null, "/counter", new Models.Get()));
  }

  private Op finalRead(NodeProcesses nodes, String key, String path, Object input)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
      int node = 1 + attempt % nodes.size();
      long invoked = System.nanoTime();
      HttpResponse<String> r;
      try {
        r = http.send(HttpRequest.newBuilder(nodes.uri(node, path)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        continue;
      }
      long returned = System.nanoTime();
      Object output = r.statusCode() == 404 && key != null && r.body().strip().equals("no such key")
          ? new Models.Value(null)
          : r.statusCode() != 200 ? null : key != null ? new Models.Value(r.body()) : Long.valueOf(r.body().strip());
      if (output != null) {
        return new Op(-1, node, key, input, output, invoked, returned, Outcome.OK, "final read");
      }
    }
    throw new AssertionError("no node answered a final read of " + path + " within " + RECOVERY);
  }

  private static final Pattern DIGEST = Pattern.compile("\\{\"id\":\"([^\"]+)\",\"appliedThrough\":(\\d+),\"crc32\":(\\d+)\\}");

  /** Waits until every node has applied the same instances of every group; their checksums must then agree. */
  private void compareDigests(NodeProcesses nodes, Run run, Set<Integer> at) {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    Map<Integer, Map<String, String>> digests;
    do {
      digests = new LinkedHashMap<>();
      for (int n : at) {
        String body = nodes.get(http, n, "/digest", Duration.ofSeconds(10));
        Map<String, String> groups = new LinkedHashMap<>();
        Matcher m = DIGEST.matcher(body == null ? "" : body);
        while (m.find()) {
          if (GROUPS.contains(m.group(1))) { // not the catalog of runtime groups, which this test leaves alone
            groups.put(m.group(1), m.group(2) + "/" + m.group(3));
          }
        }
        digests.put(n, groups);
      }
      Map<String, String> first = digests.values().iterator().next();
      boolean sameInstances = first.size() == GROUPS.size() && digests.values().stream().allMatch(d -> GROUPS.stream()
          .allMatch(g -> d.containsKey(g) && instance(d.get(g)).equals(instance(first.get(g)))));
      if (sameInstances) {
        if (digests.values().stream().anyMatch(d -> !d.equals(first))) {
          run.problems.add("replicas differ at the same applied instance (instance/crc32 per node): " + digests);
        }
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    } while (System.nanoTime() < deadline);
    run.problems.add("the nodes did not reach the same applied instances within " + RECOVERY + ": " + digests);
  }

  private static String instance(String digest) {
    return digest.substring(0, digest.indexOf('/'));
  }

  /**
   * Every ok increment is counted (the final count is at least their number), and each key's final
   * value was written by an operation that no acknowledged write started after.
   */
  private static void checkLost(History history, Run run) {
    List<Op> all = history.all();
    long okIncrements = all.stream().filter(o -> o.input() instanceof Models.Add && o.outcome() == Outcome.OK).count();
    long finalCount = all.stream().filter(o -> "final read".equals(o.detail()) && o.key() == null)
        .map(o -> (Long) o.output()).findFirst().orElseThrow();
    if (finalCount < okIncrements) {
      run.lost += okIncrements - finalCount;
      run.problems.add("the counter is " + finalCount + " after " + okIncrements + " acknowledged increments");
    }
    for (Op last : all.stream().filter(o -> "final read".equals(o.detail()) && o.key() != null).toList()) {
      String value = ((Models.Value) last.output()).value();
      List<Op> writes = all.stream().filter(o -> last.key().equals(o.key()) && o.outcome() != Outcome.FAIL
          && o.client() >= 0 && (o.input() instanceof Models.Write || o.input() instanceof Models.Cas
              || o.input() instanceof Models.Delete)).toList();
      // The operations that may have left this value (and changed something, or may have): writes
      // or successful CASes of it; if there is none, successful deletes.
      List<Op> writers = writes.stream().filter(o -> !Boolean.FALSE.equals(o.output()))
          .filter(o -> value == null ? o.input() instanceof Models.Delete
              : o.input() instanceof Models.Write w ? w.value().equals(value)
              : o.input() instanceof Models.Cas c && c.value().equals(value)).toList();
      long writerEnd = writers.stream().mapToLong(o -> o.outcome() == Outcome.OK ? o.returned() : Long.MAX_VALUE)
          .max().orElse(Long.MIN_VALUE); // no writer: the initial absence
      // Acknowledged changes that began after that writer was done, so came after it, yet are not seen.
      List<Op> overwritten = writes.stream().filter(o -> o.outcome() == Outcome.OK && o.invoked() > writerEnd
          && Boolean.TRUE.equals(o.output())).toList();
      if (!overwritten.isEmpty()) {
        run.lost += overwritten.size();
        run.problems.add("key " + last.key() + " ends as " + value + ", but " + overwritten.size()
            + " acknowledged writes started after that value was written, first: " + overwritten.get(0));
      }
    }
  }

  /** Checks one key's (or the counter's) history; a failure writes it and its smallest bad window to a file. */
  private static <S> void check(History history, String key, Linearizability<S> checker, Run run)
      throws IOException {
    List<Operation> ops = history.forChecker(key);
    String what = key == null ? "counter" : "key-" + key;
    String verdict;
    List<Operation> window = null;
    try {
      Linearizability.Result result = checker.check(ops);
      if (result.linearizable()) {
        return;
      }
      window = checker.smallestWindow(ops);
      verdict = "not linearizable";
    } catch (Linearizability.TooHardException e) {
      verdict = "not checked (counted as not linearizable): " + e.getMessage();
    }
    run.linearizable = false;
    Files.createDirectories(REPORTS);
    Path file = REPORTS.resolve(run.name() + "-" + what + ".txt").toAbsolutePath();
    long origin = history.origin();
    StringBuilder b = new StringBuilder("# " + what + " of the " + run.size + "-node run, seed " + run.seed + ": "
        + verdict + "\n# replay: " + run.replay
        + "\n# times in ms since the first operation: invoked, returned (unknown outcomes never return)\n");
    if (window != null) {
      b.append("\n## smallest non-linearizable window (").append(window.size()).append(" operations, from any "
          + "starting state; operations of unknown outcome cannot explain it and are left out)\n");
      window.forEach(o -> b.append(line(o, origin)).append('\n'));
    }
    b.append("\n## whole history, every outcome\n");
    history.lines(key, origin).forEach(l -> b.append(l).append('\n'));
    Files.writeString(file, b);
    run.problems.add(what + " history " + verdict + ": see " + file);
  }

  private static String line(Operation o, long origin) {
    return String.format("%10.3f %10s client=%-3d %s -> %s", (o.invoked() - origin) / 1e6,
        o.unknown() ? "never" : String.format("%.3f", (o.returned() - origin) / 1e6), o.client(), o.input(),
        o.output());
  }
}
