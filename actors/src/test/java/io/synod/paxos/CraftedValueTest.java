package io.synod.paxos;

import static io.synod.paxos.Fixtures.GROUP;
import static io.synod.paxos.Fixtures.campaign;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.messages;
import static io.synod.paxos.Fixtures.messagesTo;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.CatchUpReply;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.LocalAccepted;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.Proposal;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A value whose checksum holds but whose batch its bytes cannot hold (a command count of two
 * billion, a length past its end) reaches a role as the serializer carries it; every role that
 * receives values refuses it with a {@link CorruptValueException} before it changes any state, so
 * the value is never accepted, reported, learned or applied.
 */
class CraftedValueTest {

  private static final Ballot B = new Ballot(1, 2);

  /** A real one-command batch with {@code v} written at {@code offset}, sealed with a matching checksum. */
  private static Value crafted(int offset, int v) {
    byte[] b = value("abc").bytes().clone();
    Value.writeInt(b, offset, v);
    return Value.fromWire(b, Value.checksum(b));
  }

  /** Where a value's command count is: after its version and stamp. */
  private static final int COUNT_AT = 1 + 8;
  /** Where its first command's length is. */
  private static final int FIRST_LENGTH_AT = COUNT_AT + 4 + 16;
  /** Claims Integer.MAX_VALUE commands in 36 bytes. */
  private static final Value HUGE_COUNT = crafted(COUNT_AT, Integer.MAX_VALUE);
  /** Its one command claims a mebibyte of payload. */
  private static final Value LENGTH_PAST_END = crafted(FIRST_LENGTH_AT, 1 << 20);

  @Test
  void acceptorRefusesAnAcceptCarryingOneAndKeepsNothingOfIt() {
    for (Value bad : List.of(HUGE_COUNT, LENGTH_PAST_END)) {
      Acceptor a = Acceptor.recover(config(1).build(), List.of());
      CorruptValueException e = assertThrows(CorruptValueException.class,
          () -> a.handle(new Accept(2, B, List.of(new Proposal(0, value("ok")), new Proposal(1, bad)), -1)));
      assertEquals(GROUP, e.group());
      assertEquals(1, e.instance());
      assertEquals(2, e.sender());
      assertEquals(0, a.acceptedCount());
      assertEquals(Ballot.ZERO, a.promised());
    }
  }

  @Test
  void proposerRefusesAPromiseReportingOneAndNeverReproposesIt() {
    Proposer p = new Proposer(config(1).build(), new SplittableRandom(42));
    Ballot ballot = messagesTo(campaign(p), 1, Prepare.class).get(0).ballot();
    p.handle(new Promise(1, ballot, List.of(), 0));
    CorruptValueException e = assertThrows(CorruptValueException.class,
        () -> p.handle(new Promise(2, ballot, List.of(new AcceptedValue(0, B, HUGE_COUNT)), 0)));
    assertEquals(0, e.instance());
    assertEquals(2, e.sender());
    assertFalse(p.isLeader(), "a refused promise counts for nothing");
    Decision d = p.handle(new Promise(3, ballot, List.of(), 0));
    assertTrue(p.isLeader());
    for (Accept a : messages(d, Accept.class)) {
      for (Proposal proposal : a.proposals()) {
        assertFalse(proposal.value().equals(HUGE_COUNT), "the crafted value was reproposed: " + a);
      }
    }
  }

  @Test
  void learnerRefusesOneInAChosenACatchUpReplyOrALocalAcceptedAndLearnsNothing() {
    for (Value bad : List.of(HUGE_COUNT, LENGTH_PAST_END)) {
      List<Message.ToLearner> carriers = List.of(
          new Chosen(2, List.of(new ChosenEntry(0, B, value("ok")), new ChosenEntry(1, B, bad)), 9),
          new CatchUpReply(2, List.of(new Proposal(0, value("ok")), new Proposal(1, bad)), 9),
          new LocalAccepted(2, List.of(new AcceptedValue(0, B, value("ok")), new AcceptedValue(1, B, bad))));
      for (Message.ToLearner m : carriers) {
        ListStateMachine machine = new ListStateMachine();
        Learner learner = new Learner(config(1).build(), machine, new SplittableRandom(9));
        long horizon = learner.horizon();
        CorruptValueException e = assertThrows(CorruptValueException.class, () -> learner.handle(m), m.toString());
        assertEquals(1, e.instance());
        assertEquals(0, learner.nextToApply());
        assertEquals(horizon, learner.horizon(), "the refused message must not move the horizon");
        // Had its intact entry been kept, instance 0 would now be "ok" and this would diverge.
        learner.handle(new Chosen(3, List.of(new ChosenEntry(0, B, value("other"))), 1));
        assertEquals(List.of("other"), machine.applied, m.toString());
      }
    }
  }

  /**
   * A {@code LocalAccepted} normally comes from this node's own acceptor, which checked its values;
   * but the message type can arrive from the network too. Kept unchecked, its value would be learned
   * by a value-less {@code Chosen} and then fail at every attempt to apply it: the learner would be
   * stuck at that instance for good.
   */
  @Test
  void aLocalAcceptedFromTheNetworkCannotStallTheLearner() {
    ListStateMachine machine = new ListStateMachine();
    Learner learner = new Learner(config(1).build(), machine, new SplittableRandom(9));
    assertThrows(CorruptValueException.class,
        () -> learner.handle(new LocalAccepted(1, List.of(new AcceptedValue(0, B, LENGTH_PAST_END)))));
    learner.handle(new Chosen(2, List.of(new ChosenEntry(0, B, null)), 1));
    assertEquals(0, learner.nextToApply(), "nothing to apply: the value is not known here");
    learner.handle(new Chosen(2, List.of(new ChosenEntry(0, B, value("a"))), 1));
    assertEquals(List.of("a"), machine.applied);
    assertEquals(1, learner.nextToApply());
  }

  @Test
  void aCraftedValueNeverFailsTheQuestionsAskedOfItBeforeItIsChecked() {
    // Size and membership questions may be asked of a value before a role checks it (a shell sizing
    // a message); they answer, and verify says what is wrong.
    for (int field : new int[] {Integer.MAX_VALUE, 0x7FFF_FFF0, 1 << 20, -1}) {
      Value v = crafted(FIRST_LENGTH_AT, field);
      assertEquals(field < 0, v.carriesMembershipChange());
      assertEquals(36, v.size());
      assertThrows(CorruptValueException.class, () -> v.verify(GROUP, 0, 2));
    }
    byte[] two = Value.of(List.of(new ClientCommand(1, 1, new byte[4]), new ClientCommand(1, 2, new byte[4]))).bytes().clone();
    Value.writeInt(two, FIRST_LENGTH_AT, 0x7FFF_FFF0); // the first length would wrap the walk round to a negative offset
    assertFalse(Value.fromWire(two, Value.checksum(two)).carriesMembershipChange());
  }
}
