package io.synod.paxos;

import io.synod.paxos.Message.Proposal;
import java.util.List;

/**
 * What an {@link Acceptor} persists. A decision's records form one atomic write: after a crash
 * either all of them are back or none is. Replaying them in order through {@link
 * Acceptor#recover} rebuilds the acceptor.
 */
public sealed interface AcceptorRecord {

  /** The acceptor promised never to accept below {@code ballot}. */
  record Promised(Ballot ballot) implements AcceptorRecord {}

  /** The acceptor accepted these values at {@code ballot} (which it had promised). */
  record AcceptedValues(Ballot ballot, List<Proposal> proposals) implements AcceptorRecord {
    public AcceptedValues {
      proposals = List.copyOf(proposals);
    }
  }

  /** A durable snapshot covers every instance below {@code instance}; the acceptor forgot them. */
  record Truncated(long instance) implements AcceptorRecord {}
}
