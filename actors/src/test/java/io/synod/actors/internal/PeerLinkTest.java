package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Ballot;
import io.synod.paxos.Message;
import io.synod.paxos.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a peer link sends: its envelopes, in order, coalesced up to a size, each burst flushed once,
 * stamped with the peer's ticket, and held until it has one.
 */
class PeerLinkTest {

  private static final Ballot B = new Ballot(3, 1);
  private static final Ticket TICKET = new Ticket(11, 22);

  private final List<Stamped> sent = new ArrayList<>();
  private final AtomicInteger wakes = new AtomicInteger();

  /** A link from node 1 to node 2 that holds node 2's ticket, its wakes counted from now on. */
  private PeerLink link(long maxBatchBytes) {
    PeerLink link = new PeerLink(1, 2, maxBatchBytes, sent::add);
    admit(link);
    link.wakeWith(wakes::incrementAndGet);
    return link;
  }

  private static void admit(PeerLink link) {
    link.wakeWith(() -> {});
    link.hold(TICKET);
    link.flush();
  }

  private static GroupEnvelope heartbeat(String group) {
    return new GroupEnvelope(group, 1, new Message.Accept(1, B, List.of(), 7));
  }

  private static GroupEnvelope accept(String group, int valueBytes) {
    return new GroupEnvelope(group, 1, new Message.Accept(1, B,
        List.of(new Message.Proposal(5, Value.fromWire(new byte[valueBytes], 0))), -1));
  }

  /** Every envelope sent, in the order they left the link. */
  private List<GroupEnvelope> envelopesSent() {
    List<GroupEnvelope> all = new ArrayList<>();
    for (Stamped stamped : sent) {
      assertEquals(1, stamped.from());
      assertEquals(TICKET, stamped.ticket());
      NodeGateway.PeerTraffic c = stamped.body();
      if (c instanceof GroupBatch b) {
        all.addAll(b.envelopes());
      } else {
        all.add((GroupEnvelope) c);
      }
    }
    return all;
  }

  @Test
  void aBurstOfManyGroupsMessagesLeavesAsOneBatchInOrderAfterOneWake() {
    PeerLink link = link(128 * 1024);
    List<GroupEnvelope> burst = new ArrayList<>();
    for (int g = 0; g < 100; g++) {
      burst.add(heartbeat("g-" + g));
      link.send(burst.get(burst.size() - 1));
    }
    assertEquals(1, wakes.get(), "one flush asked for the whole burst");
    assertEquals(List.of(), sent, "nothing leaves before the flush");
    link.flush();
    assertEquals(1, sent.size());
    assertEquals(burst, assertInstanceOf(GroupBatch.class, sent.get(0).body()).envelopes());
  }

  @Test
  void aLoneEnvelopeLeavesUnbatchedAndTheNextBurstAsksForANewFlush() {
    PeerLink link = link(128 * 1024);
    GroupEnvelope first = heartbeat("g");
    link.send(first);
    link.flush();
    assertEquals(List.of(new Stamped(1, TICKET, first)), sent);
    link.send(heartbeat("h"));
    assertEquals(2, wakes.get());
  }

