package io.synod.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;

/**
 * The one-line local cluster every actor test uses: {@code try (LocalCluster c = LocalCluster.start(3))}
 * gives {@code n} ActorSystems on 127.0.0.1, each on its own Artery TCP port picked by the OS,
 * each with its own journal and snapshot directories under one temporary directory, Java
 * serialization off. {@link #close} terminates every system and deletes the directories.
 */
public final class LocalCluster implements AutoCloseable {

  /** One node: its actor system, where it listens, and where it stores. */
  public record Node(int id, ActorSystem system, Address address, Path journalDir, Path snapshotDir) {
    public String path(String actorPath) {
      return address + actorPath;
    }
  }

  private final Path root;
  private final List<Node> nodes = new ArrayList<>();

  private LocalCluster(Path root) {
    this.root = root;
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
    LocalCluster cluster = new LocalCluster(root);
    try {
      for (int id = 0; id < size; id++) {
        cluster.nodes.add(cluster.startNode(id, extra));
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private Node startNode(int id, Config extra) {
    Path journal = root.resolve("node-" + id).resolve("journal");
    Path snapshots = root.resolve("node-" + id).resolve("snapshots");
    Config config = extra
        .withFallback(ConfigFactory.parseString(String.join("\n",
            "pekko.loglevel = WARNING",
            "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
            "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
            // Synod keeps its own membership per group (the Paxos configuration), so it uses Artery
            // directly rather than Pekko Cluster; Pekko warns about that unless told it is meant.
            "pekko.actor.provider = remote",
            "pekko.remote.warn-about-direct-use = off",
            "pekko.actor.allow-java-serialization = off",
            "pekko.remote.artery.transport = tcp",
            "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.remote.artery.bind.hostname = \"127.0.0.1\"",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
            "pekko.coordinated-shutdown.terminate-actor-system = on",
            "pekko.persistence.journal.plugin = \"synod.persistence.journal\"",
            "pekko.persistence.snapshot-store.plugin = \"synod.persistence.snapshot-store\"",
            "synod.persistence.journal.dir = \"" + journal + "\"",
            "synod.persistence.snapshot-store.dir = \"" + snapshots + "\"")))
        .withFallback(ConfigFactory.load());
    ActorSystem system = ActorSystem.create("synod", config);
    Address address = ((ExtendedActorSystem) system).provider().getDefaultAddress();
    return new Node(id, system, address, journal, snapshots);
  }

  public Node node(int id) {
    return nodes.get(id);
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      n.system().terminate();
    }
    for (Node n : nodes) {
      try {
        n.system().getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(30).toSeconds(),
            java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("node " + n.id() + " did not terminate within 30 s", e);
      }
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
