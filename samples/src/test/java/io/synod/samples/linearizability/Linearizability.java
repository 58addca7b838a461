package io.synod.samples.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

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

    /**
     * A state that stands for any state, for checking a window cut out of a longer history; {@code
     * step} from it takes the state the operation's output shows, or stays at it. Null if the
     * model has none (windows then start at the beginning of the history).
     */
    default S wildcard() {
      return null;
    }
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

  /** Thrown when a check takes more steps than its budget. */
  public static final class TooHardException extends RuntimeException {
    TooHardException(String message) {
      super(message);
    }
  }

  private final Model<S> model;
  private final long maxSteps;

  public Linearizability(Model<S> model) {
    this(model, 5_000_000);
  }

  /**
   * @param maxSteps how many search steps a check may take before it gives up with {@link
   *     TooHardException} (the memo holds at most one entry per step: about 100 bytes each)
   */
  public Linearizability(Model<S> model, long maxSteps) {
    this.model = model;
    this.maxSteps = maxSteps;
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

  /**
   * A search state already explored: the set of linearized operations (by two 64-bit Zobrist
   * hashes, the XOR of random numbers drawn for its members, so a step costs O(1) rather than a
   * copy of the set; two different sets collide with probability 2^-128) and the model's state.
   */
  private record Memo(long set1, long set2, Object state) {}

  /** Whether {@code history} is linearizable, starting from the model's initial state. */
  public Result check(List<Operation> history) {
    return check(history, model.initial(), maxSteps);
  }

  private Result check(List<Operation> history, S initial, long maxSteps) {
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
    // Operations of unknown outcome with equal inputs are interchangeable: once invoked, either can
    // take effect wherever the other could. Only the earliest not yet linearized is tried, which
    // turns the 2^k subsets of k such operations into k + 1 counts (for the counter's unknown
    // increments, the difference between seconds and hours).
    int[] twin = new int[n];
    Arrays.fill(twin, -1);
    Map<Object, Integer> lastUnknown = new HashMap<>();
    events.stream().filter(e -> e.call && history.get(e.id).unknown()).forEach(e -> {
      Integer before = lastUnknown.put(history.get(e.id).input(), e.id);
      twin[e.id] = before == null ? -1 : before;
    });
    Entry head = new Entry(true, -1, Long.MIN_VALUE);
    Entry last = head;
    for (Entry e : events) {
      last.next = e;
      e.prev = last;
      last = e;
    }

    long[] zobrist1 = new long[n];
    long[] zobrist2 = new long[n];
    SplittableRandom random = new SplittableRandom(0x5eed);
    for (int i = 0; i < n; i++) {
      zobrist1[i] = random.nextLong();
      zobrist2[i] = random.nextLong();
    }
    long set1 = 0;
    long set2 = 0;
    S state = initial;
    BitSet linearized = new BitSet(n);
    long steps = 0;
    Set<Memo> seen = new HashSet<>();
    List<Entry> stack = new ArrayList<>();
    List<S> states = new ArrayList<>();
    List<Operation> longest = List.of();
    boolean deeperThanLongest = false;
    // At each depth, operations whose outcome is known are tried first, those of unknown outcome
    // only after them: an unknown operation usually matters nowhere (it did not happen, or some
    // later write hides it), and tried first it would be tried again under every known one.
    boolean[] unknown = new boolean[n];
    for (int i = 0; i < n; i++) {
      unknown[i] = history.get(i).unknown();
    }
    boolean unknownPass = false;
    List<Boolean> passes = new ArrayList<>();
    Entry entry = head.next;
    while (head.next != null) {
      if (entry == null || !entry.call) {
        // Nothing left to try at this depth, or a return whose call is not linearized yet: this
        // order cannot work. Try the unknown operations, or undo the last choice, or give up.
        if (!unknownPass) {
          unknownPass = true;
          entry = head.next;
          continue;
        }
        if (deeperThanLongest) { // the deepest order so far, kept as it is about to be undone
          longest = stack.stream().map(e -> history.get(e.id)).toList();
          deeperThanLongest = false;
        }
        if (stack.isEmpty()) {
          return new Result(false, longest);
        }
        Entry call = stack.remove(stack.size() - 1);
        state = states.remove(states.size() - 1);
        unknownPass = passes.remove(passes.size() - 1);
        linearized.clear(call.id);
        set1 ^= zobrist1[call.id];
        set2 ^= zobrist2[call.id];
        relink(call);
        entry = call.next;
        continue;
      }
      if (unknown[entry.id] != unknownPass || (twin[entry.id] >= 0 && !linearized.get(twin[entry.id]))) {
        entry = entry.next; // not in this pass, or its earlier twin goes first
        continue;
      }
      if (++steps > maxSteps) {
        throw new TooHardException("gave up after " + maxSteps + " steps on " + n + " operations");
      }
      S next = model.step(state, history.get(entry.id));
      if (next != null && seen.add(new Memo(set1 ^ zobrist1[entry.id], set2 ^ zobrist2[entry.id], next))) {
        stack.add(entry);
        states.add(state);
        passes.add(unknownPass);
        unknownPass = false;
        state = next;
        linearized.set(entry.id);
        set1 ^= zobrist1[entry.id];
        set2 ^= zobrist2[entry.id];
        unlink(entry);
        deeperThanLongest |= stack.size() > longest.size();
        entry = head.next;
        continue;
      }
      entry = entry.next;
    }
    return new Result(true, stack.stream().map(e -> history.get(e.id)).toList());
  }

  /**
   * For a history that is not linearizable, a short stretch of it that is not linearizable on its
   * own: the operations from some start to some end time, the end as early as possible and then
   * the start as late as possible. Operations still running at the end count as unknown; with a
   * {@link Model#wildcard}, the stretch starts from any state, so it is evidence by itself; the
   * operations of unknown outcome in it are then left out, as they cannot explain it.
   * Returns the whole history if it is linearizable after all.
   */
  public List<Operation> smallestWindow(List<Operation> history) {
    List<Long> ends = history.stream().filter(o -> !o.unknown()).map(Operation::returned).distinct().sorted()
        .toList();
    if (ends.isEmpty() || check(history).linearizable()) {
      return history;
    }
    // Each probe has the whole budget; one that runs out ends the search with what it has.
    long budget = maxSteps;
    S initial = model.initial();
    int[] failing = {ends.size()};
    try {
      firstTrue(ends.size(), failing, i -> !check(prefix(history, ends.get(i)), initial, budget).linearizable());
    } catch (TooHardException e) {
      // keep the earliest failing end found so far
    }
    if (failing[0] == ends.size()) {
      return history; // only operations invoked after the last return make it fail: keep them all
    }
    List<Operation> prefix = prefix(history, ends.get(failing[0]));
    S any = model.wildcard();
    if (any == null) {
      return prefix;
    }
    // The latest start whose window still fails, probing short windows (cheap to check) first.
    List<Long> starts = prefix.stream().map(Operation::invoked).distinct().sorted().toList();
    int last = starts.size() - 1;
    int[] shortest = {starts.size()};
    try {
      firstTrue(starts.size(), shortest, j -> !check(from(prefix, starts.get(last - j)), any, budget).linearizable());
    } catch (TooHardException e) {
      // keep the shortest failing window found so far
    }
    if (shortest[0] == starts.size()) {
      return prefix;
    }
    List<Operation> window = from(prefix, starts.get(last - shortest[0]));
    // Operations of unknown outcome only add ways to order the rest; as the window fails with
    // them, it fails without them, and they cannot be what explains it: leave them out.
    List<Operation> known = window.stream().filter(o -> !o.unknown()).toList();
    try {
      return check(known, any, budget).linearizable() ? window : known;
    } catch (TooHardException e) {
      return window;
    }
  }

  /**
   * For a test that is false below some index and true from it on, finds that index in [0, n)
   * (n if none) by galloping from 0 (probing 0, 1, 3, 7, ...) and then bisecting, so that most
   * probes are of small indices. {@code best[0]} holds the least index seen true so far, also
   * if a probe throws.
   */
  private static void firstTrue(int n, int[] best, IntPredicate test) {
    int below = -1; // test(below) is false
    int probe = 0;
    while (true) {
      probe = Math.min(probe, n - 1);
      if (test.test(probe)) {
        best[0] = probe;
        break;
      }
      if (probe == n - 1) {
        return;
      }
      below = probe;
      probe = 2 * probe + 1;
    }
    while (best[0] - below > 1) {
      int mid = (below + best[0]) >>> 1;
      if (test.test(mid)) {
        best[0] = mid;
      } else {
        below = mid;
      }
    }
  }

  /** The operations invoked by {@code end}; those that returned after it, as unknown. */
  private static List<Operation> prefix(List<Operation> history, long end) {
    return history.stream().filter(o -> o.invoked() <= end)
        .map(o -> o.returned() <= end ? o : new Operation(o.client(), o.input(), null, o.invoked(), Long.MAX_VALUE))
        .toList();
  }

  /**
   * The operations that had not returned before {@code start}; those invoked before it, as
   * unknown (they may have taken effect before the window, where the wildcard state stands for
   * them, or in it).
   */
  static List<Operation> from(List<Operation> history, long start) {
    return history.stream().filter(o -> o.returned() >= start)
        .map(o -> o.invoked() >= start || o.unknown() ? o
            : new Operation(o.client(), o.input(), null, o.invoked(), Long.MAX_VALUE))
        .toList();
  }

  /** Whether {@code history} is linearizable from any state (the model's wildcard). */
  Result checkFromAnyState(List<Operation> history) {
    return check(history, model.wildcard(), maxSteps);
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
