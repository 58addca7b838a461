package io.synod.samples.fault;

import io.synod.samples.NodeProcesses;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The fault test's nemesis: kills nodes with SIGKILL and restarts them, pauses them with SIGSTOP and
 * resumes them with SIGCONT, and cuts the network between them ({@link NemesisService}), on a
 * schedule drawn from its random source, and logs each action in the {@link History}. Faults come
 * one at a time (or two at once), each healed before the next, with a quiet gap between.
 */
final class Nemesis {

  /** How many faults of each kind a run gets. */
  record Plan(int kills, int pauses, int partitions, int combined) {}

  private static final Duration RECOVERY = Duration.ofSeconds(90);
  private static final List<String> GROUPS = FaultTest.GROUPS;

  private final NodeProcesses nodes;
  private final SplittableRandom random;
  private final History history;
  private final HttpClient http;
  private int kills;
  private int pauses;
  private int partitions;

  Nemesis(NodeProcesses nodes, SplittableRandom random, History history, HttpClient http) {
    this.nodes = nodes;
    this.random = random;
    this.history = history;
    this.http = http;
  }

  int kills() {
    return kills;
  }

  int pauses() {
    return pauses;
  }

  int partitions() {
    return partitions;
  }

  /** The plan's faults in an order drawn from the random source. */
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

  /**
   * Twice: makes {@code node} the leader of {@code group}, cutting off whoever leads it for longer
   * than the 10 s lease the misconfigured node's acceptor grants (it refuses every other candidate
   * until then); then cuts {@code node} off, the second time pauses it instead.
   *
   * @throws AssertionError if {@code node} does not come to lead within five attempts
   */
  void leadThenIsolate(int node, String group) {
    for (boolean pause : new boolean[] {false, true}) {
      for (int attempt = 0; nodes.leaderSeenBy(http, node, group) != node; attempt++) {
        if (attempt == 5) {
          throw new AssertionError("precondition not reached: node " + node + " did not come to lead " + group);
        }
        int leader = nodes.leaderSeenBy(http, node, group);
        if (leader > 0) {
          partition(List.of(List.of(leader), rest(leader)));
          hold(12_000, 13_000);
          heal();
        }
        try {
          NodeProcesses.await(Duration.ofSeconds(5), "node " + node + " leads " + group,
              () -> nodes.leaderSeenBy(http, node, group) == node);
        } catch (AssertionError notYet) {
          // cut off whoever leads now, and look again
        }
      }
      history.nemesis("node " + node + " leads " + group);
      // Both shorter than the node's own idea of its lease (9 s), the pause also shorter than a
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

  /**
   * The operator replaces a node, one group after another, while the clients write: adds node
   * {@code add} to the group as a voter (asked at a random node that runs the group; answered once
   * {@code add} has caught up and votes), and once it is in every group removes node {@code remove}
   * from each, then kills {@code remove}: the group must not need it any more.
   */
  void replaceMember(int add, int remove) {
    for (String group : GROUPS) {
      history.nemesis("add node " + add + " to " + group + ": " + admin("POST", "/admin/groups/" + group
          + "/members?id=" + add, add, remove));
      hold(500, 1500);
    }
    for (String group : GROUPS) {
      history.nemesis("remove node " + remove + " from " + group + ": " + admin("DELETE", "/admin/groups/" + group
          + "/members/" + remove, add, remove));
      hold(500, 1500);
    }
    kill(remove);
    hold(2000, 4000);
  }

  /**
   * Sends an admin request, with the nodes' admin token, to a random node other than {@code add}
   * and {@code remove} until one answers 200 (a timeout answers 503: the change may still be under
   * way), for at most the recovery time; returns the answer.
   */
  private String admin(String method, String path, int add, int remove) {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      int node = 1 + random.nextInt(nodes.size());
      if (node == add || node == remove) {
        continue;
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(nodes.uri(node, path)).timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + nodes.adminToken())
            .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return r.body().strip();
        }
        last = "node " + node + ": " + r.statusCode() + " " + r.body().strip();
        if (r.statusCode() == 400 && (r.body().contains("a voter already") || r.body().contains("neither a voter"))) {
          return last; // an earlier attempt that timed out took effect after all
        }
      } catch (IOException e) {
        last = "node " + node + ": " + e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      hold(200, 400);
    }
    throw new AssertionError(method + " " + path + " did not succeed within " + RECOVERY + "; last: " + last);
  }

  /**
   * A group's leader (as a node running normally sees it) or a random node, half and half. Draws
   * the same random numbers whatever the cluster answers, so that a seed gives the same schedule
   * (though which node leads depends on the run's timing).
   */
  private int target() {
    boolean leader = random.nextBoolean();
    int asked = 1 + random.nextInt(nodes.size());
    String group = GROUPS.get(random.nextInt(GROUPS.size()));
    int any = 1 + random.nextInt(nodes.size());
    int seen = leader ? nodes.leaderSeenBy(http, asked, group) : -1;
    return seen > 0 ? seen : any;
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
    boolean alone = nodes.size() < 5 || random.nextBoolean();
    int target = target();
    if (alone) {
      return List.of(List.of(target), rest(target));
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
    kills++;
  }

  private void pause(int node) {
    history.nemesis("pause (SIGSTOP) node " + node);
    nodes.pause(node);
    pauses++;
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
    partitions++;
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
    if (nodes.up(node)) {
      nodes.post(http, node, path, Duration.ofSeconds(10));
    }
  }

  private static String join(List<Integer> ids) {
    return String.join(",", ids.stream().map(String::valueOf).toList());
  }

  private void hold(int minMillis, int maxMillis) {
    // The nemesis's own schedule: how long a fault lasts, not a wait for anything to happen.
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(minMillis + random.nextInt(maxMillis - minMillis)));
  }
}
