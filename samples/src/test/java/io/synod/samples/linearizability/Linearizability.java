package io.synod.samples.linearizability;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A linearizability checker: Wing and Gong's search with Lowe's memoization, the algorithm
 * Porcupine and Knossos implement. Given a history of operations, each with the time it was
 * invoked and the time it returned (or none, when its outcome is unknown), it decides whether some
 * order of the operations, each taking effect at one instant between its invocation and its
 * return, is a legal sequential run of the model.
 *
 * <p>An operation whose outcome is unknown (a timeout) never returns: it may take effect at any
 * point after its invocation, or not at all, and its output is not checked.
 *
 * @param <S> the model's state (with {@code equals} and {@code hashCode}, for the memo)
 */
public final class Linearizability<S> {

  /** The sequential specification: {@code step} gives the state after {@code op}, or null if op's output is impossible. */
  public interface Model<S> {
    S initial();

    S step(S state, Operation op);
  }

  /**
   * One operation: its input, its output (null when unknown), when it was invoked, and when it
   * returned ({@link Long#MAX_VALUE} when its outcome is unknown).
   */
  public record Operation(int client, Object input, Object output, long invoked, long returned) {
    public Operation {
      if (returned < invoked) {
        throw new IllegalArgumentException("an operation returns after it is invoked: " + invoked + " > " + returned);
      }
    }

    public boolean unknown() {
      return returned == Long.MAX_VALUE;
    }
  }

  /** The result: linearizable, or not, with the longest prefix of operations that could be ordered. */
  public record Result(boolean linearizable, List<Operation> longestOrder) {}

  private final Model<S> model;

  public Linearizability(Model<S> model) {
    this.model = model;
  }

  private static final class Entry {
    final boolean call;
    final int id;
    final long time;
    Entry match; // a call's return entry, and the other way round
    Entry prev;
    Entry next;

    Entry(boolean call, int id, long time) {
      this.call = call;
      this.id = id;
      this.time = time;
    }
  }

  private record Memo(BitSet linearized, Object state) {}

  public Result check(List<Operation> history) {
    int n = history.size();
    List<Entry> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Operation op = history.get(i);
      Entry call = new Entry(true, i, op.invoked());
      Entry ret = new Entry(false, i, op.returned());
      call.match = ret;
      ret.match = call;
      events.add(call);
      events.add(ret);
    }
    // By time; at equal times a return comes before a call (they did not overlap).
    events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.call));
    Entry head = new Entry(true, -1, Long.MIN_VALUE);
    Entry last = head;
    for (Entry e : events) {
      last.next = e;
      e.prev = last;
      last = e;
    }

    S state = model.initial();
    BitSet linearized = new BitSet(n);
    Set<Memo> seen = new HashSet<>();
    List<Entry> stack = new ArrayList<>();
    List<S> states = new ArrayList<>();
    List<Operation> longest = List.of();
    Entry entry = head.next;
    while (head.next != null) {
      if (entry == null || !entry.call) {
        // Nothing left to try at this depth, or a return whose call is not linearized yet: this
        // order cannot work. Undo the last choice, or give up if there is none.
        if (stack.isEmpty()) {
          return new Result(false, longest);
        }
        Entry call = stack.remove(stack.size() - 1);
        state = states.remove(states.size() - 1);
        linearized.clear(call.id);
        relink(call);
        entry = call.next;
        continue;
      }
      S next = model.step(state, history.get(entry.id));
      if (next != null) {
        BitSet after = (BitSet) linearized.clone();
        after.set(entry.id);
        if (seen.add(new Memo(after, next))) {
          stack.add(entry);
          states.add(state);
          state = next;
          linearized = after;
          unlink(entry);
          if (stack.size() > longest.size()) {
            longest = stack.stream().map(e -> history.get(e.id)).toList();
          }
          entry = head.next;
          continue;
        }
      }
      entry = entry.next;
    }
    return new Result(true, stack.stream().map(e -> history.get(e.id)).toList());
  }

  private static void unlink(Entry call) {
    call.prev.next = call.next;
    if (call.next != null) {
      call.next.prev = call.prev;
    }
    Entry ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  private static void relink(Entry call) {
    Entry ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    if (call.next != null) {
      call.next.prev = call;
    }
  }

  @Override
  public String toString() {
    return "Linearizability[" + Objects.toString(model) + "]";
  }
}
