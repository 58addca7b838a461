package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.synod.actors.internal.GroupEnvelope;
import io.synod.actors.internal.PeerInjection;
import io.synod.paxos.Ballot;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Message;
import io.synod.paxos.Value;
import io.synod.persistence.JournalInspector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Groups created and removed at runtime through the catalog, on three nodes in this JVM: a group
 * runs on its members, its removal stops it everywhere and deletes its data (the journal's streams
 * and the snapshot files of that life), a group created again under the same id starts empty and
 * takes nothing from its earlier life, not even messages sent to it; a node that was down catches
 * up; bad requests change nothing.
 */
class GroupCatalogTest {

  private static final Duration T = Duration.ofSeconds(30);

  /** Checkpoints and acceptor snapshots after a few commands, so that a life leaves snapshot files. */
  private static final Config SETTINGS = ConfigFactory.parseString(String.join("\n",
      "synod.group.checkpoint.every-instances = 3",
      "synod.group.checkpoint.acceptor-snapshot-every = 4",
      "synod.catalog.reconcile-interval = 200 ms"));

  private final TestCounter.Registry counters = new TestCounter.Registry();

  private GroupCatalog catalog(LocalCluster.Node node) {
    return node.synod().catalog(GroupTypes.of(Map.of("counter", id -> counters.group(id, node.id()))));
  }

  /** Three nodes, each running its replica of the catalog (every node of a cluster must). */
  private LocalCluster start() {
    LocalCluster cluster = LocalCluster.start(3, SETTINGS);
    cluster.nodes().forEach(this::catalog);
    return cluster;
  }

  /** A client of runtime group {@code group} through {@code node}, once it runs there. */
  @SuppressWarnings("unchecked")
  private GroupClient<Long, Long> client(LocalCluster.Node node, String group) {
    GroupCatalog catalog = catalog(node);
    Await.until(T, () -> "node " + node.id() + " runs group " + group, () -> catalog.runningHere(group).isPresent());
    GroupCatalog.Running running = catalog.runningHere(group).orElseThrow();
    return ((SynodGroup<Long, Long>) running.definition()).client(node.synod(), running.actor());
  }

  /** The persistence ids life {@code incarnation} of {@code group} stores under on node {@code node}. */
  private static List<String> persistenceIds(String group, int node, long incarnation) {
    return List.of("synod-acceptor|" + group + "@" + node + "#" + incarnation,
        "synod-checkpoint|" + group + "@" + node + "#" + incarnation);
  }

  /** Events not deleted, and snapshot files, of that life on {@code node}, as "pid: n events, m files". */
  private static List<String> dataOf(LocalCluster.Node node, String group, long incarnation) {
    List<String> found = new ArrayList<>();
    for (String id : persistenceIds(group, node.id(), incarnation)) {
      JournalInspector.Contents journal = JournalInspector.contents(node.system().settings().config(), id);
      long files = snapshotFiles(node.snapshotDir(), id);
      if (journal.events() > 0 || files > 0) {
        found.add(id + ": " + journal.events() + " events, " + files + " snapshot files");
      }
    }
    return found;
  }

