package io.synod.paxos.sim;

import io.synod.paxos.GroupConfig;
import io.synod.paxos.Proposer;
import java.util.ArrayList;
import java.util.List;

/**
 * The nodes and groups of one run, as the fault mix shapes them: every node hosts a replica of
 * every group; spare nodes (only when membership changes may add them) start in no group.
 */
final class SimCluster {

  private final List<SimNode> nodes = new ArrayList<>();
  private final List<String> groups = new ArrayList<>();

  SimCluster(FaultMix mix) {
    List<Integer> memberIds = new ArrayList<>();
    for (int i = 0; i < mix.nodes(); i++) {
      memberIds.add(i);
    }
    // Spare nodes only when membership changes can add them, so other seeds keep their runs.
    int spares = mix.membershipPerTick() > 0 ? mix.spareNodes() : 0;
    for (int g = 0; g < mix.groups(); g++) {
      groups.add("g" + g);
    }
    for (int i = 0; i < mix.nodes() + spares; i++) {
      SimNode n = new SimNode(i);
      for (String g : groups) {
        GroupConfig config = GroupConfig.builder(g, i, memberIds)
            .joining(i >= mix.nodes())
            .preferredLeader(mix.preferredLeader())
            .tuning(mix.tuning())
            .build();
        n.replicas.put(g, new SimReplica(g, config));
      }
      nodes.add(n);
    }
  }

  List<SimNode> nodes() {
    return nodes;
  }

  SimNode node(int id) {
    return nodes.get(id);
  }

  int size() {
    return nodes.size();
  }

  List<String> groups() {
    return groups;
  }

  /** The node that leads {@code group} and holds a lease, or else any node that believes it leads, or null. */
  SimNode leaderOf(String group) {
    SimNode leader = null;
    for (SimNode n : nodes) {
      Proposer p = n.replicas.get(group).proposer;
      if (n.up && p.isLeader() && (leader == null || p.hasLease())) {
        leader = n;
      }
    }
    return leader;
  }
}
