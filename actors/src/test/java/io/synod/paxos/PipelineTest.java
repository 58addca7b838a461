package io.synod.paxos;

import static io.synod.paxos.Fixtures.MEMBERSHIP;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.CommandQueue.Batch;
import io.synod.paxos.Message.Proposal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A leader's instances in flight: numbering, counting acceptances, the chosen prefix, resends. */
class PipelineTest {

  private static final int RETRANSMIT = 4;

  private final CommandQueue queue = new CommandQueue(100, 1, 1000);
  private final MembershipView view = new MembershipView(0, MEMBERSHIP, Set.of(1, 2, 3));

  /** Queues one command of client 7 and takes it as a batch, so that it is carried until released. */
  private Batch batchOf(long sequence) {
    queue.offer(List.of(command(7, sequence, "c" + sequence)));
    return queue.takeBatch();
  }

  /** Whether a retry of client 7's command {@code sequence} would be queued (it is no longer carried). */
  private boolean welcomeAgain(long sequence) {
    int before = queue.size();
    queue.offer(List.of(command(7, sequence, "c" + sequence)));
    return queue.size() > before;
  }

  @Test
  void instancesAreNumberedFromTheFirstAndTheHorizonIsTheFirstInFlight() {
    Pipeline p = new Pipeline(5, RETRANSMIT, queue);
    assertEquals(5, p.horizon(), "nothing in flight: the next free instance");
    assertEquals(5, p.add(value("a"), List.of(), 0));
    assertEquals(6, p.add(value("b"), List.of(), 0));
    assertEquals(7, p.next());
    assertEquals(5, p.horizon());
    assertEquals(List.of(new Proposal(5, value("a")), new Proposal(6, value("b"))), p.proposals());
    assertTrue(p.drivesBelow(6));
    assertFalse(p.drivesBelow(5));
  }

  @Test
  void onlyTheAcceptedPrefixIsChosenAndItsCommandsAreReleased() {
    Pipeline p = new Pipeline(0, RETRANSMIT, queue);
    Batch first = batchOf(1);
    Batch second = batchOf(2);
    p.add(Value.of(first.commands()), first.ids(), 0);
    p.add(Value.of(second.commands()), second.ids(), 0);
    p.onAccepted(List.of(1L), 1, view);
    p.onAccepted(List.of(1L), 2, view);
    assertTrue(p.takeChosen().isEmpty(), "instance 1 has a majority, but instance 0 does not");
    p.onAccepted(List.of(0L), 1, view);
    p.onAccepted(List.of(0L), 9, view);
    assertTrue(p.takeChosen().isEmpty(), "node 9 is no voter: its acceptance does not count");
    assertFalse(welcomeAgain(1), "still in flight");
    p.onAccepted(List.of(0L), 3, view);
    assertEquals(List.of(0L, 1L), List.copyOf(p.takeChosen().keySet()));
    assertEquals(2, p.horizon());
    assertEquals(0, p.size());
    assertTrue(welcomeAgain(1), "chosen: a retry is the learner's to answer");
    assertTrue(welcomeAgain(2));
  }

  @Test
  void droppingAndAbandoningReleaseTheirCommands() {
    Pipeline p = new Pipeline(0, RETRANSMIT, queue);
    for (long s = 1; s <= 3; s++) {
      Batch b = batchOf(s);
      p.add(Value.of(b.commands()), b.ids(), 0);
    }
    p.dropBelow(2);
    assertEquals(2, p.horizon());
    assertTrue(welcomeAgain(1));
    assertTrue(welcomeAgain(2));
    assertFalse(welcomeAgain(3));
    p.abandon();
    assertEquals(0, p.size());
    assertTrue(welcomeAgain(3));
  }

  @Test
  void anInstanceIsResentToTheVotersThatHaveNotAcceptedItWaitingTwiceAsLongEachTime() {
    Pipeline p = new Pipeline(0, RETRANSMIT, queue);
    p.add(value("a"), List.of(), 0);
    p.onAccepted(List.of(0L), 2, view);
    List<Long> resentAt = new ArrayList<>();
    for (long now = 1; now <= 30 * RETRANSMIT; now++) {
      assertTrue(p.nextResendAt() >= now, "a resend was due before tick " + now);
      Map<Integer, List<Proposal>> resend = p.takeResends(now, view);
      if (!resend.isEmpty()) {
        assertEquals(Set.of(1, 3), resend.keySet(), "node 2 accepted it");
        assertEquals(List.of(new Proposal(0, value("a"))), resend.get(1));
        resentAt.add(now);
      }
    }
    int r = RETRANSMIT;
    assertEquals(List.of((long) r, 3L * r, 7L * r, 15L * r), resentAt.subList(0, 4),
        "waits of r, 2r, 4r, then 8r at most: " + resentAt);
    assertEquals(23L * r, resentAt.get(4), "8r at most: " + resentAt);
    assertEquals(Long.MAX_VALUE, new Pipeline(0, RETRANSMIT, queue).nextResendAt(), "nothing in flight");
  }
}
