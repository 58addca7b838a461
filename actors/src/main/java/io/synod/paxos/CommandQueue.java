package io.synod.paxos;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The client commands a proposer holds: those waiting, in arrival order, for a leader to pass them
 * to or for room in this leader's window, and the identities of every command waiting or in flight
 * here. A client's retry of one of those is dropped instead of queued again: under overload, queued
 * retries would otherwise crowd out new work. Its one reason to change: how waiting commands are
 * held, told apart and cut into batches.
 */
final class CommandQueue {

  /** A command's identity: a retry carries the same one. */
  record CommandId(long clientId, long sequence) {
    static CommandId of(ClientCommand c) {
      return new CommandId(c.clientId(), c.sequence());
    }
  }

  /** Waiting commands taken for one value, with their identities (carried until released). */
  record Batch(List<ClientCommand> commands, List<CommandId> ids) {}

  private final int maxPending;
  private final int maxBatchCommands;
  private final int maxBatchBytes;
  private final ArrayDeque<ClientCommand> pending = new ArrayDeque<>();
  /** Commands waiting or in flight here. */
  private final Set<CommandId> carried = new HashSet<>();

  CommandQueue(int maxPending, int maxBatchCommands, int maxBatchBytes) {
    this.maxPending = maxPending;
    this.maxBatchCommands = maxBatchCommands;
    this.maxBatchBytes = maxBatchBytes;
  }

  /**
   * Queues each command that is not waiting or in flight here already, while there is room; returns
   * those turned away because the queue is full, in order.
   */
  List<ClientCommand> offer(List<ClientCommand> commands) {
    List<ClientCommand> refused = new ArrayList<>(0);
    for (ClientCommand c : commands) {
      if (carried.contains(CommandId.of(c))) {
        continue; // a retry of a command already waiting or in flight here
      }
      if (pending.size() >= maxPending) {
        refused.add(c);
      } else {
        pending.addLast(c);
        carried.add(CommandId.of(c));
      }
    }
    return refused;
  }

  /**
   * Takes the next batch from the front of the queue: up to {@code maxBatchCommands} commands and
   * {@code maxBatchBytes} of them, but at least one (a larger command goes alone). Its commands stay
   * carried until {@link #release released}.
   */
  Batch takeBatch() {
    List<ClientCommand> batch = new ArrayList<>();
    List<CommandId> ids = new ArrayList<>();
    int bytes = 0;
    while (!pending.isEmpty() && batch.size() < maxBatchCommands
        && (batch.isEmpty() || bytes + pending.peekFirst().encodedSize() <= maxBatchBytes)) {
      ClientCommand c = pending.pollFirst();
      bytes += c.encodedSize();
      batch.add(c);
      ids.add(CommandId.of(c));
    }
    return new Batch(batch, ids);
  }

  /** Takes every waiting command, to pass them on to another node: they are no longer carried here. */
  List<ClientCommand> takeAll() {
    List<ClientCommand> all = new ArrayList<>(pending);
    pending.forEach(c -> carried.remove(CommandId.of(c)));
    pending.clear();
    return all;
  }

  /** Commands of a batch that is no longer in flight here (chosen, or abandoned): a retry is welcome again. */
  void release(Collection<CommandId> ids) {
    carried.removeAll(ids);
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /** How many commands wait. */
  int size() {
    return pending.size();
  }
}
