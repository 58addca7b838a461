package io.synod.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;

/**
 * The settings of the group catalog ({@link GroupCatalog}), from {@code synod.catalog} (every key
 * and its default is in the actors' {@code reference.conf}): the nodes that vote in the catalog as
 * it begins, and how often a node compares the groups it runs with its replica of the catalog.
 * Validated once; an invalid value fails naming its key.
 */
public record CatalogSettings(List<Integer> members, Duration reconcileInterval) {

  public static final String PATH = "synod.catalog";

  /**
   * @throws IllegalArgumentException if a member is negative or listed twice, or the interval is not
   *     positive, naming the key
   */
  public CatalogSettings {
    TreeSet<Integer> unique = new TreeSet<>();
    for (Integer m : members) {
      if (m == null || m < 0 || !unique.add(m)) {
        throw new IllegalArgumentException(PATH + ".members must list distinct node ids >= 0, got " + members);
      }
    }
    members = List.copyOf(unique);
    if (reconcileInterval == null || reconcileInterval.isNegative() || reconcileInterval.isZero()) {
      throw new IllegalArgumentException(PATH + ".reconcile-interval must be positive, got " + reconcileInterval);
    }
  }

  /** Reads {@code synod.catalog} from a whole configuration. */
  public static CatalogSettings fromConfig(Config root) {
    try {
      return new CatalogSettings(root.getIntList(PATH + ".members"), root.getDuration(PATH + ".reconcile-interval"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid synod setting: " + e.getMessage(), e);
    }
  }

  /**
   * The catalog's voters as it begins, on a cluster of {@code nodes}: {@link #members}, or every
   * node if that is empty.
   *
   * @throws IllegalArgumentException if a member is not one of {@code nodes}
   */
  public List<Integer> votersAmong(List<Integer> nodes) {
    if (members.isEmpty()) {
      return List.copyOf(new TreeSet<>(nodes));
    }
    for (int m : members) {
      if (!nodes.contains(m)) {
        throw new IllegalArgumentException(PATH + ".members lists node " + m + ", which is not among the nodes "
            + new TreeSet<>(nodes));
      }
    }
    return members;
  }

  /** A copy with {@code synod.catalog.members} changed. */
  public CatalogSettings withMembers(List<Integer> members) {
    return new CatalogSettings(members, reconcileInterval);
  }

  /** A copy with {@code synod.catalog.reconcile-interval} changed. */
  public CatalogSettings withReconcileInterval(Duration reconcileInterval) {
    return new CatalogSettings(members, reconcileInterval);
  }
}
