package io.synod.paxos;

import static io.synod.paxos.Fixtures.bytes;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.BehindHint;
import io.synod.paxos.Message.CatchUpReply;
import io.synod.paxos.Message.CatchUpRequest;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.Message.Forward;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.LearnerProgress;
import io.synod.paxos.Message.LocalAccepted;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.ReadAt;
import io.synod.paxos.Message.Rejected;
import io.synod.paxos.Message.SnapshotAvailable;
import io.synod.paxos.Message.ToAcceptor;
import io.synod.paxos.Message.ToLearner;
import io.synod.paxos.Message.ToProposer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Java 17 has no pattern switch, so each role dispatches with an {@code instanceof} chain that the
 * compiler cannot check for exhaustiveness. This test stands in for it: every type a role's
 * sealed interface permits must reach a handler instead of the final "cannot handle" throw.
 */
class RoleDispatchTest {

  private static final GroupConfig CONFIG = config(1).build();
  private static final Ballot BALLOT = new Ballot(1, 2);
  private static final Value VALUE = value("x");

  /** One valid instance per message type. A new message type needs a sample here. */
  private static final Map<Class<?>, Message> SAMPLES = Map.ofEntries(
      Map.entry(Prepare.class, new Prepare(2, BALLOT, 0)),
      Map.entry(Message.PrepareMore.class, new Message.PrepareMore(2, BALLOT, 0)),
      Map.entry(Accept.class, new Accept(2, BALLOT, List.of(new Proposal(0, VALUE)), -1)),
      Map.entry(Promise.class, new Promise(2, BALLOT, List.of(), 0)),
      Map.entry(Message.Accepted.class, new Message.Accepted(2, BALLOT, List.of(0L), -1, 0)),
      Map.entry(Rejected.class, new Rejected(2, new Ballot(1, 1), BALLOT, false)),
      Map.entry(Forward.class, new Forward(2, List.of(command(7, 1, "x")), 1)),
      Map.entry(LeaderSeen.class, new LeaderSeen(1, BALLOT)),
      Map.entry(LearnerProgress.class, new LearnerProgress(1, 0, Fixtures.MEMBERSHIP)),
      Map.entry(Message.TransferLeadership.class, new Message.TransferLeadership(2, 3, 0)),
      Map.entry(Message.TimeoutNow.class, new Message.TimeoutNow(2, BALLOT)),
      Map.entry(Message.WakeUp.class, new Message.WakeUp(2)),
      Map.entry(Message.CandidateSeen.class, new Message.CandidateSeen(1, BALLOT)),
      Map.entry(Message.PromiseRecovered.class, new Message.PromiseRecovered(1, BALLOT)),
      Map.entry(ClientRead.class, new ClientRead(1, 5, bytes("q"))),
      Map.entry(Message.ReadIndexRequest.class, new Message.ReadIndexRequest(2, 5)),
      Map.entry(Message.ReadIndexReply.class, new Message.ReadIndexReply(2, 5, 3, -1)),
      Map.entry(Chosen.class, new Chosen(2, List.of(new ChosenEntry(0, BALLOT, VALUE)), 1)),
      Map.entry(LocalAccepted.class, new LocalAccepted(1, List.of(new AcceptedValue(0, BALLOT, VALUE)))),
      Map.entry(CatchUpRequest.class, new CatchUpRequest(2, 0, 4)),
      Map.entry(CatchUpReply.class, new CatchUpReply(2, List.of(new Proposal(0, VALUE)), 1)),
      Map.entry(SnapshotAvailable.class, new SnapshotAvailable(2, 5)),
      Map.entry(BehindHint.class, new BehindHint(1, 3)),
      Map.entry(ReadAt.class, new ReadAt(1, 5, 0, bytes("q"))));

  @Test
  void everyMessageBelongsToExactlyOneRole() {
    assertEquals(Set.of(ToAcceptor.class, ToProposer.class, ToLearner.class),
        Set.of(Message.class.getPermittedSubclasses()),
        "Message must permit only the three role interfaces, so every message has a receiving role");
    Set<Class<?>> seen = new HashSet<>();
    for (Class<?> role : List.of(ToAcceptor.class, ToProposer.class, ToLearner.class)) {
      for (Class<?> type : role.getPermittedSubclasses()) {
        assertTrue(seen.add(type), type.getSimpleName() + " is permitted by two role interfaces");
      }
    }
    Set<String> missing = new TreeSet<>();
    seen.stream().filter(t -> !SAMPLES.containsKey(t)).forEach(t -> missing.add(t.getSimpleName()));
    Set<String> stale = new TreeSet<>();
    SAMPLES.keySet().stream().filter(t -> !seen.contains(t)).forEach(t -> stale.add(t.getSimpleName()));
    assertEquals(Set.of(), missing, "message types without a sample in RoleDispatchTest.SAMPLES");
    assertEquals(Set.of(), stale, "samples for types no role interface permits");
  }

  @TestFactory
  Stream<DynamicTest> acceptorHandlesEveryToAcceptorType() {
    return dispatchTests(ToAcceptor.class, m -> Acceptor.recover(CONFIG, List.of()).handle((ToAcceptor) m));
  }

  @TestFactory
  Stream<DynamicTest> proposerHandlesEveryToProposerType() {
    return dispatchTests(ToProposer.class,
        m -> new Proposer(CONFIG, new SplittableRandom(1)).handle((ToProposer) m));
  }

  @TestFactory
  Stream<DynamicTest> learnerHandlesEveryToLearnerType() {
    return dispatchTests(ToLearner.class,
        m -> new Learner(CONFIG, new ListStateMachine(), new SplittableRandom(1)).handle((ToLearner) m));
  }

  /** One test per permitted type; each sample goes to a fresh role so samples cannot interact. */
  private static Stream<DynamicTest> dispatchTests(Class<?> roleInterface, Function<Message, Decision> handle) {
    Class<?>[] permitted = roleInterface.getPermittedSubclasses();
    assertNotNull(permitted, roleInterface.getSimpleName() + " must be sealed");
    assertTrue(permitted.length > 0, roleInterface.getSimpleName() + " permits no message type");
    return Arrays.stream(permitted).map(type -> DynamicTest.dynamicTest(type.getSimpleName(), () -> {
      Message sample = SAMPLES.get(type);
      if (sample == null) {
        fail("no sample for " + type.getName() + ", permitted by " + roleInterface.getSimpleName()
            + ": add one to RoleDispatchTest.SAMPLES so its dispatch is checked");
      }
      assertEquals(type, sample.getClass(), "sample registered under the wrong type");
      try {
        assertNotNull(handle.apply(sample));
      } catch (IllegalStateException e) {
        if (e.getMessage() != null && e.getMessage().contains("cannot handle")) {
          fail(roleInterface.getSimpleName() + " handler has no branch for " + type.getSimpleName() + ": "
              + e.getMessage(), e);
        }
        throw e;
      }
    }));
  }
}
