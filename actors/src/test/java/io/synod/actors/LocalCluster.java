package io.synod.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.synod.Synod;
import io.synod.actors.internal.NodeRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The one-line local cluster every actor test uses: {@code try (LocalCluster c = LocalCluster.start(3))}
 * gives {@code n} ActorSystems on 127.0.0.1, each on its own Artery TCP port picked by the OS,
 * each with its own journal and snapshot directories under one temporary directory, Java
 * serialization off, and Synod started on each ({@link Node#synod()}). A node can be stopped and
 * restarted on the same port with the same directories ({@link #stop}, {@link #restart}). {@link
 * #close} terminates every system and deletes the directories.
 */
public final class LocalCluster implements AutoCloseable {

  /** One node: its actor system, where it listens, where it stores, and Synod on it. */
  public record Node(int id, ActorSystem system, Address address, Path journalDir, Path snapshotDir, SynodNode synod) {
    public String path(String actorPath) {
      return address + actorPath;
    }

    public org.apache.pekko.actor.typed.ActorSystem<Void> typed() {
      return Adapter.toTyped(system);
    }

    /** Spawns {@code group} on this node (as actor {@code name}) and returns a client of it. */
    public <C, R> GroupClient<C, R> spawn(SynodGroup<C, R> group, String name) {
      return group.client(synod, spawnRef(group, name));
    }

    /** Spawns {@code group} on this node (as actor {@code name}). */
    public ActorRef<GroupCommand> spawnRef(SynodGroup<?, ?> group, String name) {
      return Adapter.spawn(system, group.behavior(synod), name);
    }
  }

  private final Path root;
  private final Config extra;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<Integer, Address> addresses = new TreeMap<>();

  private LocalCluster(Path root, Config extra) {
    this.root = root;
    this.extra = extra;
  }

  public static LocalCluster start(int size) {
    return start(size, ConfigFactory.empty());
  }

  /** {@code extra} is laid over each node's configuration (e.g. settings under test). */
  public static LocalCluster start(int size, Config extra) {
    Path root;
    try {
      root = Files.createTempDirectory("synod-cluster-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the cluster", e);
    }
    LocalCluster cluster = new LocalCluster(root, extra);
    try {
      List<ActorSystem> systems = new ArrayList<>();
      for (int id = 0; id < size; id++) {
        ActorSystem system = cluster.startSystem(id, 0);
        systems.add(system);
        cluster.addresses.put(id, ((ExtendedActorSystem) system).provider().getDefaultAddress());
      }
      for (int id = 0; id < size; id++) {
        cluster.nodes.add(cluster.withSynod(id, systems.get(id)));
      }
      cluster.awaitTickets();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private Path journalDir(int id) {
    return root.resolve("node-" + id).resolve("journal");
  }

  private Path snapshotDir(int id) {
    return root.resolve("node-" + id).resolve("snapshots");
  }

  private Node withSynod(int id, ActorSystem system) {
    SynodNode synod = Synod.start(Adapter.toTyped(system), id, addresses);
    return new Node(id, system, addresses.get(id), journalDir(id), snapshotDir(id), synod);
  }

  /** Stops node {@code id}'s actor system (as a crash of its process would, minus the lost page cache). */
  public void stop(int id) {
    Node n = nodes.get(id);
    n.system().terminate();
    await(n);
  }

  /** Starts node {@code id} again, on its old port, with its journal and snapshots. */
  public Node restart(int id) {
    Node old = nodes.get(id);
    if (!old.system().whenTerminated().isCompleted()) {
      throw new IllegalStateException("node " + id + " is still running; stop it first");
    }
    Node n = withSynod(id, startSystem(id, old.address().getPort().orElseThrow()));
    nodes.set(id, n);
    awaitTickets();
    return n;
  }

  /**
   * Returns once every running node holds the ticket of every other running node, as a started
   * cluster is ready: until then a node's messages to a peer are dropped, and a test's first
   * command could find no majority it can reach (the exchange takes a round trip over each
   * direction's new Artery connection, a second or more on a busy machine).
   */
  private void awaitTickets() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<String> missing = missingTickets();
    while (!missing.isEmpty() && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // polling with a deadline
      missing = missingTickets();
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("the nodes did not exchange tickets within 60 s: " + missing);
    }
  }

  private List<String> missingTickets() {
    List<String> missing = new ArrayList<>();
    for (Node a : nodes) {
      for (Node b : nodes) {
        if (a != b && running(a) && running(b) && !((NodeRuntime) a.synod()).holdsTicketOf((NodeRuntime) b.synod())) {
          missing.add(a.id() + "->" + b.id());
        }
      }
    }
    return missing;
  }

  private static boolean running(Node n) {
    return !n.system().whenTerminated().isCompleted();
  }

  private ActorSystem startSystem(int id, int port) {
    Path journal = journalDir(id);
    Path snapshots = snapshotDir(id);
    Config config = extra
        .withFallback(ConfigFactory.parseString(String.join("\n",
            "pekko.loglevel = WARNING",
            "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
            "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
            // Synod keeps its own membership per group (the Paxos configuration), so it uses Artery
            // directly rather than Pekko Cluster; Pekko warns about that unless told it is meant.
            "pekko.actor.provider = remote",
            "pekko.remote.warn-about-direct-use = off",
            // Synod watches no remote actor (a node learns of a peer's loss from the protocol), so
            // the startup warning that remote watch needs Pekko Cluster does not apply.
            "pekko.remote.warn-unsafe-watch-outside-cluster = off",
            "pekko.actor.allow-java-serialization = off",
            "pekko.remote.artery.transport = tcp",
            // Plain TCP between the test's nodes, said so explicitly (Synod refuses it otherwise);
            // untrusted mode as in production, so every test runs Synod under it.
            "synod.insecure = on",
            "pekko.remote.artery.untrusted-mode = on",
            "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
            "pekko.remote.artery.canonical.port = " + port,
            "pekko.remote.artery.bind.hostname = \"127.0.0.1\"",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
            "pekko.coordinated-shutdown.terminate-actor-system = on",
            "pekko.persistence.journal.plugin = \"synod.persistence.journal\"",
            "pekko.persistence.snapshot-store.plugin = \"synod.persistence.snapshot-store\"",
            "synod.persistence.journal.dir = \"" + journal + "\"",
            "synod.persistence.snapshot-store.dir = \"" + snapshots + "\"")))
        .withFallback(ConfigFactory.load());
    return ActorSystem.create("synod", config);
  }

  public Node node(int id) {
    return nodes.get(id);
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  private static void await(Node n) {
    try {
      n.system().getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(30).toSeconds(),
          java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node " + n.id() + " did not terminate within 30 s", e);
    }
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      n.system().terminate();
    }
    for (Node n : nodes) {
      await(n);
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
