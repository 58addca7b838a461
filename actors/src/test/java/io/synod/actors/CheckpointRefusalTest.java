package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A peer's checkpoint that passes its CRC but that this node's state machine cannot restore is
 * refused: the node keeps its own state and serves it, says so in its status, restarts cleanly
 * (the refused checkpoint was never stored as its own), and takes a later checkpoint it can restore.
 */
class CheckpointRefusalTest {

  private static final Duration T = Duration.ofSeconds(30);

  /** Node 2's counter refuses a snapshot whose last applied amount is this. */
  private static final long MARK = 1000;

  /** A checkpoint after every applied instance, in small chunks, retried soon. */
  private static final Config CHECKPOINTS = ConfigFactory.parseString(String.join("\n",
      "synod.group.checkpoint.every-instances = 1",
      "synod.group.checkpoint.acceptor-snapshot-every = 10",
      "synod.group.checkpoint.chunk-size = 1 KiB",
      "synod.group.checkpoint.transfer-retry = 200 ms"));

  /**
   * A {@link TestCounter} whose restore refuses a snapshot that ends with the amount {@link #MARK}
   * (as a replica whose application cannot read what another replica wrote would).
   */
  static final class PickyCounter implements ReplicatedStateMachine<Long, Long> {
    private final TestCounter counter = new TestCounter();

    @Override
    public Long apply(long instance, Long amount) {
      return counter.apply(instance, amount);
    }

    @Override
    public Long read(Long query) {
      return counter.read(query);
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
      counter.snapshot(out);
    }

    @Override
    public void restore(InputStream in) throws IOException {
      byte[] snapshot = in.readAllBytes();
      DataInputStream d = new DataInputStream(new ByteArrayInputStream(snapshot));
      d.readLong(); // the value
      int n = d.readInt();
      long last = 0;
      for (int i = 0; i < n; i++) {
        last = d.readLong();
      }
      if (n > 0 && last == MARK) {
        throw new IOException("a snapshot ending in the marked amount " + MARK);
      }
      counter.restore(new ByteArrayInputStream(snapshot));
    }
  }

  private static final SynodGroup<Long, Long> PICKY =
      SynodGroup.of("counter", Codec.int64(), Codec.int64(), PickyCounter::new);

  private final TestCounter.Registry counters = new TestCounter.Registry();

  private static long localValue(GroupClient<Long, Long> client) {
    return Await.result(client.readLocal(0L), T).value();
  }

  private static GroupStatus awaitStatus(GroupClient<Long, Long> client, String what,
      java.util.function.Predicate<GroupStatus> condition) {
    GroupStatus[] last = new GroupStatus[1];
    Await.until(T, () -> what + ", status " + last[0],
        () -> condition.test(last[0] = Await.result(client.status(), T)));
    return last[0];
  }

  /**
   * Returns once nodes 0 and 1 have each had an answer from node {@code to}'s echo actor: Artery
   * keeps a node's messages to another in order, so whatever they sent it before has arrived.
   */
  private static void connected(LocalCluster cluster, LocalCluster.Node to) {
    for (int from = 0; from < 2; from++) {
      // A resolved reference, not a selection: the nodes run in untrusted mode, which drops selections.
      org.apache.pekko.actor.ActorRef echo = ((org.apache.pekko.actor.ExtendedActorSystem) cluster.node(from).system())
          .provider().resolveActorRef(to.path("/user/echo"));
      Object back = Await.result(org.apache.pekko.pattern.Patterns.ask(echo, "ping", T), T);
      assertEquals("ping", back);
    }
  }

  @Test
  void aPeersCheckpointThatTheStateMachineCannotRestoreIsRefusedAndTheNodeKeepsItsOwnState() {
    try (LocalCluster cluster = LocalCluster.start(3, CHECKPOINTS)) {
      GroupClient<Long, Long> first = cluster.node(0).spawn(counters.group("counter", 0), "counter");
      GroupClient<Long, Long> second = cluster.node(1).spawn(counters.group("counter", 1), "counter");
      GroupClient<Long, Long> picky = cluster.node(2).spawn(PICKY, "counter");
      for (long i = 1; i <= 5; i++) {
        assertEquals(i, Await.result(first.propose(1L), T));
      }
      Await.until(T, () -> "node 2 applies the first five", () -> localValue(picky) == 5);
      GroupStatus own = awaitStatus(picky, "node 2 has a checkpoint of its own",
          s -> s.checkpoint() == s.appliedThrough());

      // While node 2 runs without the group (its gateway drops the messages for it, as while it was
      // down), its peers apply the marked amount last and checkpoint it, truncating everything node 2
      // lacks: it can catch up only through that checkpoint.
      cluster.stop(2);
      LocalCluster.Node two = cluster.restart(2);
      two.system().actorOf(org.apache.pekko.actor.Props.create(LocalClusterTest.Echo.class, LocalClusterTest.Echo::new),
          "echo");
      connected(cluster, two); // or Artery would hold the peers' messages for the new node 2 until it is
      for (long i = 6; i <= 8; i++) {
        assertEquals(i, Await.result(first.propose(1L), T));
      }
      assertEquals(8 + MARK, Await.result(first.propose(MARK), T));
      for (GroupClient<Long, Long> peer : java.util.List.of(first, second)) {
        awaitStatus(peer, "a peer's checkpoint covers the marked amount",
            s -> s.checkpoint() == s.appliedThrough() && s.checkpoint() > own.checkpoint() + 3);
      }

      connected(cluster, two); // every message of the peers before this has reached node 2's gateway
      GroupClient<Long, Long> behind = two.spawn(PICKY, "counter");
      GroupStatus refused = awaitStatus(behind, "node 2 refuses its peers' checkpoint",
          s -> s.checkpointsRefused() >= 1);
      assertTrue(refused.lastCheckpointRefusal().contains("the marked amount " + MARK),
          "the status says why: " + refused.lastCheckpointRefusal());
      assertEquals(own.checkpoint(), refused.checkpoint(), "node 2's own checkpoint stands: " + refused);
      assertEquals(own.appliedThrough(), refused.appliedThrough(), "and so does its state: " + refused);
      assertEquals(5, localValue(behind), "node 2 serves its own state");

      // The refused checkpoint was not stored as node 2's: it restarts on its own, again.
      cluster.stop(2);
      GroupClient<Long, Long> restarted = cluster.restart(2).spawn(PICKY, "counter");
      Await.until(T, () -> "node 2 restarts on its own checkpoint", () -> localValue(restarted) == 5);
      assertEquals(own.checkpoint(), Await.result(restarted.status(), T).checkpoint());

      // A later checkpoint of the peers no longer ends in the mark: node 2 takes it and catches up.
      assertEquals(9 + MARK, Await.result(first.propose(1L), T));
      Await.until(T, () -> "node 2 installs a later checkpoint", () -> localValue(restarted) == 9 + MARK);
      assertEquals(10 + MARK, Await.result(restarted.propose(1L), T));
      assertTrue(Await.result(restarted.status(), T).checkpoint() > own.checkpoint() + 4);
    }
  }
}
