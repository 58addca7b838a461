package io.synod.samples.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.samples.linearizability.Linearizability.Operation;
import io.synod.samples.linearizability.Models.Add;
import io.synod.samples.linearizability.Models.Cas;
import io.synod.samples.linearizability.Models.Delete;
import io.synod.samples.linearizability.Models.Get;
import io.synod.samples.linearizability.Models.Read;
import io.synod.samples.linearizability.Models.Value;
import io.synod.samples.linearizability.Models.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The checker on histories known to be linearizable or not, including unknown outcomes. */
class LinearizabilityTest {

  private static final long NEVER = Long.MAX_VALUE;
  private final Linearizability<String> register = new Linearizability<>(Models.REGISTER);
  private final Linearizability<Long> counter = new Linearizability<>(Models.COUNTER);

  private static Operation op(int client, Object in, Object out, long invoked, long returned) {
    return new Operation(client, in, out, invoked, returned);
  }

  @Test
  void sequentialRegisterHistoryIsLinearizable() {
    assertTrue(register.check(List.of(
        op(0, new Write("a"), true, 0, 1),
        op(1, new Read(), new Value("a"), 2, 3),
        op(0, new Cas("a", "b"), true, 4, 5),
        op(1, new Read(), new Value("b"), 6, 7))).linearizable());
  }

  @Test
  void aStaleReadAfterAnAcknowledgedWriteIsNot() {
    Linearizability.Result r = register.check(List.of(
        op(0, new Write("a"), true, 0, 1),
        op(0, new Write("b"), true, 2, 3),
        op(1, new Read(), new Value("a"), 4, 5)));
    assertFalse(r.linearizable());
    assertEquals(2, r.longestOrder().size(), "the two writes could be ordered, the read not");
  }

  @Test
  void concurrentOperationsMayTakeEffectInEitherOrder() {
    // The read overlaps the write: it may see the old value or the new one.
    assertTrue(register.check(List.of(
        op(0, new Write("a"), true, 0, 1),
        op(1, new Write("b"), true, 2, 10),
        op(2, new Read(), new Value("a"), 3, 4),
        op(2, new Read(), new Value("b"), 5, 6),
        op(3, new Read(), new Value("b"), 11, 12))).linearizable());
    // But not go back: b seen, then a (while the write of b is still in progress).
    assertFalse(register.check(List.of(
        op(0, new Write("a"), true, 0, 1),
        op(1, new Write("b"), true, 2, 10),
        op(2, new Read(), new Value("b"), 3, 4),
        op(2, new Read(), new Value("a"), 5, 6))).linearizable());
  }

  @Test
  void anUnknownWriteMayHaveHappenedOrNot() {
    // A timed-out write of b: a later read of b is fine, and so is a read of a.
    assertTrue(register.check(List.of(
        op(0, new Write("a"), true, 0, 1),
        op(1, new Write("b"), null, 2, NEVER),
        op(2, new Read(), new Value("b"), 10, 11))).linearizable());
    assertTrue(register.check(List.of(
        op(0, new Write("a"), true, 0, 1),
        op(1, new Write("b"), null, 2, NEVER),
        op(2, new Read(), new Value("a"), 10, 11))).linearizable());
    // It can take effect only once: a, b, a again is impossible.
    assertFalse(register.check(List.of(
        op(0, new Write("a"), true, 0, 1),
        op(1, new Write("b"), null, 2, NEVER),
        op(2, new Read(), new Value("b"), 10, 11),
        op(2, new Read(), new Value("a"), 12, 13))).linearizable());
    // And not before it was invoked.
    assertFalse(register.check(List.of(
        op(0, new Write("a"), true, 0, 1),
        op(2, new Read(), new Value("b"), 2, 3),
        op(1, new Write("b"), null, 4, NEVER))).linearizable());
  }

  @Test
  void compareAndSetMustAgreeWithTheValue() {
    assertFalse(register.check(List.of(
        op(0, new Write("a"), true, 0, 1),
        op(1, new Cas("x", "b"), true, 2, 3))).linearizable(), "a CAS from x cannot succeed on a");
    assertTrue(register.check(List.of(
        op(0, new Write("a"), true, 0, 1),
        op(1, new Cas("x", "b"), false, 2, 3),
        op(1, new Read(), new Value("a"), 4, 5))).linearizable());
  }