  @Test
  void batchesStayWithinTheSizeBoundAndALargerEnvelopeGoesAlone() {
    long bound = 10_000;
    PeerLink link = link(bound);
    List<GroupEnvelope> in = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      in.add(accept("g-" + i, 1_000));
    }
    in.add(5, accept("big", 50_000));
    in.forEach(link::send);
    link.flush();
    assertEquals(in, envelopesSent(), "every envelope, in order");
    for (Stamped stamped : sent) {
      assertEquals(1, stamped.from());
      assertEquals(TICKET, stamped.ticket());
      NodeGateway.PeerTraffic c = stamped.body();
      if (c instanceof GroupBatch b) {
        long bytes = b.envelopes().stream().mapToLong(PeerLink::estimatedBytes).sum();
        assertTrue(bytes <= bound, "a batch of " + bytes + " bytes, over the bound of " + bound);
        assertTrue(b.envelopes().stream().noneMatch(e -> e.group().equals("big")), "the large one is batched");
      }
    }
    assertTrue(sent.size() >= 1 + 20 * 1_064 / bound, "20 values of 1,000 bytes need several batches: " + sent.size());
  }

  @Test
  void theEstimateCoversWhatTheSerializerWrites() {
    SynodSerializer serializer = new SynodSerializer(null);
    for (Object sample : WireSamples.all()) {
      if (sample instanceof GroupEnvelope e) {
        assertTrue(serializer.toBinary(e).length <= PeerLink.estimatedBytes(e),
            e + ": " + serializer.toBinary(e).length + " bytes on the wire, estimated " + PeerLink.estimatedBytes(e));
      }
    }
    List<GroupEnvelope> batch = new ArrayList<>();
    for (int g = 0; g < 50; g++) {
      batch.add(accept("group-" + g, g * 10));
      batch.add(heartbeat("group-" + g));
    }
    long estimate = batch.stream().mapToLong(PeerLink::estimatedBytes).sum();
    int wire = serializer.toBinary(new GroupBatch(batch)).length;
    assertTrue(wire <= estimate, "a batch of " + wire + " bytes, estimated " + estimate);
  }

  @Test
  void beyondTheQueueBoundNewEnvelopesAreDroppedAndCounted() {
    PeerLink link = link(Long.MAX_VALUE);
    GroupEnvelope e = heartbeat("g");
    for (int i = 0; i < PeerLink.MAX_QUEUED + 3; i++) {
      link.send(e);
    }
    assertEquals(3, link.dropped());
    link.flush();
    assertEquals(PeerLink.MAX_QUEUED, envelopesSent().size());
    link.send(e);
    link.flush();
    assertEquals(PeerLink.MAX_QUEUED + 1, envelopesSent().size(), "room again once flushed");
  }

  @Test
  void envelopesAddedWhileAFlushRunsAreSentByTheNextOne() throws InterruptedException {
    // The flush's sink stands in for Artery; while it runs, another thread adds an envelope.
    CountDownLatch added = new CountDownLatch(1);
    List<NodeGateway.PeerTraffic> out = new ArrayList<>();
    AtomicInteger flushesAsked = new AtomicInteger();
    PeerLink[] link = new PeerLink[1];
    link[0] = new PeerLink(1, 2, 1_000_000, m -> {
      out.add(m.body());
      if (out.size() == 1) {
        Thread t = new Thread(() -> {
          link[0].send(heartbeat("late"));
          added.countDown();
        });
        t.start();
        try {
          assertTrue(added.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
    });
    admit(link[0]);
    link[0].wakeWith(flushesAsked::incrementAndGet);
    link[0].send(heartbeat("early"));
    link[0].flush();
    assertEquals(2, flushesAsked.get(), "the late envelope asked for a flush of its own");
    link[0].flush();
    assertEquals(List.of(heartbeat("early"), heartbeat("late")), out);
  }

  @Test
  void withoutATicketFromThePeerEnvelopesAreDroppedAndCountedNotKept() {
    PeerLink link = new PeerLink(1, 2, 1_000_000, sent::add);
    link.wakeWith(wakes::incrementAndGet);
    link.send(heartbeat("a"));
    link.send(accept("b", 100_000));
    assertEquals(1, wakes.get());
    link.flush();
    assertEquals(List.of(), sent, "nothing leaves without a ticket");
    assertEquals(2, link.unticketed(), "and nothing is kept for a peer that has not answered");
    link.send(heartbeat("c"));
    assertEquals(2, wakes.get(), "the next burst asks for a flush again");
    link.hold(TICKET);
    link.flush();
    assertEquals(List.of(heartbeat("c")), envelopesSent());
  }
}