  private static long snapshotFiles(Path dir, String persistenceId) {
    String prefix = "snapshot-" + URLEncoder.encode(persistenceId, StandardCharsets.UTF_8) + "-";
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith(prefix)).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aRemovedGroupIsGoneWithItsDataAndANewLifeOfItsIdStartsEmptyAndIgnoresTheOldOnesMessages() {
    try (LocalCluster cluster = start()) {
      RuntimeGroup first = Await.result(catalog(cluster.node(0)).create("orders", "counter", List.of(0, 1, 2)), T);
      assertEquals(new RuntimeGroup("orders", "counter", List.of(0, 1, 2), 1), first);
      GroupClient<Long, Long> old = client(cluster.node(1), "orders");
      for (int i = 1; i <= 10; i++) {
        assertEquals(i, Await.result(old.propose(1L), T));
      }
      for (LocalCluster.Node n : cluster.nodes()) {
        GroupClient<Long, Long> c = client(n, "orders");
        Await.until(T, () -> "node " + n.id() + " applies all 10", () -> Await.result(c.readLocal(0L), T).value() == 10);
        Await.until(T, () -> "node " + n.id() + " has a checkpoint and acceptor snapshots of life 1",
            () -> persistenceIds("orders", n.id(), 1).stream().allMatch(id -> snapshotFiles(n.snapshotDir(), id) > 0));
      }
      assertEquals(Map.of("orders", first), Await.result(catalog(cluster.node(2)).groups(), T));

      assertEquals(first, Await.result(catalog(cluster.node(1)).remove("orders"), T));
      assertEquals(List.of(), dataOf(cluster.node(1), "orders", 1), "the node asked deleted its data before answering");
      for (LocalCluster.Node n : cluster.nodes()) {
        Await.until(T, () -> "node " + n.id() + " stops the group and deletes its data: " + dataOf(n, "orders", 1),
            () -> catalog(n).runningHere("orders").isEmpty() && dataOf(n, "orders", 1).isEmpty());
        JournalInspector.Contents acceptor = JournalInspector.contents(n.system().settings().config(),
            persistenceIds("orders", n.id(), 1).get(0));
        assertTrue(acceptor.highestSequenceNr() > 0, "the acceptor had written events, now deleted: " + acceptor);
      }
      assertInstanceOf(GroupStoppedException.class, Await.failure(old.propose(1L), T), "a client of the old life");
      assertEquals(Map.of(), Await.result(catalog(cluster.node(0)).groups(), T));

      RuntimeGroup second = Await.result(catalog(cluster.node(2)).create("orders", "counter", List.of(0, 1, 2)), T);
      assertEquals(2, second.incarnation());
      GroupClient<Long, Long> fresh = client(cluster.node(0), "orders");
      assertEquals(0L, Await.result(fresh.read(0L), T), "the new life starts empty");
      assertEquals(1L, Await.result(fresh.propose(1L), T));
      injectAnEarlierLifesAccepts(cluster);
      assertEquals(2L, Await.result(fresh.propose(1L), T), "the earlier life's accepts changed nothing");
      for (LocalCluster.Node n : cluster.nodes()) {
        GroupClient<Long, Long> c = client(n, "orders");
        Await.until(T, () -> "node " + n.id() + " applies the new life's 2", () -> Await.result(c.readLocal(0L), T)
            .value() == 2);
      }
      assertEquals(2L, Await.result(client(cluster.node(1), "orders").read(0L), T));
    }
  }

  /**
   * Sends nodes 1 and 2, as node 0 would, accepts of life 1 of group "orders" at a ballot far above
   * any the new life uses, adding 100 at each of its first instances: were they taken for life 2's,
   * a majority would have accepted them, the next leader would find and choose them, and the
   * counter would jump. Each must be refused at the gateway as another life's.
   */
  private static void injectAnEarlierLifesAccepts(LocalCluster cluster) {
    List<Message.Proposal> proposals = new ArrayList<>();
    for (int instance = 0; instance < 20; instance++) {
      byte[] add100 = PayloadFormat.frame(PayloadFormat.COMMAND, Codec.int64().encode(100L));
      proposals.add(new Message.Proposal(instance, Value.of(List.of(new ClientCommand(77, instance + 1, add100)))));
    }
    Message.Accept accept = new Message.Accept(0, new Ballot(1_000_000, 0), proposals, -1);
    for (int to : List.of(1, 2)) {
      SynodNode receiver = cluster.node(to).synod();
      long before = receiver.refusedMessages().getOrDefault("other-incarnation", 0L);
      PeerInjection.send(cluster.node(0).synod(), to, new GroupEnvelope("orders", 1, 0, accept));
      Await.until(T, () -> "node " + to + " refuses the earlier life's accept: " + receiver.refusedMessages(),
          () -> receiver.refusedMessages().getOrDefault("other-incarnation", 0L) > before);
    }
  }

  @Test
  void aNodeThatWasDownStartsAndStopsWhatTheCatalogDecidedMeanwhileAndDeletesTheRemovedData() {
    try (LocalCluster cluster = start()) {
      GroupCatalog at0 = catalog(cluster.node(0));
      Await.result(at0.create("a", "counter", List.of(0, 1, 2)), T);
      Await.result(at0.create("b", "counter", List.of(0, 1, 2)), T);
      GroupClient<Long, Long> a = client(cluster.node(0), "a");
      GroupClient<Long, Long> b = client(cluster.node(0), "b");
      for (int i = 0; i < 5; i++) {
        Await.result(a.propose(1L), T);
        Await.result(b.propose(1L), T);
      }
      GroupClient<Long, Long> aOn2 = client(cluster.node(2), "a");
      Await.until(T, () -> "node 2 applies a's 5", () -> Await.result(aOn2.readLocal(0L), T).value() == 5);
      Await.until(T, () -> "node 2 stored a's life", () -> !dataOf(cluster.node(2), "a", 1).isEmpty());

      cluster.stop(2);
      Await.result(at0.remove("a"), T);
      Await.result(at0.create("c", "counter", List.of(1, 2)), T);
      assertEquals(6L, Await.result(b.propose(1L), T));
      assertTrue(!dataOf(cluster.node(2), "a", 1).isEmpty(), "node 2 was down: its copy of a is still there");

      LocalCluster.Node again = cluster.restart(2);
      GroupCatalog at2 = catalog(again);
      GroupClient<Long, Long> bOn2 = client(again, "b");
      Await.until(T, () -> "node 2 runs b again and catches up", () -> Await.result(bOn2.readLocal(0L), T).value() == 6);
      GroupClient<Long, Long> c = client(again, "c");
      assertEquals(1L, Await.result(c.propose(1L), T), "group c, created while node 2 was down, runs there");
      Await.until(T, () -> "node 2 deletes the data of the removed group a: " + dataOf(again, "a", 1),
          () -> dataOf(again, "a", 1).isEmpty());
      assertTrue(at2.runningHere("a").isEmpty(), "node 2 does not run the removed group");
      assertEquals(List.of("b", "c"), List.copyOf(Await.result(at2.groups(), T).keySet().stream().sorted().toList()));
    }
  }

