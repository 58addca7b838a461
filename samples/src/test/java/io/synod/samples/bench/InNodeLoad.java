package io.synod.samples.bench;

import static io.synod.samples.bench.BenchCluster.HTTP;

import io.synod.samples.NodeProcesses;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * A load of clients inside the nodes: every node runs its share through its {@code POST
 * /bench/run} ({@link LoadGenerator}: the clients of the groups it leads), the results are merged.
 * The nodes' costs ({@link NodeCosts}) are read when the measured window opens and when it closes,
 * by this JVM's clock from when the requests went out (a few ms off the nodes' own, over windows
 * of seconds).
 */
final class InNodeLoad {

  private static final Pattern LEADER = Pattern.compile("\"id\":\"bench-(\\d+)\",\"leader\":(-?\\d+)");
  private static final Pattern RESULT = Pattern.compile(
      "\"clients\":(\\d+),\"ops\":(\\d+),\"errors\":(\\d+),\"seconds\":([0-9.E]+),\"histogram\":\"([^\"]*)\"");

  private InNodeLoad() {}

  /**
   * {@code clients} clients of {@code groups} groups with {@code size}-byte values, a closed loop
   * ({@code rate} 0) or an open one at {@code rate} commands a second in all: {@code warmup}
   * seconds, then {@code seconds} measured.
   */
  static Load run(NodeProcesses nodes, int groups, int clients, int size, double warmup, double seconds,
      double rate) throws Exception {
    List<List<Integer>> mine = assignment(nodes, groups);
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    long sent = System.nanoTime();
    for (int n = 1; n <= nodes.size(); n++) {
      String query = String.format(Locale.ROOT,
          "/bench/run?groups=%d&clients=%d&size=%d&warmup=%s&seconds=%s&rate=%s&mine=%s", groups, clients, size,
          warmup, seconds, rate, String.join(",", mine.get(n - 1).stream().map(String::valueOf).toList()));
      answers.add(HTTP.sendAsync(HttpRequest.newBuilder(nodes.uri(n, query)).timeout(Duration.ofMinutes(5))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
    }
    sleepUntil(sent + (long) (warmup * 1e9));
    NodeCosts.Sample from = NodeCosts.read(nodes, HTTP);
    sleepUntil(sent + (long) ((warmup + seconds) * 1e9));
    NodeCosts.Sample costs = NodeCosts.read(nodes, HTTP).since(from);
    Histogram latency = new Histogram(3);
    long ops = 0;
    long errors = 0;
    int running = 0;
    for (CompletableFuture<HttpResponse<String>> a : answers) {
      HttpResponse<String> r = a.get(6, TimeUnit.MINUTES);
      Matcher m = RESULT.matcher(r.body());
      if (r.statusCode() != 200 || !m.find()) {
        throw new IllegalStateException("a node's load failed: " + r.statusCode() + " " + r.body());
      }
      running += Integer.parseInt(m.group(1));
      ops += Long.parseLong(m.group(2));
      errors += Long.parseLong(m.group(3));
      latency.add(BenchService.decode(m.group(5)));
    }
    if (running != clients) {
      throw new IllegalStateException(running + " of " + clients + " clients ran");
    }
    return new Load(rate, ops, errors, seconds, latency, costs);
  }

  /**
   * Which node runs the clients of each group: its leader as the nodes report it (the first that
   * knows one), or, for a group without a leader just now, a node in turn.
   */
  private static List<List<Integer>> assignment(NodeProcesses nodes, int groups) {
    int[] leaderOf = new int[groups];
    for (int n = 1; n <= nodes.size(); n++) {
      String status = nodes.get(HTTP, n, "/status", Duration.ofSeconds(10));
      Matcher m = LEADER.matcher(status == null ? "" : status);
      while (m.find()) {
        int g = Integer.parseInt(m.group(1));
        if (g < groups && leaderOf[g] <= 0) {
          leaderOf[g] = Integer.parseInt(m.group(2));
        }
      }
    }
    List<List<Integer>> mine = new ArrayList<>();
    for (int n = 0; n < nodes.size(); n++) {
      mine.add(new ArrayList<>());
    }
    for (int g = 0; g < groups; g++) {
      int node = leaderOf[g] > 0 ? leaderOf[g] : 1 + g % nodes.size();
      mine.get(node - 1).add(g);
    }
    return mine;
  }

  /** Waits for a point of the measurement's clock (where its window opens or closes), not for an event. */
  static void sleepUntil(long nanoTime) {
    for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }
}
