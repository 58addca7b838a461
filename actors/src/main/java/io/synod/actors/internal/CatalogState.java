package io.synod.actors.internal;

import io.synod.actors.RuntimeGroup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The group catalog's replicated state, and the rules that change it (pure and deterministic: every
 * replica applies the same commands to the same state and gets the same result). It holds the
 * runtime groups by id, the lives removed so far (each node deletes a removed life's data, also one
 * that was down when the removal was decided and learns of it later), the next incarnation to give,
 * and its version, the number of changes applied. Immutable: {@link #apply} returns the next state.
 */
final class CatalogState {

  static final CatalogState EMPTY = new CatalogState(0, 1, new TreeMap<>(), List.of());

  private final long version;
  private final long nextIncarnation;
  private final SortedMap<String, RuntimeGroup> groups;
  private final List<RuntimeGroup> removed;

  /** The state and what it answered: the result of applying one command. */
  record Outcome(CatalogState state, CatalogResult result) {}

  CatalogState(long version, long nextIncarnation, SortedMap<String, RuntimeGroup> groups, List<RuntimeGroup> removed) {
    if (version < 0 || nextIncarnation < 1) {
      throw new IllegalArgumentException("catalog version must be >= 0 and the next incarnation >= 1, got " + version
          + " and " + nextIncarnation);
    }
    for (RuntimeGroup g : groups.values()) {
      if (g.incarnation() >= nextIncarnation) {
        throw new IllegalArgumentException("group '" + g.id() + "' has incarnation " + g.incarnation()
            + ", not below the next one, " + nextIncarnation);
      }
    }
    this.version = version;
    this.nextIncarnation = nextIncarnation;
    this.groups = Collections.unmodifiableSortedMap(new TreeMap<>(groups));
    this.removed = List.copyOf(removed);
  }

  long version() {
    return version;
  }

  long nextIncarnation() {
    return nextIncarnation;
  }

  /** The runtime groups, by id. */
  SortedMap<String, RuntimeGroup> groups() {
    return groups;
  }

  /** Every life removed so far, oldest first. */
  List<RuntimeGroup> removed() {
    return removed;
  }

  /** Applies a change; a query changes nothing and is answered as {@link #read} answers it. */
  Outcome apply(CatalogCommand command) {
    if (command instanceof CatalogCommand.Create c) {
      return create(c);
    }
    if (command instanceof CatalogCommand.Remove r) {
      return remove(r);
    }
    return new Outcome(this, read(command));
  }

  /** Answers a query; a change is refused (it would be applied only through the log). */
  CatalogResult read(CatalogCommand query) {
    if (query == CatalogCommand.Version.INSTANCE) {
      return new CatalogResult.VersionIs(version);
    }
    if (query == CatalogCommand.Everything.INSTANCE) {
      return new CatalogResult.Whole(this);
    }
    return new CatalogResult.Refused(CatalogResult.Why.INVALID, "a change to the catalog is not a read: " + query);
  }

  private Outcome create(CatalogCommand.Create c) {
    RuntimeGroup group;
    try {
      group = new RuntimeGroup(c.group(), c.type(), c.members(), nextIncarnation);
    } catch (IllegalArgumentException e) {
      return new Outcome(this, new CatalogResult.Refused(CatalogResult.Why.INVALID, e.getMessage()));
    }
    RuntimeGroup existing = groups.get(c.group());
    if (existing != null) {
      return new Outcome(this, new CatalogResult.Refused(CatalogResult.Why.EXISTS, "it exists already: "
          + describe(existing)));
    }
    SortedMap<String, RuntimeGroup> next = new TreeMap<>(groups);
    next.put(group.id(), group);
    CatalogState after = new CatalogState(version + 1, nextIncarnation + 1, next, removed);
    return new Outcome(after, new CatalogResult.Created(group, after.version));
  }

  private Outcome remove(CatalogCommand.Remove r) {
    RuntimeGroup existing = groups.get(r.group());
    if (existing == null) {
      return new Outcome(this, new CatalogResult.Refused(CatalogResult.Why.UNKNOWN, "no group of that id was created"
          + " at runtime" + (wasRemoved(r.group()) ? " since it was last removed" : "")));
    }
    SortedMap<String, RuntimeGroup> next = new TreeMap<>(groups);
    next.remove(r.group());
    List<RuntimeGroup> gone = new ArrayList<>(removed);
    gone.add(existing);
    CatalogState after = new CatalogState(version + 1, nextIncarnation, next, gone);
    return new Outcome(after, new CatalogResult.Removed(existing, after.version));
  }

  private boolean wasRemoved(String group) {
    return removed.stream().anyMatch(g -> g.id().equals(group));
  }

  /** "type counter, members [1, 2, 3], incarnation 4". */
  static String describe(RuntimeGroup g) {
    return "type " + g.type() + ", members " + g.members() + ", incarnation " + g.incarnation();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CatalogState s && s.version == version && s.nextIncarnation == nextIncarnation
        && s.groups.equals(groups) && s.removed.equals(removed);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(version) * 31 + groups.hashCode();
  }

  @Override
  public String toString() {
    return "CatalogState[version " + version + ", next incarnation " + nextIncarnation + ", groups " + groups.values()
        + ", removed " + removed + "]";
  }
}
