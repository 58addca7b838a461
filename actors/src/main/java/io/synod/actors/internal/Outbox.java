package io.synod.actors.internal;

import io.synod.paxos.Message;
import io.synod.paxos.Outbound;
import io.synod.paxos.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages a role produced while its mailbox was busy, sent together once it has caught up: the
 * Accepts (and Chosen notices) that one leader sends to one node at one ballot become a single
 * message, so a follower persists them in one write and one fsync instead of one each. This is how
 * many clients' commands, arriving one by one, share the disk: the leader sends all pending
 * instances in one Accept message.
 *
 * <p>Only messages of the same kind, to the same node, with the same ballot and with nothing else
 * between them for that node are merged, so what each node receives keeps its order; and only up
 * to a size, so a merged message stays within Artery's frame.
 */
final class Outbox {

  private final List<Outbound> pending = new ArrayList<>();
  private final int maxMergedBytes;

  /**
   * Merged messages carry at most {@code maxMergedBytes} of values, counted as the core splits
   * them (each entry's value plus {@link Value#ENTRY_OVERHEAD_BYTES}); one instance may be alone larger.
   */
  Outbox(int maxMergedBytes) {
    this.maxMergedBytes = maxMergedBytes;
  }

  /** Adds messages; true if the outbox was empty before (then a flush should be scheduled). */
  boolean add(List<Outbound> messages) {
    boolean wasEmpty = pending.isEmpty();
    for (Outbound o : messages) {
      add(o);
    }
    return wasEmpty && !pending.isEmpty();
  }

  private void add(Outbound o) {
    for (int i = pending.size() - 1; i >= 0; i--) {
      Outbound last = pending.get(i);
      if (last.to() != o.to()) {
        continue;
      }
      Message merged = merge(last.message(), o.message(), maxMergedBytes);
      if (merged != null) {
        pending.set(i, new Outbound(o.to(), merged));
        return;
      }
      break; // the last message to this node is of another kind: keep the order
    }
    pending.add(o);
  }

  private static Message merge(Message a, Message b, int maxBytes) {
    if (a instanceof Message.Accept x && b instanceof Message.Accept y && x.ballot().equals(y.ballot())
        && x.from() == y.from() && valueBytes(x.proposals()) + valueBytes(y.proposals()) <= maxBytes
        // A lease given back must reach the acceptor as such: never merged away.
        && x.leaseTick() != Message.Accept.RELEASE_LEASE && y.leaseTick() != Message.Accept.RELEASE_LEASE) {
      List<Message.Proposal> proposals = new ArrayList<>(x.proposals());
      proposals.addAll(y.proposals());
      // A lease asked for at the earlier tick is counted from the earlier tick: never longer.
      long lease = x.leaseTick() < 0 ? y.leaseTick() : y.leaseTick() < 0 ? x.leaseTick()
          : Math.min(x.leaseTick(), y.leaseTick());
      return new Message.Accept(x.from(), x.ballot(), proposals, lease);
    }
    if (a instanceof Message.Chosen x && b instanceof Message.Chosen y && x.from() == y.from()
        && chosenBytes(x.entries()) + chosenBytes(y.entries()) <= maxBytes) {
      List<Message.ChosenEntry> entries = new ArrayList<>(x.entries());
      entries.addAll(y.entries());
      // Both chain marks hold; the later one says more.
      return new Message.Chosen(x.from(), entries, Math.max(x.horizon(), y.horizon()),
          y.chain().through() >= x.chain().through() ? y.chain() : x.chain());
    }
    return null;
  }

  private static long valueBytes(List<Message.Proposal> proposals) {
    long n = 0;
    for (Message.Proposal p : proposals) {
      n += Value.ENTRY_OVERHEAD_BYTES + p.value().bytes().length;
    }
    return n;
  }

  private static long chosenBytes(List<Message.ChosenEntry> entries) {
    long n = 0;
    for (Message.ChosenEntry e : entries) {
      n += Value.ENTRY_OVERHEAD_BYTES + (e.value() == null ? 0 : e.value().bytes().length);
    }
    return n;
  }

  /** Everything added since the last drain, merged, in order; the outbox is empty afterwards. */
  List<Outbound> drain() {
    List<Outbound> out = List.copyOf(pending);
    pending.clear();
    return out;
  }
}
