package io.synod.actors;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The kinds of group a node can run when one is created at runtime ({@link GroupCatalog#create}):
 * for each type name, how to define the group of a given id (its state machine and codecs). The
 * catalog records only the type's name; every node of the group must know that name and define the
 * same group from it.
 *
 * <pre>{@code
 * GroupTypes types = GroupTypes.of(Map.of(
 *     "counter", id -> SynodGroup.of(id, Codec.int64(), Codec.int64(), Counter::new)));
 * }</pre>
 */
public final class GroupTypes {

  private static final GroupTypes NONE = new GroupTypes(Map.of());

  private final Map<String, Function<String, ? extends SynodGroup<?, ?>>> types;

  private GroupTypes(Map<String, Function<String, ? extends SynodGroup<?, ?>>> types) {
    this.types = types;
  }

  /**
   * The types of {@code types}, by name.
   *
   * @throws IllegalArgumentException if a name is not a valid type name ({@link RuntimeGroup#checkType})
   */
  public static GroupTypes of(Map<String, ? extends Function<String, ? extends SynodGroup<?, ?>>> types) {
    Map<String, Function<String, ? extends SynodGroup<?, ?>>> copy = new TreeMap<>();
    types.forEach((name, define) -> {
      RuntimeGroup.checkType(name);
      copy.put(name, Objects.requireNonNull(define, "the definition of type '" + name + "'"));
    });
    return new GroupTypes(Map.copyOf(copy));
  }

  /** No type: a node that creates no group at runtime and runs none (it still keeps the catalog). */
  public static GroupTypes none() {
    return NONE;
  }

  /** The type names, in ascending order. */
  public Set<String> names() {
    return java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(types.keySet()));
  }

  public boolean knows(String type) {
    return types.containsKey(type);
  }

  /**
   * Group {@code id} of type {@code type}.
   *
   * @throws IllegalArgumentException if the type is unknown here, or its definition names another
   *     group than {@code id}
   */
  public SynodGroup<?, ?> define(String type, String id) {
    Function<String, ? extends SynodGroup<?, ?>> define = types.get(type);
    if (define == null) {
      throw new IllegalArgumentException("unknown group type '" + type + "'; this node knows " + names());
    }
    SynodGroup<?, ?> group = define.apply(id);
    if (group == null || !group.id().equals(id)) {
      throw new IllegalArgumentException("group type '" + type + "' defined group '" + (group == null ? null
          : group.id()) + "' when asked for '" + id + "'");
    }
    return group;
  }
}