  @Test
  void counterIncrementsAreCountedOnceEach() {
    assertTrue(counter.check(List.of(
        op(0, new Add(1), 1L, 0, 10),
        op(1, new Add(1), 2L, 1, 9),
        op(2, new Get(), 2L, 11, 12))).linearizable());
    assertFalse(counter.check(List.of(
        op(0, new Add(1), 1L, 0, 1),
        op(1, new Add(1), 1L, 2, 3))).linearizable(), "two acknowledged increments cannot both see 1");
    // A timed-out increment may count (2) or not (1), but a later read cannot see 3.
    assertTrue(counter.check(List.of(
        op(0, new Add(1), 1L, 0, 1),
        op(1, new Add(1), null, 2, NEVER),
        op(2, new Get(), 2L, 5, 6))).linearizable());
    assertFalse(counter.check(List.of(
        op(0, new Add(1), 1L, 0, 1),
        op(1, new Add(1), null, 2, NEVER),
        op(2, new Get(), 3L, 5, 6))).linearizable());
  }

  /**
   * A counter history the shape of a fault run's: 5 clients, each one operation at a time, a
   * fiftieth of them timed out (half of those applied), outputs from the order of random
   * linearization points within each operation's interval (before its return: an operation that
   * returns at the instant another is invoked precedes it).
   */
  private static List<Operation> clientsHistory(int operations, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    record Planned(int client, Object input, long invoked, long returned, long point, boolean unknown,
        boolean applied) {}
    List<Planned> planned = new ArrayList<>();
    long[] clock = new long[5];
    for (int i = 0; i < operations; i++) {
      int c = i % 5;
      long invoked = clock[c] + 1 + random.nextInt(40);
      long returned = invoked + 1 + random.nextInt(20);
      clock[c] = returned;
      boolean unknown = random.nextInt(50) == 0;
      planned.add(new Planned(c, random.nextInt(4) == 0 ? new Get() : new Add(1), invoked, returned,
          invoked + random.nextLong(returned - invoked), unknown, unknown && random.nextBoolean()));
    }
    List<Planned> byPoint = new ArrayList<>(planned);
    byPoint.sort(java.util.Comparator.comparingLong(Planned::point));
    java.util.Map<Planned, Long> outputs = new java.util.IdentityHashMap<>();
    long value = 0;
    for (Planned p : byPoint) {
      if (p.input() instanceof Add && (!p.unknown() || p.applied())) {
        value++;
      }
      outputs.put(p, value);
    }
    List<Operation> history = new ArrayList<>();
    for (Planned p : planned) {
      if (!p.unknown()) {
        history.add(op(p.client(), p.input(), outputs.get(p), p.invoked(), p.returned()));
      } else if (p.input() instanceof Add) {
        history.add(op(p.client(), p.input(), null, p.invoked(), NEVER));
      }
    }
    return history;
  }

  @Test
  void aLongHistoryFromConcurrentClientsIsChecked() {
    // 30,000 operations, about a soak's counter history; a budget far below what a search that
    // kept trying timed-out increments at every depth would need.
    Linearizability<Long> bounded = new Linearizability<>(Models.COUNTER, 3_000_000);
    List<Operation> history = clientsHistory(30_000, 7);
    assertTrue(bounded.check(history).linearizable());
    // Proving a history wrong means trying every order of it up to the bad output.
    List<Operation> wrong = new ArrayList<>(clientsHistory(5_000, 8));
    assertTrue(bounded.check(wrong).linearizable());
    int bad = 4_001;
    while (!(wrong.get(bad).input() instanceof Add) || wrong.get(bad).unknown()) {
      bad++;
    }
    wrong.set(bad, op(3, new Add(1), 99_999L, wrong.get(bad).invoked(), wrong.get(bad).returned()));
    assertFalse(bounded.check(wrong).linearizable(), "one impossible output is found");
    List<Operation> window = bounded.smallestWindow(wrong);
    assertTrue(window.contains(wrong.get(bad)) && window.size() < 10, "a short window with the bad output: "
        + (window.size() < 100 ? window : window.size() + " operations"));
  }

  @Test
  void deletesReportWhetherThereWasAValue() {
    assertTrue(register.check(List.of(
        op(0, new Delete(), false, 0, 1),
        op(0, new Write("a"), true, 2, 3),
        op(1, new Delete(), true, 4, 5),
        op(1, new Read(), new Value(null), 6, 7))).linearizable());
    assertFalse(register.check(List.of(
        op(0, new Write("a"), true, 0, 1),
        op(1, new Delete(), false, 2, 3))).linearizable(), "a value was there to delete");
  }

  @Test
  void manyUnknownIncrementsThatNeverTookEffectAreCheckedQuickly() {
    // 40 timed-out increments, none applied, among acknowledged ones: every subset of them would
    // be a different search state were they not interchangeable. A budget of a million steps is
    // far more than the search needs and far less than 2^40.
    Linearizability<Long> bounded = new Linearizability<>(Models.COUNTER, 1_000_000);
    List<Operation> history = new ArrayList<>();
    long time = 0;
    for (int i = 0; i < 40; i++) {
      history.add(op(100 + i, new Add(1), null, time++, NEVER));
      history.add(op(0, new Add(1), (long) i + 1, time++, time++));
    }
    history.add(op(1, new Get(), 40L, time++, time++));
    assertTrue(bounded.check(history).linearizable());
    history.add(op(1, new Get(), 39L, time++, time++));
    assertFalse(bounded.check(history).linearizable(), "the count cannot go back");
  }

