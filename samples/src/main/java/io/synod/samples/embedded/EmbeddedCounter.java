package io.synod.samples.embedded;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.synod.Synod;
import io.synod.actors.GroupClient;
import io.synod.actors.GroupCommand;
import io.synod.actors.SynodGroup;
import io.synod.actors.SynodNode;
import io.synod.samples.counter.CounterCommand;
import io.synod.samples.counter.CounterType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Synod inside an application's own Pekko actor system: the application's guardian gets Synod
 * ({@link Synod#get}, configured by {@code synod.node.id} and {@code synod.node.members}) and
 * spawns a replicated counter group in a few lines, then uses it through a {@link GroupClient}.
 * Here the "cluster" is this one node; a real one lists every node's address. Run it with {@code
 * mvn -B -q -pl samples exec:java -Dexec.mainClass=io.synod.samples.embedded.EmbeddedCounter}
 * (Artery on 127.0.0.1:25520, or on the port given as the second argument).
 */
public final class EmbeddedCounter {

  private EmbeddedCounter() {}

  /** The application's guardian; {@code client} receives the counter's client once it is spawned. */
  static Behavior<Void> guardian(CompletableFuture<GroupClient<CounterCommand, Long>> client) {
    return Behaviors.setup(ctx -> {
      // --- Synod in about ten lines ---
      SynodNode node = Synod.get(ctx.getSystem());
      SynodGroup<CounterCommand, Long> counter = new CounterType().define("counter");
      ActorRef<GroupCommand> group = ctx.spawn(counter.behavior(node), "counter");
      client.complete(counter.client(node, group));
      // --- the rest of the application goes here ---
      return Behaviors.empty();
    });
  }

  /**
   * Artery on {@code port} of the loopback address, Synod's node 1 there (the only member), and
   * Synod's journal and snapshots under {@code dataDir}. One node alone on this machine, so plain
   * TCP, said so explicitly ({@code synod.insecure = on}, which Synod logs); a cluster runs mutual
   * TLS with a certificate per node (docs/security.md).
   */
  static Config config(Path dataDir, int port) {
    return ConfigFactory.parseString(String.join("\n",
        "synod.node.id = 1",
        "synod.node.members { 1 = \"127.0.0.1:" + port + "\" }",
        "pekko.actor.provider = remote",
        "synod.insecure = on",
        "pekko.remote.artery.untrusted-mode = on",
        "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
        "pekko.remote.artery.canonical.port = " + port,
        "pekko.remote.warn-about-direct-use = off",
        "pekko.persistence.journal.plugin = \"synod.persistence.journal\"",
        "pekko.persistence.snapshot-store.plugin = \"synod.persistence.snapshot-store\"",
        "synod.persistence.journal.dir = \"" + dataDir.resolve("journal") + "\"",
        "synod.persistence.snapshot-store.dir = \"" + dataDir.resolve("snapshots") + "\""))
        .withFallback(ConfigFactory.load());
  }

  public static void main(String[] args) throws Exception {
    Path data = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("synod-embedded-");
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 25520;
    CompletableFuture<GroupClient<CounterCommand, Long>> client = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(guardian(client), "app", config(data, port));
    try {
      GroupClient<CounterCommand, Long> counter = client.get(30, TimeUnit.SECONDS);
      for (int by = 1; by <= 3; by++) {
        System.out.println("incremented by " + by + ": " + counter.propose(new CounterCommand.Increment(by))
            .toCompletableFuture().get(30, TimeUnit.SECONDS));
      }
      System.out.println("read: " + counter.read(new CounterCommand.Get()).toCompletableFuture().get(30, TimeUnit.SECONDS));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
