package io.synod.actors;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A counter for the actor tests: a command adds its amount (0 only reads), the result is the value
 * after it. It keeps every amount it applied, so its snapshot grows with the log (and spans several
 * transfer chunks in the tests), and it counts what it was asked to do, for the tests to inspect
 * from their own thread.
 */
final class TestCounter implements ReplicatedStateMachine<Long, Long> {

  /** Rejected by {@link #apply}: shows an application error travelling back to the client. */
  static final long POISON = Long.MIN_VALUE;

  private final List<Long> history = new ArrayList<>();
  volatile long value;
  /** Commands applied since this counter was made or last restored. */
  volatile long applyCalls;
  volatile int restores;
  volatile long restoredValue = -1;

  @Override
  public Long apply(long instance, Long amount) {
    if (amount == POISON) {
      throw new IllegalArgumentException("poison is not a number");
    }
    applyCalls++;
    history.add(amount);
    value += amount;
    return value;
  }

  @Override
  public Long read(Long query) {
    return value;
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeLong(value);
    d.writeInt(history.size());
    for (long h : history) {
      d.writeLong(h);
    }
    d.flush();
  }

  @Override
  public void restore(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    long v = d.readLong();
    int n = d.readInt();
    history.clear();
    for (int i = 0; i < n; i++) {
      history.add(d.readLong());
    }
    value = v;
    applyCalls = 0;
    restoredValue = v;
    restores++;
  }

  /** The counters made for each node, in the order they were made (a restart adds one). */
  static final class Registry {
    private final Map<Integer, List<TestCounter>> byNode = new ConcurrentHashMap<>();

    /**
     * Spawns a counter group of each of {@code ids} on {@code node}, with every node of the cluster
     * as a member; their actors go to {@code refs}, and their clients are returned in order.
     */
    java.util.List<GroupClient<Long, Long>> spawnEach(LocalCluster.Node node, java.util.List<String> ids,
        java.util.List<org.apache.pekko.actor.typed.ActorRef<GroupCommand>> refs) {
      java.util.List<GroupClient<Long, Long>> clients = new java.util.ArrayList<>();
      for (String id : ids) {
        SynodGroup<Long, Long> def = group(id, node.id());
        org.apache.pekko.actor.typed.ActorRef<GroupCommand> ref = node.spawnRef(def, id);
        refs.add(ref);
        clients.add(def.client(node.synod(), ref));
      }
      return clients;
    }

    SynodGroup<Long, Long> group(String id, int node) {
      return SynodGroup.of(id, Codec.int64(), Codec.int64(), () -> {
        TestCounter c = new TestCounter();
        byNode.computeIfAbsent(node, n -> new CopyOnWriteArrayList<>()).add(c);
        return c;
      });
    }

    /** How many counters {@code node} has made (a group makes one when it starts, asynchronously). */
    int made(int node) {
      List<TestCounter> list = byNode.get(node);
      return list == null ? 0 : list.size();
    }

    /** The {@code n}th counter {@code node} makes (from 1), once its group has started. */
    TestCounter await(int node, int n, java.time.Duration within) {
      Await.until(within, () -> "node " + node + " makes counter #" + n + ", has made " + made(node),
          () -> made(node) >= n);
      return byNode.get(node).get(n - 1);
    }

    /**
     * The newest counter of {@code node}. A node also makes a counter to check each peer's
     * checkpoint it fetches on (and then drops it): where a node may fetch one, hold on to its own.
     */
    TestCounter latest(int node) {
      List<TestCounter> list = byNode.get(node);
      if (list == null || list.isEmpty()) {
        throw new AssertionError("node " + node + " made no counter yet");
      }
      return list.get(list.size() - 1);
    }
  }
}