  @Test
  void theSmallestWindowIsShortAndHoldsTheViolation() {
    // 200 sequential writes and reads of one register, one read in the middle stale, and a write
    // whose outcome is unknown (it cannot explain the stale read).
    List<Operation> history = new ArrayList<>();
    long time = 0;
    for (int i = 0; i < 100; i++) {
      history.add(op(0, new Write("v" + i), true, time++, time++));
      history.add(op(1, new Read(), new Value(i == 60 ? "v58" : "v" + i), time++, time++));
    }
    history.add(op(2, new Write("w"), null, 5, NEVER));
    assertFalse(register.check(history).linearizable());
    List<Operation> window = register.smallestWindow(history);
    assertTrue(window.size() <= 3, "the window is the stale read and the write before it: " + window);
    assertTrue(window.stream().noneMatch(Operation::unknown), "the unknown write is left out: " + window);
    assertTrue(window.contains(history.get(121)), "it holds the stale read: " + window);
    assertFalse(register.checkFromAnyState(window).linearizable(), "the window fails from any state");
    // A linearizable history is its own window.
    List<Operation> fine = history.subList(0, 100);
    assertEquals(fine, register.smallestWindow(fine));
  }

  @Test
  void aWindowCutsOperationsRunningAtItsStartToUnknownOutcomes() {
    // Linearizable: write 1, write 2, read 2, read 2 (the write of 1 takes effect first).
    List<Operation> history = List.of(
        op(0, new Write("1"), true, 0, 12),
        op(1, new Write("2"), true, 2, 4),
        op(2, new Read(), new Value("2"), 10, 11),
        op(2, new Read(), new Value("2"), 14, 16));
    assertTrue(register.check(history).linearizable());
    // From time 10 the write of 1 is still running, but it may have taken effect before 10: the
    // window must not make it take effect inside, or the window would fail where the history does not.
    List<Operation> window = Linearizability.from(history, 10);
    assertTrue(window.get(0).unknown(), "the write running at the start has an unknown outcome: " + window);
    assertTrue(register.checkFromAnyState(window).linearizable(), "the window of a linearizable history");
    // And a window that fails from any state: a read of 2 then of 1 with no write in between.
    assertFalse(register.checkFromAnyState(List.of(
        op(2, new Read(), new Value("2"), 10, 11),
        op(2, new Read(), new Value("1"), 12, 13))).linearizable());
  }

  @Test
  void unknownTwinsStillCannotExplainTooMuch() {
    // Two clients' deletes of unknown outcome are interchangeable, but each deletes once: after
    // one write and two reads of it, a third read of nothing needs a delete after the second read.
    assertTrue(register.check(List.of(
        op(0, new Delete(), null, 0, NEVER),
        op(1, new Delete(), null, 1, NEVER),
        op(2, new Write("a"), true, 2, 3),
        op(2, new Read(), new Value("a"), 4, 5),
        op(2, new Read(), new Value(null), 6, 7))).linearizable(), "one of the deletes after the write");
    assertFalse(register.check(List.of(
        op(0, new Delete(), null, 0, NEVER),
        op(1, new Delete(), null, 1, NEVER),
        op(2, new Write("a"), true, 2, 3),
        op(2, new Read(), new Value(null), 4, 5),
        op(2, new Read(), new Value("a"), 6, 7))).linearizable(), "no delete brings a value back");
    // Three unknown increments explain at most three missing counts.
    List<Operation> counts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      counts.add(op(i, new Add(1), null, i, NEVER));
    }
    counts.add(op(9, new Get(), 3L, 10, 11));
    assertTrue(counter.check(counts).linearizable());
    counts.add(op(9, new Get(), 4L, 12, 13));
    assertFalse(counter.check(counts).linearizable());
  }

  @Test
  void aWindowStartsFromAnyStateSoItIsEvidenceOnItsOwn() {
    // From any value, a read of x followed by a read of y with no write between cannot be.
    Linearizability.Model<String> m = Models.REGISTER;
    String any = m.wildcard();
    assertEquals("x", m.step(any, op(0, new Read(), new Value("x"), 0, 1)));
    assertEquals(null, m.step("x", op(0, new Read(), new Value("y"), 2, 3)));
    assertEquals(any, m.step(any, op(0, new Cas("a", "b"), false, 0, 1)), "a refused CAS leaves any value");
    assertEquals(7L, Models.COUNTER.step(Models.COUNTER.wildcard(), op(0, new Add(2), 7L, 0, 1)));
    assertEquals(null, Models.COUNTER.step(7L, op(0, new Get(), 8L, 2, 3)));
  }
}
