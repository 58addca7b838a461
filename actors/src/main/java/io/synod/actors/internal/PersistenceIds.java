package io.synod.actors.internal;

import java.util.List;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The Pekko Persistence ids under which one life of a group on one node keeps its data: the
 * acceptor's events and snapshots ({@code synod-acceptor|<group>@<node>}) and the checkpoints
 * ({@code synod-checkpoint|<group>@<node>}). A life created at runtime (incarnation {@code i > 0},
 * see {@link GroupEnvelope}) appends {@code #<i>}, so that a group removed and created again never
 * reads what its earlier life stored; the ids of incarnation 0 are those Synod has always used. No
 * two lives share an id: what follows the last {@code @} is the node alone for incarnation 0, and
 * the node, {@code #} and the incarnation otherwise.
 */
final class PersistenceIds {

  private PersistenceIds() {}

  static PersistenceId acceptor(String group, int node, long incarnation) {
    return PersistenceId.of("synod-acceptor", entityId(group, node, incarnation), "|");
  }

  static PersistenceId checkpoint(String group, int node, long incarnation) {
    return PersistenceId.of("synod-checkpoint", entityId(group, node, incarnation), "|");
  }

  /** Every id of that life: what removing it deletes. */
  static List<PersistenceId> all(String group, int node, long incarnation) {
    return List.of(acceptor(group, node, incarnation), checkpoint(group, node, incarnation));
  }

  private static String entityId(String group, int node, long incarnation) {
    if (incarnation < 0) {
      throw new IllegalArgumentException("incarnation of group '" + group + "' must be >= 0, got " + incarnation);
    }
    return incarnation == 0 ? group + "@" + node : group + "@" + node + "#" + incarnation;
  }
}
