package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.actors.LocalCluster;
import io.synod.paxos.Ballot;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Message;
import io.synod.paxos.Outbound;
import io.synod.paxos.Tuning;
import io.synod.paxos.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The acceptor actor over the real Chronicle journal: persist, then reply; recover by replay. */
class AcceptorActorTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final int LEASE = 5;
  private static final GroupConfig CONFIG =
      GroupConfig.builder("g1", 0, List.of(0, 1, 2))
          .tuning(Tuning.DEFAULTS.withHeartbeatTicks(1).withLeaseTicks(LEASE)).build();
  private static final Value VALUE = Value.of(List.of(new ClientCommand(7, 1, new byte[] {1, 2, 3})));

  private LocalCluster cluster;
  private ActorSystem<Void> system;
  private TestProbe<Outbound> out;
  private int incarnation;
  /** The ballot the acceptor last spawned said it recovered. */
  private Ballot recovered;
  /** The acceptor's monotonic clock, moved by the test. */
  private final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
  private static final Duration TICK = Duration.ofMillis(10);

  @BeforeEach
  void start() {
    cluster = LocalCluster.start(1);
    system = Adapter.toTyped(cluster.node(0).system());
    out = TestProbe.create(system);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** Spawns the acceptor and waits for its recovery: it tells its own node's proposer what it promised. */
  private ActorRef<AcceptorActor.Command> spawn() {
    ActorRef<AcceptorActor.Command> acceptor = Adapter.spawn(cluster.node(0).system(),
        AcceptorActor.create(CONFIG, 0, 1000, TICK, clock::get, out.getRef()::tell,
            cluster.node(0).synod().settings().persistence()),
        "acceptor-" + ++incarnation);
    Outbound o = out.receiveMessage(TIMEOUT);
    assertEquals(0, o.to(), "the recovered promise goes to this node's proposer: " + o);
    recovered = ((Message.PromiseRecovered) o.message()).ballot();
    return acceptor;
  }

  private void restart(ActorRef<AcceptorActor.Command> acceptor) {
    cluster.node(0).system().stop(Adapter.toClassic(acceptor));
    out.expectTerminated(acceptor, TIMEOUT);
  }

  /** Time passes for the acceptor's clock (it reads it before its next input). */
  private void passGrace(ActorRef<AcceptorActor.Command> acceptor) {
    clock.addAndGet(TICK.toNanos() * LEASE);
  }

  /** The next message sent, past the word to node 0's own proposer that another node campaigns. */
  private <T extends Message> T expectTo(int node, Class<T> type) {
    Outbound o = out.receiveMessage(TIMEOUT);
    if (o.message() instanceof Message.CandidateSeen && type != Message.CandidateSeen.class) {
      assertEquals(0, o.to(), "the acceptor tells its own node's proposer: " + o);
      o = out.receiveMessage(TIMEOUT);
    }
    assertEquals(node, o.to(), "destination of " + o);
    assertTrue(type.isInstance(o.message()), "expected a " + type.getSimpleName() + ", got " + o.message());
    return type.cast(o.message());
  }

  @Test
  void promiseIsDurableAcrossARestart() {
    ActorRef<AcceptorActor.Command> acceptor = spawn();
    passGrace(acceptor);
    Ballot b21 = new Ballot(2, 1);
    acceptor.tell(new AcceptorActor.Deliver(new Message.Prepare(1, b21, 0)));
    assertEquals(new Message.Promise(0, b21, List.of(), 0), expectTo(1, Message.Promise.class));

    restart(acceptor);
    ActorRef<AcceptorActor.Command> again = spawn();
    passGrace(again);
    Ballot lower = new Ballot(1, 2);
    again.tell(new AcceptorActor.Deliver(new Message.Prepare(2, lower, 0)));
    assertEquals(b21, recovered, "the restarted acceptor tells its proposer the promise it recovered");
    assertEquals(new Message.Rejected(0, lower, b21, false), expectTo(2, Message.Rejected.class),
        "the promise must come back from the journal");
  }

  @Test
  void acceptedValueIsDurableAndReportedToTheNextLeader() {
    ActorRef<AcceptorActor.Command> acceptor = spawn();
    passGrace(acceptor);
    Ballot b21 = new Ballot(2, 1);
    acceptor.tell(new AcceptorActor.Deliver(
        new Message.Accept(1, b21, List.of(new Message.Proposal(0, VALUE)), -1)));
    List<Message> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sent.add(out.receiveMessage(TIMEOUT).message());
    }
    assertTrue(sent.get(0) instanceof Message.LeaderSeen, "sent at once, before the write: " + sent);
    assertTrue(sent.contains(new Message.Accepted(0, b21, List.of(0L), -1, 0)), "acknowledged after the write: " + sent);

    restart(acceptor);
    ActorRef<AcceptorActor.Command> again = spawn();
    passGrace(again);
    Ballot b32 = new Ballot(3, 2);
    again.tell(new AcceptorActor.Deliver(new Message.Prepare(2, b32, 0)));
    Message.Promise p = expectTo(2, Message.Promise.class);
    assertEquals(List.of(new Message.AcceptedValue(0, b21, VALUE)), p.accepted());
  }

  @Test
  void manyLargeAcceptsWaitingAtOnceAreWrittenInSeveralWritesNotOneTooLargeForTheJournal() {
    ActorRef<AcceptorActor.Command> acceptor = spawn();
    passGrace(acceptor);
    Ballot b21 = new Ballot(2, 1);
    int n = 200;
    Value large = Value.of(List.of(new ClientCommand(7, 1, new byte[100_000])));
    // 20 MB of values in the mailbox before the first write: more than the journal holds in one record.
    for (int i = 0; i < n; i++) {
      acceptor.tell(new AcceptorActor.Deliver(new Message.Accept(1, b21, List.of(new Message.Proposal(i, large)), -1)));
    }
    java.util.Set<Long> acknowledged = new java.util.TreeSet<>();
    while (acknowledged.size() < n) {
      Outbound o = out.receiveMessage(TIMEOUT);
      if (o.message() instanceof Message.Accepted a) {
        acknowledged.addAll(a.instances());
      }
    }
    assertEquals(n, acknowledged.size());

    restart(acceptor);
    ActorRef<AcceptorActor.Command> again = spawn();
    passGrace(again);
    again.tell(new AcceptorActor.Deliver(new Message.Prepare(2, new Ballot(3, 2), 0)));
    java.util.Set<Long> reported = new java.util.TreeSet<>();
    while (reported.size() < n) {
      Outbound o = out.receiveMessage(TIMEOUT);
      if (o.message() instanceof Message.Promise p) {
        p.accepted().forEach(v -> reported.add(v.instance()));
      }
    }
    assertEquals(acknowledged, reported, "every acknowledged value came back from the journal");
  }

  @Test
  void aRestartedAcceptorRefusesPreparesForALeasePeriod() {
    ActorRef<AcceptorActor.Command> acceptor = spawn();
    Ballot b = new Ballot(1, 2);
    acceptor.tell(new AcceptorActor.Deliver(new Message.Prepare(2, b, 0)));
    Message.Rejected r = expectTo(2, Message.Rejected.class);
    assertTrue(r.leaseHeld(), "refused because of the restart grace: " + r);
    passGrace(acceptor);
    acceptor.tell(new AcceptorActor.Deliver(new Message.Prepare(2, b, 0)));
    expectTo(2, Message.Promise.class);
  }

  @Test
  void aCorruptValueIsDroppedAndTheAcceptorGoesOn() {
    ActorRef<AcceptorActor.Command> acceptor = spawn();
    passGrace(acceptor);
    Value corrupt = Value.fromWire(VALUE.bytes().clone(), VALUE.crc() ^ 1);
    acceptor.tell(new AcceptorActor.Deliver(
        new Message.Accept(1, new Ballot(2, 1), List.of(new Message.Proposal(0, corrupt)), -1)));
    Ballot b = new Ballot(3, 2);
    acceptor.tell(new AcceptorActor.Deliver(new Message.Prepare(2, b, 0)));
    assertEquals(new Message.Promise(0, b, List.of(), 0), expectTo(2, Message.Promise.class),
        "nothing of the corrupt accept was stored or answered");
  }
}
