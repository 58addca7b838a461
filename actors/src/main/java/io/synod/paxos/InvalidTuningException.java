package io.synod.paxos;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A {@link Tuning} that cannot be: which of its components are at fault and why. The reason is
 * phrased to follow the components' names and never repeats them, so that a caller who knows them
 * by other names (the configuration keys they were read from) can say the same thing in those
 * names with {@link #describe}.
 */
public final class InvalidTuningException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final List<String> components;
  private final String reason;

  InvalidTuningException(List<String> components, String reason) {
    super(describe(components, UnaryOperator.identity(), reason));
    this.components = List.copyOf(components);
    this.reason = reason;
  }

  /** The names of the record components at fault, as {@link Tuning} declares them. */
  public List<String> components() {
    return components;
  }

  /** What is wrong, to follow the components' names: "must be >= 1, got 0". */
  public String reason() {
    return reason;
  }

  /** The message, with each component called what {@code nameOf} returns for it. */
  public String describe(UnaryOperator<String> nameOf) {
    return describe(components, nameOf, reason);
  }

  private static String describe(List<String> components, UnaryOperator<String> nameOf, String reason) {
    List<String> names = components.stream().map(nameOf).toList();
    int last = names.size() - 1;
    String subject = last == 0 ? names.get(0)
        : String.join(", ", names.subList(0, last)) + " and " + names.get(last);
    return subject + " " + reason;
  }
}
