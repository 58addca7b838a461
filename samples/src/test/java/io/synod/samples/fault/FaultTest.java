package io.synod.samples.fault;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import org.junit.jupiter.api.io.TempDir;

/**
 * Jepsen-style fault testing of real node processes. A 3-node and then a 5-node cluster of
 * standalone nodes (the samples' counter and key-value store, from {@link #clusterConfig}) run as
 * JVM processes on 127.0.0.1, while concurrent {@link FaultClient}s use their HTTP API and a
 * nemesis, on a schedule drawn from the seed, kills nodes with SIGKILL and restarts them, pauses
 * them with SIGSTOP and resumes them with SIGCONT, cuts the network between them with Artery's test
 * mode ({@link NemesisService}), and does two of these at once. Then every fault is healed and each
 * client must make progress again.
 *
 * <p>Checked: every key's history and the counter's history are linearizable ({@link
 * Linearizability}, register and counter models); no acknowledged write is lost (every ok
 * increment is counted; the final value of each key is one no acknowledged write followed); every
 * node's state checksum ({@code GET /digest}) is the same at the same applied instance; and no
 * request got an answer the API does not give. A failed check writes the history and the smallest
 * non-linearizable window to {@code target/fault/} and fails naming the file and the seed.
 *
 * <p>{@code -Dsynod.fault.seed=N} replays a schedule; {@code -Dsynod.fault.soak=true} runs the long
 * soak (50 kill cycles per cluster, 100 in all) instead of the short run (6 per cluster).
 */
class FaultTest {

  private static final Duration REQUEST = Duration.ofSeconds(4);
  private static final Duration RECOVERY = Duration.ofSeconds(90);
  private static final List<String> KEYS = List.of("a", "b", "c", "d");
  private static final List<String> GROUPS = List.of("counter", "kv-0", "kv-1");
  private static final Path REPORTS = Path.of("target", "fault");

  @TempDir
  Path dir;

  /** How many faults of each kind one cluster gets. */
  record Plan(int kills, int pauses, int partitions, int combined, int clients) {}

  private static final Plan SHORT = new Plan(5, 2, 2, 1, 5);
  private static final Plan SOAK = new Plan(45, 15, 15, 5, 5);

  /** What one cluster's run did and found. */
  private static final class Run {
    final int size;
    int kills;
    int pauses;
    int partitions;
    long ops;
    long ok;
    long unknown;
    long lost;
    boolean linearizable = true;
    final List<String> problems = new ArrayList<>();

