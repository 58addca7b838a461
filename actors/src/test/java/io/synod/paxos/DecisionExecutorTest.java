package io.synod.paxos;

import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.synod.paxos.AcceptorRecord.Promised;
import io.synod.paxos.Message.Proposal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test shells' decision executor walks a decision's parts in the one order a shell must keep. */
class DecisionExecutorTest {

  private static final Ballot B = new Ballot(2, 1);

  /** Writes down every call, in order. */
  private static final class RecordingShell implements DecisionExecutor.Shell {
    final List<String> calls = new ArrayList<>();

    @Override
    public void persist(List<AcceptorRecord> records) {
      calls.add("persist " + records.size());
    }

    @Override
    public void sendNow(Outbound message) {
      calls.add("sendNow " + message.to());
    }

    @Override
    public void sendAfterPersist(Outbound message) {
      calls.add("sendAfterPersist " + message.to());
    }

    @Override
    public void chosen(Proposal proposal) {
      calls.add("chosen " + proposal.instance());
    }

    @Override
    public void applied(Applied applied) {
      calls.add("applied " + applied.sequence());
    }

    @Override
    public void readAnswered(ReadOutcome outcome) {
      calls.add("read " + outcome.readId());
    }

    @Override
    public void refused(Refusal refusal) {
      calls.add("refused " + refusal.command().sequence());
    }

    @Override
    public void fetchSnapshotFrom(int node) {
      calls.add("fetch " + node);
    }
  }

  @Test
  void writesFirstThenSendsThenReportsWhatTheLearnerDidThenFetches() {
    Decision d = new Decision(
        List.of(new Promised(B), new Promised(B)),
        List.of(new Outbound(2, new Message.TimeoutNow(1, B)), new Outbound(3, new Message.TimeoutNow(1, B))),
        List.of(new Outbound(4, new Message.TimeoutNow(1, B))),
        List.of(new Proposal(7, value("x")), new Proposal(8, value("y"))),
        List.of(new Applied(7, 5, 1, Applied.Outcome.APPLIED, new byte[0])),
        List.of(new ReadOutcome(9, true, 8, new byte[0], -1)),
        List.of(new Refusal(command(5, 2, "z"), Refusal.Reason.OVERLOADED, 1)),
        3);
    RecordingShell shell = new RecordingShell();

    DecisionExecutor.execute(d, shell);

    assertEquals(List.of("persist 2", "sendNow 4", "sendAfterPersist 2", "sendAfterPersist 3", "chosen 7", "chosen 8",
        "applied 1", "read 9", "refused 2", "fetch 3"), shell.calls);
  }

  @Test
  void aDecisionWithNothingToWriteOrFetchAsksForNeither() {
    Decision d = new Decision(List.of(), List.of(new Outbound(2, new Message.TimeoutNow(1, B))), List.of(), List.of(),
        List.of(), List.of(), List.of(), -1);
    RecordingShell shell = new RecordingShell();

    DecisionExecutor.execute(d, shell);
    DecisionExecutor.execute(Decision.NONE, shell);

    assertEquals(List.of("sendAfterPersist 2"), shell.calls);
  }
}
