package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.Ballot;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Message;
import io.synod.paxos.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.Test;

/** The local cluster harness itself: real Artery TCP on loopback, Synod's serializer, the journal. */
class LocalClusterTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** Answers every message with the message itself. */
  static final class Echo extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(m -> getSender().tell(m, getSelf())).build();
    }
  }

  @Test
  void nodesListenOnTheirOwnLoopbackPorts() {
    try (LocalCluster cluster = LocalCluster.start(3)) {
      Set<Integer> ports = new HashSet<>();
      for (LocalCluster.Node n : cluster.nodes()) {
        assertEquals("127.0.0.1", n.address().getHost().orElseThrow());
        int port = n.address().getPort().orElseThrow();
        assertTrue(port > 0, "port " + port);
        ports.add(port);
      }
      assertEquals(3, ports.size(), "each node needs its own port: " + ports);
    }
  }

  /**
   * Paxos messages cross Artery through Synod's serializer, inside a stamp as the links send them;
   * one sent on its own, around the node gateway, is refused on arrival and never delivered.
   */
  @Test
  void paxosMessagesCrossArteryThroughSynodsSerializer() throws Exception {
    Value value = Value.of(List.of(new ClientCommand(7, 1, new byte[] {1, 2, 3})));
    List<Message> messages = List.of(
        new Message.Prepare(0, new Ballot(3, 0), 5),
        new Message.Accept(0, new Ballot(3, 0), List.of(new Message.Proposal(5, value)), 42),
        new Message.Chosen(0, List.of(new Message.ChosenEntry(5, new Ballot(3, 0), null)), 6));
    try (LocalCluster cluster = LocalCluster.start(3)) {
      for (LocalCluster.Node n : cluster.nodes()) {
        n.system().actorOf(Props.create(Echo.class, Echo::new), "echo");
      }
      LocalCluster.Node from = cluster.node(0);
      for (LocalCluster.Node to : List.of(cluster.node(1), cluster.node(2))) {
        for (Message m : messages) {
          // A resolved reference, not a selection: the nodes run in untrusted mode, which drops selections.
          org.apache.pekko.actor.ActorRef echo = ((org.apache.pekko.actor.ExtendedActorSystem) from.system()).provider()
              .resolveActorRef(to.path("/user/echo"));
          io.synod.actors.internal.Stamped stamped = new io.synod.actors.internal.Stamped(0,
              new io.synod.actors.internal.Ticket(1, 2), new io.synod.actors.internal.GroupEnvelope("g", 0, m));
          Object back = Patterns.ask(echo, stamped, TIMEOUT)
              .toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          assertEquals(stamped, back, "round trip to node " + to.id());
        }
      }
      org.apache.pekko.actor.ActorRef echo = ((org.apache.pekko.actor.ExtendedActorSystem) from.system()).provider()
          .resolveActorRef(cluster.node(1).path("/user/echo"));
      java.util.concurrent.CompletableFuture<Object> bare = Patterns.ask(echo, messages.get(0), Duration.ofSeconds(2))
          .toCompletableFuture();
      java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.ExecutionException.class, bare::get, "a bare Message was delivered");
      assertTrue(refused.getCause() instanceof org.apache.pekko.pattern.AskTimeoutException, refused.toString());
    }
  }

  /** A minimal event-sourced log of acceptor records: what the acceptor actor will persist. */
  static final class RecordLog extends EventSourcedBehavior<RecordLog.Cmd, AcceptorRecord, List<AcceptorRecord>> {
    interface Cmd {}

    record Append(AcceptorRecord record, ActorRef<Done> replyTo) implements Cmd {}

    record Get(ActorRef<List<AcceptorRecord>> replyTo) implements Cmd {}

    record Stop() implements Cmd {}

    RecordLog(String id) {
      super(PersistenceId.ofUniqueId(id));
    }

    @Override
    public List<AcceptorRecord> emptyState() {
      return new ArrayList<>();
    }

    @Override
    public CommandHandler<Cmd, AcceptorRecord, List<AcceptorRecord>> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Append.class, (s, c) -> Effect().persist(c.record()).thenReply(c.replyTo(), st -> Done.getInstance()))
          .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), List.copyOf(s)))
          .onCommand(Stop.class, (s, c) -> Effect().stop())
          .build();
    }

    @Override
    public EventHandler<List<AcceptorRecord>, AcceptorRecord> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> {
        s.add(e);
        return s;
      });
    }
  }

  @Test
  void acceptorRecordsPersistThroughTheChronicleJournalAndReplay() {
    Value value = Value.of(List.of(new ClientCommand(9, 1, new byte[] {4, 5})));
    List<AcceptorRecord> records = List.of(
        new AcceptorRecord.Promised(new Ballot(2, 1)),
        new AcceptorRecord.AcceptedValues(new Ballot(2, 1), List.of(new Message.Proposal(0, value))),
        new AcceptorRecord.Truncated(1));
    try (LocalCluster cluster = LocalCluster.start(1)) {
      var system = Adapter.toTyped(cluster.node(0).system());
      TestProbe<Done> done = TestProbe.create(system);
      TestProbe<List<AcceptorRecord>> state = TestProbe.create(system);
      ActorRef<RecordLog.Cmd> log = Adapter.spawn(cluster.node(0).system(), new RecordLog("acceptor-g1"), "log-1");
      for (AcceptorRecord r : records) {
        log.tell(new RecordLog.Append(r, done.getRef()));
        done.expectMessage(TIMEOUT, Done.getInstance());
      }
      log.tell(new RecordLog.Stop());
      done.expectTerminated(log, TIMEOUT);

      ActorRef<RecordLog.Cmd> again = Adapter.spawn(cluster.node(0).system(), new RecordLog("acceptor-g1"), "log-2");
      again.tell(new RecordLog.Get(state.getRef()));
      assertEquals(records, state.receiveMessage(TIMEOUT), "records replayed from the journal");
    }
  }
}
