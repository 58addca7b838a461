package io.synod.actors;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The exactly-once sessions of one {@link GroupClient}: the session its commands are numbered in,
 * which commands of each session are unanswered (at most a session window of them), which wait for
 * room in the window, and the move to a new session once the group refused a command because the
 * current one expired. A session's sequences start at the wall-clock time in nanoseconds, above
 * every sequence of the sessions that expired before it (see {@code Sessions} in the core), or above
 * what the refusal said if this machine's clock lags. Not thread-safe: the client calls it under its
 * lock.
 */
final class ClientSessions {

  /** A command numbered in session {@code clientId}; it fails by {@code deadline} (System.nanoTime) at the latest. */
  record Command(long clientId, long sequence, byte[] payload, long deadline, CompletableFuture<byte[]> result) {}

  private final int window;
  private final LongSupplier newIds;
  private final LongSupplier epochNanos;
  private long clientId;
  private long nextSequence;
  /** The unanswered sequences of each session that has any: the current one, and expired ones still answering. */
  private final Map<Long, TreeSet<Long>> unanswered = new HashMap<>();
  /** Commands of the current session waiting for room in its window, in order. */
  private final ArrayDeque<Command> waiting = new ArrayDeque<>();
  private long renewals;

  /**
   * Sessions of at most {@code window} unanswered commands, their ids drawn from {@code newIds} and
   * their first sequences from {@code epochNanos}, the wall clock in nanoseconds since the epoch.
   */
  ClientSessions(int window, LongSupplier newIds, LongSupplier epochNanos) {
    this.window = window;
    this.newIds = newIds;
    this.epochNanos = epochNanos;
    open(0);
  }

  private void open(long above) {
    clientId = newIds.getAsLong();
    nextSequence = Math.max(Math.max(1, epochNanos.getAsLong()), above + 1);
  }

  /** Numbers a command in the current session: returned if it may be sent now, else null (it waits its turn). */
  Command submit(byte[] payload, long deadline, CompletableFuture<byte[]> result) {
    Command c = new Command(clientId, nextSequence++, payload, deadline, result);
    unanswered.computeIfAbsent(clientId, id -> new TreeSet<>()).add(c.sequence());
    if (waiting.isEmpty() && fits(c)) {
      return c;
    }
    waiting.add(c);
    return null;
  }

  /** A command may be sent once every command of its session {@code window} or more before it is answered. */
  private boolean fits(Command c) {
    return c.sequence() < unanswered.get(c.clientId()).first() + window;
  }

  /** {@code c} is answered (or given up unsent): it leaves its window; returns the waiting commands that now fit. */
  List<Command> answered(Command c) {
    TreeSet<Long> open = unanswered.get(c.clientId());
    if (open != null) {
      open.remove(c.sequence());
      if (open.isEmpty()) {
        unanswered.remove(c.clientId());
      }
    }
    waiting.remove(c);
    List<Command> ready = new ArrayList<>();
    while (!waiting.isEmpty() && fits(waiting.peek())) {
      ready.add(waiting.poll());
    }
    return ready;
  }

  /**
   * The group refused {@code c} because its session expired, and refuses every sequence at or below
   * {@code expiredThrough} in a session it does not hold. If {@code c} is of the current session, a
   * new one starts (a new id, numbered from the wall clock, above {@code expiredThrough}) and the
   * commands waiting are numbered again in it: they were never sent. A refusal of an earlier
   * session's command changes nothing more. Then as {@link #answered}.
   */
  List<Command> expired(Command c, long expiredThrough) {
    if (c.clientId() == clientId) {
      List<Command> unsent = new ArrayList<>(waiting);
      waiting.clear();
      TreeSet<Long> old = unanswered.get(clientId);
      renewals++;
      open(expiredThrough);
      for (Command w : unsent) {
        old.remove(w.sequence());
        Command renumbered = new Command(clientId, nextSequence++, w.payload(), w.deadline(), w.result());
        unanswered.computeIfAbsent(clientId, id -> new TreeSet<>()).add(renumbered.sequence());
        waiting.add(renumbered);
      }
    }
    return answered(c);
  }

  /** Every waiting command, taken away (the group stopped). */
  List<Command> clear() {
    List<Command> all = new ArrayList<>(waiting);
    waiting.clear();
    unanswered.clear();
    return all;
  }

  /** The session commands are numbered in now. */
  long clientId() {
    return clientId;
  }

  /** How many times the group expired this client's session and it went on in a new one. */
  long renewals() {
    return renewals;
  }
}
