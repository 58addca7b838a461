package io.synod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.synod.actors.Codec;
import io.synod.actors.GroupClient;
import io.synod.actors.GroupCommand;
import io.synod.actors.ReplicatedStateMachine;
import io.synod.actors.SynodGroup;
import io.synod.actors.SynodNode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synod as a Pekko extension: {@link Synod#get} starts it from the actor system's configuration
 * ({@code synod.node.id}, {@code synod.node.members}) and returns the same node at every call; a
 * wrong key fails the start with a message that names it.
 */
class SynodTest {

  @TempDir
  Path dir;

  /** A counter: a command adds its amount, the result is the value after it. */
  private static final class Counter implements ReplicatedStateMachine<Long, Long> {
    private long value;

    @Override
    public Long apply(long instance, Long amount) {
      return value += amount;
    }

    @Override
    public Long read(Long query) {
      return value;
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
      new DataOutputStream(out).writeLong(value);
    }

    @Override
    public void restore(InputStream in) throws IOException {
      value = new DataInputStream(in).readLong();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Artery over plain TCP on {@code port} of the loopback address, said insecure, with {@code node} last (it wins). */
  private Config artery(int port, String node) {
    return ConfigFactory.parseString(String.join("\n",
            "pekko.actor.provider = remote",
            "pekko.remote.artery.transport = tcp",
            "pekko.remote.artery.canonical { hostname = \"127.0.0.1\", port = " + port + " }",
            "pekko.remote.artery.untrusted-mode = on",
            "pekko.remote.warn-about-direct-use = off",
            "pekko.remote.warn-unsafe-watch-outside-cluster = off",
            "pekko.actor.allow-java-serialization = off",
            "pekko.loglevel = WARNING",
            "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
            "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
            "synod.insecure = on",
            "synod.persistence.journal.dir = \"" + dir.resolve("journal") + "\"",
            "synod.persistence.snapshot-store.dir = \"" + dir.resolve("snapshots") + "\"",
            node))
        .withFallback(ConfigFactory.load());
  }

  /**
   * An actor system without remoting, which starts fast: enough for the errors found before
   * anything starts. Its own address has no host, so no member address can be its own.
   */
  private static ActorSystem<Void> local(String node) {
    return ActorSystem.create(Behaviors.empty(), "synod-config", ConfigFactory.parseString(node + "\n"
        + "pekko.actor.provider = local\npekko.loglevel = WARNING\n"
        + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off").withFallback(ConfigFactory.load()));
  }

  private static void stop(ActorSystem<?> system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The message with which {@link Synod#get} refuses to start on a system configured with {@code node}. */
  private static String refusal(String node) throws Exception {
    ActorSystem<Void> system = local(node);
    try {
      return assertThrows(IllegalArgumentException.class, () -> Synod.get(system)).getMessage();
    } finally {
      stop(system);
    }
  }

  private static void assertSays(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "'" + message + "' should say '" + part + "'");
    }
  }

  @Test
  void getStartsSynodFromTheConfigurationAndReturnsTheSameNodeEveryTime() throws Exception {
    int port = freePort();
    int otherPort = freePort();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "synod", artery(port,
        "synod.node { id = 2, members { 2 = \"127.0.0.1:" + port + "\", 5 = \"127.0.0.1:" + otherPort + "\" } }"));
    try {
      SynodNode node = Synod.get(system);
      assertEquals(2, node.self());
      assertEquals(Map.of(2, new Address("pekko", "synod", "127.0.0.1", port),
          5, new Address("pekko", "synod", "127.0.0.1", otherPort)), node.nodes());
      assertEquals(List.of(2, 5), node.nodeIds());
      assertSame(node, Synod.get(system), "one node per actor system");
      IllegalStateException again = assertThrows(IllegalStateException.class,
          () -> Synod.start(system, 2, node.nodes()));
      assertSays(again.getMessage(), "already runs");

      SynodGroup<Long, Long> counter = SynodGroup.of("counter", Codec.int64(), Codec.int64(), Counter::new);
      ActorRef<GroupCommand> ref = system.systemActorOf(counter.behavior(node, List.of(2), node.settings()),
          "counter", org.apache.pekko.actor.typed.Props.empty());
      GroupClient<Long, Long> client = counter.client(node, ref);
      assertEquals(5L, client.propose(5L).toCompletableFuture().get(30, TimeUnit.SECONDS), "the node serves");
    } finally {
      stop(system);
    }
  }

  @Test
  void aStartedNodeIsTheOneGetReturns() throws Exception {
    int port = freePort();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "synod", artery(port, ""));
    try {
      SynodNode node = Synod.start(system, 0, Map.of(0, system.address()));
      assertSame(node, Synod.get(system), "the configuration is not read once a node was started");
    } finally {
      stop(system);
    }
  }

  @Test
  void startedFromTheConfigurationSynodStillRefusesATransportThatDoesNotAuthenticateItsPeers() throws Exception {
    int port = freePort();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "synod", artery(port,
        "synod.insecure = off\nsynod.node { id = 1, members { 1 = \"127.0.0.1:" + port + "\" } }"));
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Synod.get(system));
      assertSays(e.getMessage(), "pekko.remote.artery.transport is tcp, not tls-tcp", "synod.insecure = on");
      assertSame(e, assertThrows(IllegalArgumentException.class, () -> Synod.get(system)),
          "a later call throws the same error: Synod did not start");
    } finally {
      stop(system);
    }
  }

  @Test
  void aMissingIdIsNamed() throws Exception {
    assertSays(refusal("synod.node.members { 1 = \"127.0.0.1:25520\" }"), "synod.node.id", "missing");
    assertSays(refusal("synod.node { id = one, members { 1 = \"127.0.0.1:25520\" } }"), "synod.node.id",
        "an integer >= 0", "one");
    assertSays(refusal("synod.node { id = -1, members { 1 = \"127.0.0.1:25520\" } }"), "synod.node.id",
        "an integer >= 0", "-1");
  }

  @Test
  void anIdNotAmongTheMembersIsNamed() throws Exception {
    assertSays(refusal("synod.node { id = 4, members { 1 = \"127.0.0.1:25521\", 2 = \"127.0.0.1:25522\" } }"),
        "synod.node.id = 4", "synod.node.members", "[1, 2]");
    assertSays(refusal("synod.node.id = 1"), "synod.node.members", "no members");
  }

  @Test
  void aMemberAddressThatIsNotThisSystemsOwnIsNamed() throws Exception {
    int port = freePort();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "synod", artery(port,
        "synod.node { id = 1, members { 1 = \"127.0.0.1:" + (port == 65535 ? 1 : port + 1) + "\" } }"));
    try {
      String m = assertThrows(IllegalArgumentException.class, () -> Synod.get(system)).getMessage();
      assertSays(m, "synod.node.members.1", "synod.node.id = 1", "listens at pekko://synod@127.0.0.1:" + port);
    } finally {
      stop(system);
    }
  }

  @Test
  void aBadMemberAddressOrIdIsNamed() throws Exception {
    assertSays(refusal("synod.node { id = 1, members { 1 = \"127.0.0.1:25521\", 2 = \"node2\" } }"),
        "synod.node.members.2", "node2", "<host>:<port>");
    assertSays(refusal("synod.node { id = 1, members { 1 = \"127.0.0.1:25521\", 2 = \"node2:99999\" } }"),
        "synod.node.members.2", "1..65535");
    assertSays(refusal("synod.node { id = 1, members { 1 = \"127.0.0.1:25521\", 2 = 25522 } }"),
        "synod.node.members.2", "<host>:<port>");
    assertSays(refusal("synod.node { id = 1, members { 1 = \"127.0.0.1:25521\", \"-2\" = \"127.0.0.1:25522\" } }"),
        "synod.node.members.", "-2", "node id, an integer >= 0");
    assertSays(refusal("synod.node { id = 1, members { 1 = \"127.0.0.1:25521\", 2 = \"127.0.0.1:25521\" } }"),
        "synod.node.members.2", "also the address of synod.node.members.1");
  }

  @Test
  void twoEntriesForOneNodeIdAreRefusedNotOneDropped() throws Exception {
    assertSays(refusal("synod.node { id = 1, members { 1 = \"127.0.0.1:25521\", \"01\" = \"127.0.0.1:25522\" } }"),
        "names node 1, as synod.node.members.", "does: give each node one entry");
  }
}