  @Test
  void badRequestsAreRefusedAndChangeNothing() {
    try (LocalCluster cluster = start()) {
      GroupCatalog catalog = catalog(cluster.node(0));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> catalog.create("orders", "queue", List.of(0)))
          .getMessage().contains("unknown group type 'queue'; node 0 knows [counter]"));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> catalog.create("orders", "counter", List.of(0, 9)))
          .getMessage().contains("lists node 9, which is not among the nodes [0, 1, 2]"));
      assertThrows(IllegalArgumentException.class, () -> catalog.create("orders", "counter", List.of()));
      assertThrows(IllegalArgumentException.class, () -> catalog.create("orders", "counter", List.of(1, 1)));
      assertThrows(IllegalArgumentException.class, () -> catalog.create("no spaces", "counter", List.of(0)));
      assertThrows(IllegalArgumentException.class, () -> catalog.create(GroupCatalog.ID, "counter", List.of(0)));
      assertThrows(IllegalArgumentException.class, () -> catalog.remove(GroupCatalog.ID));

      Await.result(catalog.create("orders", "counter", List.of(0, 1)), T);
      Throwable exists = Await.failure(catalog(cluster.node(1)).create("orders", "counter", List.of(0, 1, 2)), T);
      assertInstanceOf(GroupExistsException.class, exists);
      assertTrue(exists.getMessage().contains("type counter, members [0, 1], incarnation 1"), exists.getMessage());
      assertInstanceOf(UnknownGroupException.class, Await.failure(catalog.remove("nope"), T));

      // A group the application spawns itself is not the catalog's: neither created over nor removed.
      List<GroupClient<Long, Long>> plain = new ArrayList<>();
      for (LocalCluster.Node n : cluster.nodes()) {
        plain.add(n.spawn(counters.group("plain", n.id()), "plain"));
      }
      Await.result(plain.get(0).status(), T); // answered once the group runs on node 0
      Throwable taken = Await.failure(catalog.create("plain", "counter", List.of(0)), T);
      assertInstanceOf(GroupExistsException.class, taken);
      assertTrue(taken.getMessage().contains("node 0 runs a group of that id outside the catalog"), taken.getMessage());
      Throwable outside = Await.failure(catalog.remove("plain"), T);
      assertInstanceOf(UnknownGroupException.class, outside);
      assertTrue(outside.getMessage().contains("only groups created at runtime can be removed"), outside.getMessage());
      assertEquals(List.of("orders"), List.copyOf(Await.result(catalog.groups(), T).keySet()));

      // Created at a node that does not run such a group, the runtime group cannot run on one that
      // does: that node reports the conflict and keeps its own.
      org.apache.pekko.actor.typed.ActorRef<GroupCommand> own = cluster.node(2).spawnRef(counters.group("clash", 2),
          "clash");
      Await.result(catalog.create("clash", "counter", List.of(0, 1, 2)), T);
      String conflict = Await.result(catalog(cluster.node(2)).conflict(), T);
      assertTrue(conflict.contains("group 'clash' was created at runtime") && conflict.contains("node 2 runs a group of"
          + " that id outside the catalog"), conflict);
      assertTrue(catalog(cluster.node(2)).runningHere("clash").isEmpty());
      assertEquals(1L, Await.result(client(cluster.node(0), "clash").propose(1L), T), "nodes 0 and 1 run it");
      cluster.node(2).system().stop(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(own));
      GroupClient<Long, Long> clashOn2 = client(cluster.node(2), "clash"); // once its own has stopped
      assertEquals(2L, Await.result(client(cluster.node(0), "clash").propose(1L), T));
      Await.until(T, () -> "node 2 runs the runtime group and catches up",
          () -> Await.result(clashOn2.readLocal(0L), T).value() == 2);
    }
  }
}
