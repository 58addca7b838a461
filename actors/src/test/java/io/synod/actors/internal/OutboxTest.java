package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Ballot;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Message;
import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Outbound;
import io.synod.paxos.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxTest {

  private static final Ballot B = new Ballot(3, 0);
  private static final Ballot HIGHER = new Ballot(4, 0);

  private static Proposal p(long instance) {
    return new Proposal(instance, Value.of(List.of(new ClientCommand(1, instance + 1, new byte[] {(byte) instance}))));
  }

  @Test
  void acceptsToOneNodeAtOneBallotTravelAsOne() {
    Outbox box = new Outbox(1 << 16);
    assertTrue(box.add(List.of(new Outbound(1, new Accept(0, B, List.of(p(0)), 7)),
        new Outbound(2, new Accept(0, B, List.of(p(0)), 7)))), "the first messages ask for a flush");
    assertFalse(box.add(List.of(new Outbound(1, new Accept(0, B, List.of(p(1)), -1)),
        new Outbound(1, new Accept(0, B, List.of(p(2)), 9)))), "later ones ride along");
    List<Outbound> out = box.drain();
    assertEquals(List.of(new Outbound(1, new Accept(0, B, List.of(p(0), p(1), p(2)), 7)),
        new Outbound(2, new Accept(0, B, List.of(p(0)), 7))), out, "merged per node, lease counted from the earliest");
    assertEquals(List.of(), box.drain());
  }

  @Test
  void nothingIsMergedAcrossBallotsKindsOrAnotherMessageToTheSameNode() {
    Outbox box = new Outbox(1 << 16);
    Message.Chosen chosen = new Message.Chosen(0, List.of(), 1);
    box.add(List.of(
        new Outbound(1, new Accept(0, B, List.of(p(0)), -1)),
        new Outbound(1, new Accept(0, HIGHER, List.of(p(1)), -1)), // another ballot
        new Outbound(1, chosen), // another kind
        new Outbound(1, new Accept(0, HIGHER, List.of(p(2)), -1)), // not across the Chosen
        new Outbound(1, new Message.Chosen(0, List.of(), 5))));
    assertEquals(List.of(
        new Outbound(1, new Accept(0, B, List.of(p(0)), -1)),
        new Outbound(1, new Accept(0, HIGHER, List.of(p(1)), -1)),
        new Outbound(1, chosen),
        new Outbound(1, new Accept(0, HIGHER, List.of(p(2)), -1)),
        new Outbound(1, new Message.Chosen(0, List.of(), 5))), box.drain());
  }

  @Test
  void chosenNoticesToOneNodeMergeKeepingTheHighestHorizon() {
    Outbox box = new Outbox(1 << 16);
    Message.ChosenEntry e0 = new Message.ChosenEntry(0, B, null);
    Message.ChosenEntry e1 = new Message.ChosenEntry(1, B, null);
    box.add(List.of(new Outbound(2, new Message.Chosen(0, List.of(e0), 1)),
        new Outbound(2, new Message.Chosen(0, List.of(e1), 2))));
    assertEquals(List.of(new Outbound(2, new Message.Chosen(0, List.of(e0, e1), 2))), box.drain());
  }

  @Test
  void mergedChosenNoticesKeepTheLaterChainMarkWhicheverComesFirst() {
    Message.ChainMark early = new Message.ChainMark(4, 11);
    Message.ChainMark late = new Message.ChainMark(9, 22);
    for (List<Message.ChainMark> order : List.of(List.of(early, late), List.of(late, early))) {
      Outbox box = new Outbox(1 << 16);
      box.add(List.of(new Outbound(2, new Message.Chosen(0, List.of(), 1, order.get(0))),
          new Outbound(2, new Message.Chosen(0, List.of(), 2, order.get(1)))));
      assertEquals(List.of(new Outbound(2, new Message.Chosen(0, List.of(), 2, late))), box.drain());
    }
  }

  @Test
  void mergingStopsAtTheSizeLimit() {
    Outbox box = new Outbox(2); // each proposal's value is a batch of a few bytes: no two fit
    box.add(List.of(new Outbound(1, new Accept(0, B, List.of(p(0)), -1)),
        new Outbound(1, new Accept(0, B, List.of(p(1)), -1))));
    assertEquals(2, box.drain().size(), "too big to merge: sent as they are");
  }
}
