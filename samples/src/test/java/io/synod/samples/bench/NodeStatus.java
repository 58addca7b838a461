package io.synod.samples.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node's view of its groups, read from its {@code GET /status} ({@code {"node":1,...,"groups":
 * [{"id":"bench-0","leader":2,"appliedThrough":17,...,"state":"running",...}]}}): per group the
 * leader it knows (-1 if none), the instance it applied through and its roles' state. A node that
 * did not answer has no groups. The benchmark asks it whether a cluster is ready (every node sees
 * a leader of every group) and, when a row commits nothing, what each node saw.
 */
record NodeStatus(int node, List<NodeStatus.Group> groups) {

  /** One group as the node sees it; appliedThrough -1 and state "?" where the status left them out. */
  record Group(String id, int leader, long appliedThrough, String state) {}

  private static final Pattern GROUP = Pattern.compile("\\{\"id\":\"([^\"]*)\",\"leader\":(-?\\d+)");
  private static final Pattern APPLIED = Pattern.compile("\"appliedThrough\":(-?\\d+)");
  private static final Pattern STATE = Pattern.compile("\"state\":\"([^\"]*)\"");

  NodeStatus {
    groups = List.copyOf(groups);
  }

  /** Node {@code node}'s status from the body of its {@code /status}; null (no answer) gives no groups. */
  static NodeStatus parse(int node, String json) {
    List<Group> groups = new ArrayList<>();
    if (json != null) {
      Matcher m = GROUP.matcher(json);
      List<int[]> starts = new ArrayList<>();
      List<String[]> heads = new ArrayList<>();
      while (m.find()) {
        starts.add(new int[] {m.start(), m.end()});
        heads.add(new String[] {m.group(1), m.group(2)});
      }
      for (int i = 0; i < starts.size(); i++) {
        // The rest of the group's fields run up to the next group.
        String rest = json.substring(starts.get(i)[1], i + 1 < starts.size() ? starts.get(i + 1)[0] : json.length());
        Matcher applied = APPLIED.matcher(rest);
        Matcher state = STATE.matcher(rest);
        groups.add(new Group(heads.get(i)[0], Integer.parseInt(heads.get(i)[1]),
            applied.find() ? Long.parseLong(applied.group(1)) : -1, state.find() ? state.group(1) : "?"));
      }
    }
    return new NodeStatus(node, groups);
  }

  boolean answered() {
    return !groups.isEmpty();
  }

  /** How many of its groups the node knows no leader of. */
  int withoutLeader() {
    return (int) groups.stream().filter(g -> g.leader() < 0).count();
  }

  /** The leaders the node names, each with how many of its groups it leads. */
  Map<Integer, Integer> leaders() {
    Map<Integer, Integer> by = new TreeMap<>();
    groups.stream().filter(g -> g.leader() >= 0).forEach(g -> by.merge(g.leader(), 1, Integer::sum));
    return by;
  }

  /** The groups' states (running, restarting, stopped, unknown), each with how many are in it. */
  Map<String, Integer> states() {
    Map<String, Integer> by = new TreeMap<>();
    groups.forEach(g -> by.merge(g.state(), 1, Integer::sum));
    return by;
  }

  /**
   * One line: {@code node=1 groups=100 without-leader=3 leaders=1:40,2:30,3:27 states=running:100},
   * then, for each of {@code watched} (the groups that had clients), its leader, applied instance
   * and state here.
   */
  String summary(List<String> watched) {
    if (!answered()) {
      return "node=" + node + " did not answer /status";
    }
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "node=%d groups=%d without-leader=%d leaders=%s "
        + "states=%s", node, groups.size(), withoutLeader(), pairs(leaders()), pairs(states())));
    for (String id : watched) {
      groups.stream().filter(g -> g.id().equals(id)).findFirst().ifPresentOrElse(
          g -> b.append(String.format(Locale.ROOT, " %s:leader=%d,applied=%d,%s", g.id(), g.leader(),
              g.appliedThrough(), g.state())),
          () -> b.append(' ').append(id).append(":absent"));
    }
    return b.toString();
  }

  private static String pairs(Map<?, Integer> m) {
    if (m.isEmpty()) {
      return "none";
    }
    StringBuilder b = new StringBuilder();
    m.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append(':').append(v));
    return b.toString();
  }

  /**
   * How many of the groups {@code bench-0} to {@code bench-(groups-1)} are not ready: some node
   * (of {@code views}, one per node) does not run it, knows no leader of it, or did not answer.
   */
  static int notReady(List<NodeStatus> views, int groups) {
    Set<String> ready = new HashSet<>();
    for (int g = 0; g < groups; g++) {
      ready.add(LoadGenerator.group(g));
    }
    for (NodeStatus v : views) {
      Set<String> led = new HashSet<>();
      v.groups().stream().filter(g -> g.leader() >= 0).forEach(g -> led.add(g.id()));
      ready.retainAll(led);
    }
    return groups - ready.size();
  }
}
