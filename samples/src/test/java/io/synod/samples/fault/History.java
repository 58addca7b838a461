package io.synod.samples.fault;

import io.synod.samples.linearizability.Linearizability.Operation;
import io.synod.samples.linearizability.Models;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the fault test's clients did: every operation with its outcome and the monotonic times
 * ({@code System.nanoTime}) at which it was invoked and returned. Thread-safe.
 */
final class History {

  /** ok: it took effect, with this output; fail: it certainly did not; unknown: it may have, or not. */
  enum Outcome { OK, FAIL, UNKNOWN }

  /**
   * One operation. {@code key} is the register's key, or null for the counter; {@code input} and
   * {@code output} are the {@link Models} inputs and outputs; {@code node} the node asked.
   */
  record Op(int client, int node, String key, Object input, Object output, long invoked, long returned,
      Outcome outcome, String detail) {

    String line(long origin) {
      return String.format("%10.3f %10.3f client=%-3d node=%d %-7s %s %s -> %s%s", (invoked - origin) / 1e6,
          (returned - origin) / 1e6, client, node, outcome, key == null ? "counter" : "key=" + key, input, output,
          detail.isEmpty() ? "" : " (" + detail + ")");
    }
  }

  /** Something the nemesis did, at System.nanoTime {@code at}. */
  record Event(long at, String what) {
    String line(long origin) {
      return String.format("%10.3f            NEMESIS %s", (at - origin) / 1e6, what);
    }
  }

  private final List<Op> ops = new ArrayList<>();
  private final List<Event> events = new ArrayList<>();

  synchronized void nemesis(String what) {
    events.add(new Event(System.nanoTime(), what));
  }

  /** When the first operation was invoked (System.nanoTime); report times count from it. */
  synchronized long origin() {
    return ops.stream().mapToLong(Op::invoked).min().orElse(0);
  }

  synchronized List<Event> events() {
    return new ArrayList<>(events);
  }

  /**
   * The operations on {@code key} (null: the counter) and the nemesis's events, one per line in
   * time order, times in ms since {@code origin}.
   */
  List<String> lines(String key, long origin) {
    record Line(long at, String text) {}
    List<Line> lines = new ArrayList<>();
    for (Op o : all()) {
      if (Objects.equals(o.key(), key)) {
        lines.add(new Line(o.invoked(), o.line(origin)));
      }
    }
    for (Event e : events()) {
      lines.add(new Line(e.at(), e.line(origin)));
    }
    lines.sort(Comparator.comparingLong(Line::at));
    return lines.stream().map(Line::text).toList();
  }

  synchronized void add(Op op) {
    ops.add(op);
  }

  synchronized List<Op> all() {
    List<Op> copy = new ArrayList<>(ops);
    copy.sort(Comparator.comparingLong(Op::invoked));
    return copy;
  }

  /**
   * The operations the checker sees for {@code key} (null: the counter): ok ones as they are,
   * unknown ones as never returning with no output, failed ones and unknown reads left out (they
   * had no effect and showed nothing).
   */
  List<Operation> forChecker(String key) {
    List<Operation> out = new ArrayList<>();
    for (Op o : all()) {
      if (!Objects.equals(o.key(), key) || o.outcome() == Outcome.FAIL) {
        continue;
      }
      if (o.outcome() == Outcome.OK) {
        out.add(new Operation(o.client(), o.input(), o.output(), o.invoked(), o.returned()));
      } else if (!(o.input() instanceof Models.Read || o.input() instanceof Models.Get)) {
        out.add(new Operation(o.client(), o.input(), null, o.invoked(), Long.MAX_VALUE));
      }
    }
    return out;
  }

  /** The keys of the register operations, sorted. */
  List<String> keys() {
    Map<String, Boolean> keys = new TreeMap<>();
    for (Op o : all()) {
      if (o.key() != null) {
        keys.put(o.key(), true);
      }
    }
    return new ArrayList<>(keys.keySet());
  }

  synchronized long count(Outcome outcome) {
    return ops.stream().filter(o -> o.outcome() == outcome).count();
  }

  synchronized int size() {
    return ops.size();
  }
}
