package io.synod.samples.bench;

import io.synod.actors.GroupClient;
import io.synod.actors.SynodGroup;
import io.synod.bootstrap.RunningNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sessions of the benchmark's groups on one node, made as an application makes them ({@link
 * SynodGroup#client}) and kept, by group and index: each {@link GroupClient} is an exactly-once
 * session with an actor of its own, so they are made once and reused from run to run.
 */
final class BenchClients {

  private final RunningNode node;
  private final Map<String, List<GroupClient<byte[], byte[]>>> pool = new HashMap<>();

  BenchClients(RunningNode node) {
    this.node = node;
  }

  /** Whether this node runs {@code group}. */
  boolean runs(String group) {
    return node.groups().containsKey(group);
  }

  /** Session {@code index} of {@code group} (made now if it is the first ask). */
  @SuppressWarnings("unchecked")
  synchronized GroupClient<byte[], byte[]> get(String group, int index) {
    if (!runs(group)) {
      throw new IllegalArgumentException("node " + node.config().self() + " does not run group " + group);
    }
    List<GroupClient<byte[], byte[]>> clients = pool.computeIfAbsent(group, g -> new ArrayList<>());
    while (clients.size() <= index) {
      SynodGroup<byte[], byte[]> def = (SynodGroup<byte[], byte[]>) node.definitions().get(group);
      clients.add(def.client(node.synod(), node.groups().get(group), node.config().settings()));
    }
    return clients.get(index);
  }
}