    Run(int size) {
      this.size = size;
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @Test
  void historiesUnderKillsPausesAndPartitionsAreLinearizableAndLoseNothing() throws Exception {
    long seed = Long.getLong("synod.fault.seed", new java.security.SecureRandom().nextInt(1_000_000_000));
    Plan plan = Boolean.getBoolean("synod.fault.soak") ? SOAK : SHORT;
    String replay = "mvn -B install -DskipTests && mvn -B -pl samples verify -Dtest=FaultTest -Dsynod.fault.seed="
        + seed + (plan == SOAK ? " -Dsynod.fault.soak=true" : "");
    List<Run> runs = new ArrayList<>();
    try {
      for (int size : new int[] {3, 5}) {
        Run run = new Run(size);
        runs.add(run);
        run(run, seed + size, n -> "", nemesis -> nemesis.runSchedule(plan), plan.clients(), Set.of());
      }
    } finally {
      Run total = new Run(0);
      for (Run r : runs) {
        total.ops += r.ops;
        total.ok += r.ok;
        total.unknown += r.unknown;
        total.kills += r.kills;
        total.pauses += r.pauses;
        total.partitions += r.partitions;
        total.lost += r.lost;
        total.linearizable &= r.linearizable;
        r.problems.forEach(p -> total.problems.add(r.size + " nodes: " + p));
      }
      System.out.println("FAULT-SUMMARY seed=" + seed + " ops=" + total.ops + " ok=" + total.ok + " unknown="
          + total.unknown + " kills=" + total.kills + " pauses=" + total.pauses + " partitions=" + total.partitions
          + " lost=" + total.lost + " linearizable=" + total.linearizable);
      if (!total.problems.isEmpty()) {
        fail("seed " + seed + " (replay: " + replay + "):\n  " + String.join("\n  ", total.problems));
      }
    }
  }

  /** The cluster file: the samples' groups and services, the nemesis, Artery's test mode. */
  private static String clusterConfig() {
    return String.join("\n",
        "synod.cluster {",
        "  groups = [",
        "    { id = \"counter\", type = \"io.synod.samples.counter.CounterType\" }",
        "    { id = \"kv-0\", type = \"io.synod.samples.kv.KvType\" }",
        "    { id = \"kv-1\", type = \"io.synod.samples.kv.KvType\" }",
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
  void aLeaderServingReadsPastTheLeaseItsPeersGrantIsCaught() throws Exception {
    long seed = Long.getLong("synod.fault.seed", new java.security.SecureRandom().nextInt(1_000_000_000));
    Run run = new Run(3);
    run(run, seed, n -> n == 1
        ? "synod.group { lease = 10 s, election-timeout = 50 ms, election-jitter = 10 ms }"
        : "synod.group { election-timeout = 1 s }", nemesis -> nemesis.leadThenIsolate(1, "counter"), 6, Set.of(1));
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

  /** @param readOnly nodes the clients send only reads to */
  private void run(Run run, long seed, IntFunction<String> nodeConfig, Schedule schedule, int clientCount,
      Set<Integer> readOnly) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    Path cluster = Files.writeString(dir.resolve("cluster-" + run.size + ".conf"), clusterConfig());
    Path logs = REPORTS.resolve("seed" + seed + "-" + run.size + "nodes");
    History history = new History();
    List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    List<FaultClient> clients = new ArrayList<>();
    try (NodeProcesses nodes = NodeProcesses.start(run.size, cluster, nodeConfig, dir.resolve("run-" + run.size), logs)) {
      NodeProcesses.await(RECOVERY, "every node sees a leader of every group", () -> allHaveLeaders(nodes));
      for (int c = 0; c < clientCount; c++) {
        FaultClient client = new FaultClient(c, random.nextLong(), nodes, readOnly, history, KEYS, REQUEST, stop,
            unexpected);
        clients.add(client);
        Thread t = new Thread(client, "fault-client-" + c);
        threads.add(t);
        t.start();
      }
      try {
        schedule.run(new Nemesis(nodes, random, run, history));
        long healed = System.nanoTime();
        history.nemesis("every fault healed: waiting for every client to make progress");
        NodeProcesses.await(RECOVERY, "every client makes progress after the faults are healed",
            () -> clients.stream().allMatch(c -> c.lastOkInvoked() > healed));
      } finally {
        stop.set(true);
        for (Thread t : threads) {
          t.join(TimeUnit.SECONDS.toMillis(30));
        }
      }
      history.nemesis("stop the clients");
      finalReads(nodes, history);
      compareDigests(nodes, run);
    }
    long origin = history.all().get(0).invoked();
    Files.writeString(logs.resolve("nemesis.txt"), String.join("\n", history.events().stream()
        .map(e -> e.line(origin)).toList()) + "\n");
    if (Boolean.getBoolean("synod.fault.keep-history")) {
      for (String key : history.keys()) {
        Files.write(logs.resolve("history-key-" + key + ".txt"), history.lines(key, origin));
      }
      Files.write(logs.resolve("history-counter.txt"), history.lines(null, origin));
    }
    run.ops = history.size();
    run.ok = history.count(Outcome.OK);
    run.unknown = history.count(Outcome.UNKNOWN);
    if (!unexpected.isEmpty()) {
      run.problems.add(unexpected.size() + " answers the API does not give, first: " + unexpected.get(0));
    }
    checkLost(history, run);
    check(history, null, new Linearizability<>(Models.COUNTER), run, seed);
    for (String key : history.keys()) {
      check(history, key, new Linearizability<>(Models.REGISTER), run, seed);
    }
    System.out.println("FAULT-RUN nodes=" + run.size + " seed=" + seed + " ops=" + run.ops + " ok=" + run.ok
        + " unknown=" + run.unknown + " kills=" + run.kills + " pauses=" + run.pauses + " partitions="
        + run.partitions + " lost=" + run.lost + " linearizable=" + run.linearizable + " logs=" + logs);
  }

  private boolean allHaveLeaders(NodeProcesses nodes) {
    for (int n = 1; n <= nodes.size(); n++) {
      for (String g : GROUPS) {
        if (nodes.leaderSeenBy(http, n, g) < 0) {
          return false;
        }
      }
    }
    return true;
  }

  /** The faults: one at a time from a shuffled list, each healed before the next, with a quiet gap between. */
  private final class Nemesis {
    private final NodeProcesses nodes;
    private final SplittableRandom random;
    private final Run run;
    private final History history;

    Nemesis(NodeProcesses nodes, SplittableRandom random, Run run, History history) {
      this.nodes = nodes;
      this.random = random;
      this.run = run;
      this.history = history;
    }

    /**
     * Makes {@code node} the leader of {@code group}, by cutting off whoever leads it for longer than
     * the 10 s lease node 1's acceptor grants (it refuses every other candidate until then); then cuts
     * {@code node} off for a while; then does the same again with a pause instead.
     */
    void leadThenIsolate(int node, String group) {
      for (boolean pause : new boolean[] {false, true}) {
        for (int attempt = 0; attempt < 5 && nodes.leaderSeenBy(http, node, group) != node; attempt++) {
          int leader = nodes.leaderSeenBy(http, node, group);
          if (leader > 0) {
            partition(List.of(List.of(leader), rest(leader)));
            hold(12_000, 13_000);
            heal();
          }
          hold(1000, 1500);
        }
        history.nemesis("node " + node + " sees node " + nodes.leaderSeenBy(http, node, group) + " lead " + group);
        // Both shorter than node 1's own idea of its lease (9 s), the pause also shorter than a
        // client's timeout, so that the reads it holds up count.
        if (pause) {
          pause(node);
          hold(3000, 3500);
          resume(node);
        } else {
          partition(List.of(List.of(node), rest(node)));
          hold(6000, 7000);
          heal();
        }
        hold(1000, 2000);
      }
    }

    void runSchedule(Plan plan) throws IOException {
      List<String> faults = new ArrayList<>();
      faults.addAll(Collections.nCopies(plan.kills(), "kill"));
      faults.addAll(Collections.nCopies(plan.pauses(), "pause"));
      faults.addAll(Collections.nCopies(plan.partitions(), "partition"));
      faults.addAll(Collections.nCopies(plan.combined(), "combined"));
      for (int i = faults.size() - 1; i > 0; i--) {
        Collections.swap(faults, i, random.nextInt(i + 1));
      }
      for (String fault : faults) {
        switch (fault) {
          case "kill" -> {
            int victim = target();
            kill(victim);
            hold(500, 3000);
            restart(victim);
          }
          case "pause" -> {
            int victim = target();
            pause(victim);
            hold(1000, 5000);
            resume(victim);
          }
          case "partition" -> {
            partition(sides());
            hold(2000, 6000);
            heal();
          }
          default -> { // two at once: a pause or a partition, and a kill of another node
            int first = target();
            int second = other(first);
            boolean pause = random.nextBoolean();
            if (pause) {
              pause(first);
            } else {
              partition(List.of(List.of(first), rest(first)));
            }
            hold(500, 2000);
            kill(second);
            hold(1000, 3000);
            restart(second);
            if (pause) {
              resume(first);
            } else {
              heal();
            }
          }
        }
        hold(1000, 3000); // quiet: the cluster may recover before the next fault
      }
    }

    /** A group's leader (as a node running normally sees it) or a random node, half and half. */
    private int target() {
      if (random.nextBoolean()) {
        int asked = 1 + random.nextInt(nodes.size());
        int leader = nodes.leaderSeenBy(http, asked, GROUPS.get(random.nextInt(GROUPS.size())));
        if (leader > 0) {
          return leader;
        }
      }
      return 1 + random.nextInt(nodes.size());
    }

    private int other(int node) {
      int n = 1 + random.nextInt(nodes.size() - 1);
      return n >= node ? n + 1 : n;
    }

    private List<Integer> rest(int node) {
      List<Integer> rest = new ArrayList<>();
      for (int n = 1; n <= nodes.size(); n++) {
        if (n != node) {
          rest.add(n);
        }
      }
      return rest;
    }

    /** Sides of a partition: one node (often a leader) alone, or (with 5 nodes) two against three. */
    private List<List<Integer>> sides() {
      if (nodes.size() < 5 || random.nextBoolean()) {
        int alone = target();
        return List.of(List.of(alone), rest(alone));
      }
      List<Integer> all = new ArrayList<>(rest(0));
      for (int i = all.size() - 1; i > 0; i--) {
        Collections.swap(all, i, random.nextInt(i + 1));
      }
      return List.of(all.subList(0, 2), all.subList(2, all.size()));
    }

    private void kill(int node) {
      history.nemesis("kill -9 node " + node);
      nodes.kill(node);
      run.kills++;
    }

    private void pause(int node) {
      history.nemesis("pause (SIGSTOP) node " + node);
      nodes.pause(node);
      run.pauses++;
    }

    private void resume(int node) {
      nodes.resume(node);
      history.nemesis("resume (SIGCONT) node " + node);
    }

    /** Restarts a killed node and waits until it answers HTTP again. */
    private void restart(int node) throws IOException {
      history.nemesis("restart node " + node);
      nodes.start(node);
      NodeProcesses.await(RECOVERY, "node " + node + " answers after its restart",
          () -> nodes.get(http, node, "/status", Duration.ofSeconds(2)) != null);
    }

    /** Cuts every link between the two sides, on both ends of each (a node that is down is skipped). */
    private void partition(List<List<Integer>> sides) {
      run.partitions++;
      history.nemesis("partition " + sides.get(0) + " from " + sides.get(1));
      for (int a : sides.get(0)) {
        post(a, "/nemesis/partition?from=" + join(sides.get(1)));
      }
      for (int b : sides.get(1)) {
        post(b, "/nemesis/partition?from=" + join(sides.get(0)));
      }
    }

    private void heal() {
      history.nemesis("heal the network");
      for (int n = 1; n <= nodes.size(); n++) {
        post(n, "/nemesis/heal");
      }
    }

    private void post(int node, String path) {
      if (!nodes.up(node)) {
        return;
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(nodes.uri(node, path)).timeout(Duration.ofSeconds(10))
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

    private String join(List<Integer> ids) {
      return String.join(",", ids.stream().map(String::valueOf).toList());
    }

    private void hold(int minMillis, int maxMillis) {
      // The nemesis's own schedule: how long a fault lasts, not a wait for anything to happen.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(minMillis + random.nextInt(maxMillis - minMillis)));
    }
  }

  /** A last linearizable read of every key and of the counter, part of the history that is checked. */
  private void finalReads(NodeProcesses nodes, History history) throws Exception {
    for (String key : KEYS) {
      history.add(finalRead(nodes, key, "/kv/" + key, new Models.Read()));
    }
    history.add(finalRead(nodes, null, "/counter", new Models.Get()));
  }

  private Op finalRead(NodeProcesses nodes, String key, String path, Object input) throws Exception {
    for (int attempt = 0; attempt < 30; attempt++) {
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
      Object output = r.statusCode() == 404 && key != null ? new Models.Value(null)
          : r.statusCode() != 200 ? null : key != null ? new Models.Value(r.body()) : Long.valueOf(r.body().strip());
      if (output != null) {
        return new Op(-1, node, key, input, output, invoked, returned, Outcome.OK, "final read");
      }
    }
    throw new AssertionError("no node answered a final read of " + path);
  }

  private static final Pattern DIGEST = Pattern.compile("\\{\"id\":\"([^\"]+)\",\"appliedThrough\":(\\d+),\"crc32\":(\\d+)\\}");

  /** Waits until every node has applied the same instances of every group; their checksums must then agree. */
  private void compareDigests(NodeProcesses nodes, Run run) {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    Map<Integer, Map<String, String>> digests;
    do {
      digests = new LinkedHashMap<>();
      for (int n = 1; n <= nodes.size(); n++) {
        String body = nodes.get(http, n, "/digest", Duration.ofSeconds(10));
        Map<String, String> groups = new LinkedHashMap<>();
        Matcher m = DIGEST.matcher(body == null ? "" : body);
        while (m.find()) {
          groups.put(m.group(1), m.group(2) + "/" + m.group(3));
        }
        digests.put(n, groups);
      }
      Map<String, String> first = digests.get(1);
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
      // The operations that may have left this value: writes or CASes of it, deletes if none.
      List<Op> writers = writes.stream().filter(o -> value == null ? o.input() instanceof Models.Delete
          : o.input() instanceof Models.Write w ? w.value().equals(value)
          : o.input() instanceof Models.Cas c && c.value().equals(value)).toList();
      long writerEnd = writers.stream().mapToLong(o -> o.outcome() == Outcome.OK ? o.returned() : Long.MAX_VALUE)
          .max().orElse(Long.MIN_VALUE); // no writer: the initial absence
      List<Op> overwritten = writes.stream().filter(o -> o.outcome() == Outcome.OK && o.invoked() > writerEnd
          && (!(o.input() instanceof Models.Cas) || Boolean.TRUE.equals(o.output()))).toList();
      if (!overwritten.isEmpty()) {
        run.lost += overwritten.size();
        run.problems.add("key " + last.key() + " ends as " + value + ", but " + overwritten.size()
            + " acknowledged writes started after that value was written, first: " + overwritten.get(0));
      }
    }
  }

  /** Checks one key's (or the counter's) history; a failure writes it and its smallest bad window to a file. */
  private static <S> void check(History history, String key, Linearizability<S> checker, Run run, long seed)
      throws IOException {
    List<Operation> ops = history.forChecker(key);
    String what = key == null ? "counter" : "key-" + key;
    String verdict;
    List<Operation> window = List.of();
    try {
      Linearizability.Result result = checker.check(ops);
      if (result.linearizable()) {
        return;
      }
      window = checker.smallestWindow(ops);
      verdict = "not linearizable";
    } catch (Linearizability.TooHardException e) {
      verdict = "not checked: " + e.getMessage();
    }
    run.linearizable = false;
    Files.createDirectories(REPORTS);
    Path file = REPORTS.resolve("seed" + seed + "-" + run.size + "nodes-" + what + ".txt").toAbsolutePath();
    long origin = history.all().get(0).invoked();
    StringBuilder b = new StringBuilder("# " + what + " of the " + run.size + "-node run, seed " + seed + ": "
        + verdict + "\n# times in ms since the first operation: invoked, returned (unknown outcomes never return)\n");
    b.append("\n## smallest non-linearizable window (").append(window.size()).append(" operations from any starting "
        + "state; operations of unknown outcome cannot explain it and are left out)\n");
    window.forEach(o -> b.append(line(o, origin)).append('\n'));
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
