package io.synod.samples.bench;

import io.synod.samples.NodeProcesses;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Says so when a loop commits nothing in its measured window, and makes the stall diagnosable:
 * prints {@code BENCH-NOTHING-COMMITTED transport= groups= size= clients= loop=closed|open mode=}, then at once every node's view of
 * its groups from {@code /status} ({@code BENCH-NOTHING-COMMITTED-STATUS node=1 groups=100
 * without-leader=3 leaders=1:40,2:30,3:27 states=running:100 bench-0:leader=2,applied=812,running}:
 * how many groups it knows no leader of, the leaders it names with the groups each leads, and the
 * groups that had clients). The lines go into the row, and the report's targets section.
 */
final class Stalls {

  /** At most this many of the groups that had clients are shown one by one. */
  private static final int WATCHED = 3;

  private Stalls() {}

  /** If {@code load} (the {@code loop} of a row) committed nothing, prints and returns the lines that say so. */
  static List<String> check(NodeProcesses nodes, Transport transport, ClientMode mode, int groups, int size,
      int clients, String loop, Load load) {
    if (!load.committedNothing()) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "BENCH-NOTHING-COMMITTED transport=%s groups=%d size=%d clients=%d loop=%s "
        + "mode=%s errors=%d", transport.tag(), groups, size, clients, loop, mode.tag(), load.errors()));
    List<String> watched = new ArrayList<>();
    for (int g = 0; g < Math.min(Math.min(groups, clients), WATCHED); g++) {
      watched.add(LoadGenerator.group(g));
    }
    for (NodeStatus view : BenchCluster.statuses(nodes)) {
      lines.add("BENCH-NOTHING-COMMITTED-STATUS " + view.summary(watched));
    }
    lines.forEach(System.out::println);
    return lines;
  }
}
