package io.synod.paxos;

import io.synod.paxos.Message.Proposal;
import java.util.List;

/**
 * Carries out a role's {@link Decision} for a test shell (the simulation's nodes, {@link
 * HandRoutedGroup}): it walks the decision's parts in the one order a shell must keep and hands
 * each to the caller's {@link Shell}, which does the I/O. The order: the write first, then what is
 * sent at once, then what is sent once that write (and every write before it) is durable, then
 * what the learner learned and applied, the reads it answered, the commands it refused, and last a
 * snapshot to fetch. A shell with instant writes may send {@code sendAfterPersist} right away; a
 * shell with a real disk must hold it until the write is durable.
 */
public final class DecisionExecutor {

  /** What a test shell does with each part of a decision; every part is the shell's to decide. */
  public interface Shell {

    /** Writes {@code records} as one atomic write; called only when there is something to write. */
    void persist(List<AcceptorRecord> records);

    void sendNow(Outbound message);

    /** Sends {@code message} once this decision's write, and every write before it, is durable. */
    void sendAfterPersist(Outbound message);

    void chosen(Proposal proposal);

    void applied(Applied applied);

    void readAnswered(ReadOutcome outcome);

    void refused(Refusal refusal);

    /** The learner needs the latest snapshot (checkpoint) of node {@code node} installed. */
    void fetchSnapshotFrom(int node);
  }

  private DecisionExecutor() {}

  /** Hands every part of {@code d} to {@code shell}, in the order above. */
  public static void execute(Decision d, Shell shell) {
    if (!d.toPersist().isEmpty()) {
      shell.persist(d.toPersist());
    }
    d.sendNow().forEach(shell::sendNow);
    d.sendAfterPersist().forEach(shell::sendAfterPersist);
    d.chosen().forEach(shell::chosen);
    d.applied().forEach(shell::applied);
    d.reads().forEach(shell::readAnswered);
    d.refused().forEach(shell::refused);
    if (d.fetchSnapshotFrom() >= 0) {
      shell.fetchSnapshotFrom(d.fetchSnapshotFrom());
    }
  }
}
