package io.synod.samples.linearizability;

import java.util.Objects;

/** The models the fault tests check: a register (per key) and a counter. */
public final class Models {

  private Models() {}

  /** Register inputs: write v; delete; read; compare-and-set from e to v. */
  public sealed interface RegisterOp {}

  /** Output: Boolean.TRUE, or null if unknown. */
  public record Write(String value) implements RegisterOp {}

  /** Output: whether there was a value (Boolean), or null if unknown. */
  public record Delete() implements RegisterOp {}

  /** Output: a {@link Value}, or null if unknown. */
  public record Read() implements RegisterOp {}

  /** Output: whether the value was {@code expected} and is now {@code value} (Boolean), or null if unknown. */
  public record Cas(String expected, String value) implements RegisterOp {}

  /** A read's output: the value, null if there was none. */
  public record Value(String value) {}

  /** Marks a register with no value. */
  public static final String ABSENT = "\u0000absent";

  /** Marks a register whose value is not known (the start of a window cut out of a history). */
  static final String ANY = "\u0000any";

  /** One key's value: a string, {@link #ABSENT}, or (only in windows) {@link #ANY}. */
  public static final Linearizability.Model<String> REGISTER = new Linearizability.Model<>() {
    @Override
    public String initial() {
      return ABSENT;
    }

    @Override
    public String wildcard() {
      return ANY;
    }

    @Override
    public String step(String state, Linearizability.Operation op) {
      Object out = op.output();
      boolean any = ANY.equals(state);
      if (op.input() instanceof Write w) {
        return out == null || Boolean.TRUE.equals(out) ? w.value() : null;
      }
      if (op.input() instanceof Delete) {
        return out == null || any || ((Boolean) out) == !ABSENT.equals(state) ? ABSENT : null;
      }
      if (op.input() instanceof Read) {
        if (out == null) {
          return state;
        }
        String seen = ((Value) out).value() == null ? ABSENT : ((Value) out).value();
        return any || Objects.equals(seen, state) ? seen : null;
      }
      Cas c = (Cas) op.input();
      if (any) {
        return Boolean.TRUE.equals(out) ? c.value() : ANY; // unknown or refused: still any value
      }
      boolean matches = state.equals(c.expected());
      if (out == null) {
        return matches ? c.value() : state; // unknown: it did what it would have done
      }
      return Boolean.TRUE.equals(out) == matches ? (matches ? c.value() : state) : null;
    }

    @Override
    public String toString() {
      return "register";
    }
  };

  /** Counter inputs: add n (output: the value after, or null if unknown); read (output: the value). */
  public record Add(long by) {}

  public record Get() {}

  /** Marks a counter whose value is not known (the start of a window cut out of a history). */
  static final long ANY_COUNT = Long.MIN_VALUE;

  public static final Linearizability.Model<Long> COUNTER = new Linearizability.Model<>() {
    @Override
    public Long initial() {
      return 0L;
    }

    @Override
    public Long wildcard() {
      return ANY_COUNT;
    }

    @Override
    public Long step(Long state, Linearizability.Operation op) {
      Long out = (Long) op.output();
      boolean any = state == ANY_COUNT;
      if (op.input() instanceof Add a) {
        if (out == null) {
          return any ? state : state + a.by();
        }
        return any || out == state + a.by() ? out : null;
      }
      return out == null ? state : any || out.equals(state) ? out : null;
    }

    @Override
    public String toString() {
      return "counter";
    }
  };
}
