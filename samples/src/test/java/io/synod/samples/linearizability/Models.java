package io.synod.samples.linearizability;

import java.util.Objects;

/** The models the fault tests check: a register (per key) and a counter. */
public final class Models {

  private Models() {}

  /** Register inputs: write v; read; compare-and-set from e to v. */
  public sealed interface RegisterOp {}

  public record Write(String value) implements RegisterOp {}

  public record Read() implements RegisterOp {}

  public record Cas(String expected, String value) implements RegisterOp {}

  /** Outputs: a read's value (null: absent) as {@link Value}; a write's or CAS's success as Boolean. */
  public record Value(String value) {}

  /** One key's value; absent is the empty string's distinct marker {@link #ABSENT}. */
  public static final Linearizability.Model<String> REGISTER = new Linearizability.Model<>() {
    @Override
    public String initial() {
      return ABSENT;
    }

    @Override
    public String step(String state, Linearizability.Operation op) {
      Object out = op.output();
      if (op.input() instanceof Write w) {
        return out == null || Boolean.TRUE.equals(out) ? w.value() : null;
      }
      if (op.input() instanceof Read) {
        if (out == null) {
          return state;
        }
        String seen = ((Value) out).value();
        return Objects.equals(seen == null ? ABSENT : seen, state) ? state : null;
      }
      Cas c = (Cas) op.input();
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

  /** Marks a register with no value. */
  public static final String ABSENT = "\u0000absent";

  /** Counter inputs: add n (output: the value after, or null if unknown); read (output: the value). */
  public record Add(long by) {}

  public record Get() {}

  public static final Linearizability.Model<Long> COUNTER = new Linearizability.Model<>() {
    @Override
    public Long initial() {
      return 0L;
    }

    @Override
    public Long step(Long state, Linearizability.Operation op) {
      if (op.input() instanceof Add a) {
        long after = state + a.by();
        return op.output() == null || ((Long) op.output()) == after ? after : null;
      }
      return op.output() == null || ((Long) op.output()).equals(state) ? state : null;
    }

    @Override
    public String toString() {
      return "counter";
    }
  };
}
