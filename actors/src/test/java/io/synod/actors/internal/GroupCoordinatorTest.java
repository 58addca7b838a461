package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.actors.LocalCluster;
import io.synod.paxos.Applied;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.ReadOutcome;
import io.synod.paxos.StateMachine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A group whose only member is this node: the coordinator's wiring, end to end, over the journal. */
class GroupCoordinatorTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Duration TICK = Duration.ofMillis(10);
  private static final GroupConfig CONFIG = GroupConfig.builder("counter", 0, List.of(0))
      .leaseTicks(5).heartbeatTicks(1).electionTimeoutTicks(3).electionJitterTicks(2).build();

  /** Counts applied commands; every answer is the count after applying. */
  static final class Counter implements StateMachine {
    volatile long count; // read by tests from their own thread

    @Override
    public byte[] apply(long instance, byte[] command) {
      return ByteBuffer.allocate(8).putLong(++count).array();
    }

    @Override
    public byte[] read(byte[] query) {
      return ByteBuffer.allocate(8).putLong(count).array();
    }

    @Override
    public byte[] snapshot() {
      return read(new byte[0]);
    }

    @Override
    public void restore(byte[] snapshot) {
      count = ByteBuffer.wrap(snapshot).getLong();
    }
  }

  private LocalCluster cluster;
  private int incarnation;
  private long readIds;

  @BeforeEach
  void start() {
    cluster = LocalCluster.start(1);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private ActorRef<GroupCoordinator.Command> spawn() {
    return Adapter.spawn(cluster.node(0).system(),
        GroupCoordinator.create(CONFIG, TICK, new Counter(), o -> {
          throw new IllegalStateException("a one-member group sends nothing to other nodes: " + o);
        }), "counter-" + ++incarnation);
  }

  private <T> TestProbe<T> probe() {
    return TestProbe.create(Adapter.toTyped(cluster.node(0).system()));
  }

  private static long asLong(byte[] b) {
    return ByteBuffer.wrap(b).getLong();
  }

  private Applied propose(ActorRef<GroupCoordinator.Command> group, TestProbe<GroupCoordinator.ProposeReply> replies,
      long client, long sequence) {
    group.tell(new GroupCoordinator.Propose(new io.synod.paxos.Command(client, sequence, new byte[] {1}),
        replies.getRef()));
    GroupCoordinator.ProposeReply r = replies.receiveMessage(TIMEOUT);
    assertTrue(r instanceof GroupCoordinator.Done, "expected the command applied, got " + r);
    return ((GroupCoordinator.Done) r).applied();
  }

  /** Reads under the lease, asking again until the leader has one (it needs an election first). */
  private long leaseRead(ActorRef<GroupCoordinator.Command> group) {
    TestProbe<ReadOutcome> reads = probe();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      group.tell(new GroupCoordinator.Read(++readIds, new byte[0], reads.getRef()));
      ReadOutcome o = reads.receiveMessage(TIMEOUT);
      if (o.served()) {
        return asLong(o.result());
      }
    }
    throw new AssertionError("no lease read was served within " + TIMEOUT);
  }

  @Test
  void concurrentCommandsAreEachAppliedOnceAndARetryGetsTheFirstResult() {
    ActorRef<GroupCoordinator.Command> group = spawn();
    List<TestProbe<GroupCoordinator.ProposeReply>> clients = new java.util.ArrayList<>();
    for (int c = 1; c <= 30; c++) {
      TestProbe<GroupCoordinator.ProposeReply> p = probe();
      clients.add(p);
      group.tell(new GroupCoordinator.Propose(new io.synod.paxos.Command(c, 1, new byte[] {(byte) c}), p.getRef()));
    }
    Set<Long> results = new HashSet<>();
    byte[] seventh = null;
    for (int c = 1; c <= 30; c++) {
      GroupCoordinator.ProposeReply r = clients.get(c - 1).receiveMessage(TIMEOUT);
      Applied a = ((GroupCoordinator.Done) r).applied();
      assertEquals(Applied.Outcome.APPLIED, a.outcome());
      results.add(asLong(a.result()));
      if (c == 7) {
        seventh = a.result();
      }
    }
    assertEquals(30, results.size(), "every command applied exactly once: " + results);
    assertEquals(Set.copyOf(java.util.stream.LongStream.rangeClosed(1, 30).boxed().toList()), results);

    Applied again = propose(group, probe(), 7, 1);
    assertEquals(Applied.Outcome.DUPLICATE, again.outcome());
    assertArrayEquals(seventh, again.result(), "a retry gets the first result, without being applied again");
    assertEquals(30, leaseRead(group));
  }

  @Test
  void aRestartedNodeRebuildsItsStateFromItsJournal() {
    ActorRef<GroupCoordinator.Command> group = spawn();
    TestProbe<GroupCoordinator.ProposeReply> replies = probe();
    for (long s = 1; s <= 10; s++) {
      assertEquals(s, asLong(propose(group, replies, 1, s).result()));
    }
    cluster.node(0).system().stop(Adapter.toClassic(group));
    replies.expectTerminated(group, TIMEOUT);

    ActorRef<GroupCoordinator.Command> again = spawn(); // a fresh, empty state machine
    assertEquals(10, leaseRead(again), "the new leader re-chooses the journal's accepted values and applies them");
    assertEquals(Applied.Outcome.DUPLICATE, propose(again, replies, 1, 10).outcome(), "sessions came back too");
    assertEquals(11, asLong(propose(again, replies, 1, 11).result()));
  }
}
