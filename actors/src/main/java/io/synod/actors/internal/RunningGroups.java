package io.synod.actors.internal;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which groups run on this node, and which life of each ({@link GroupEnvelope}'s incarnation: 0 for
 * a group the application spawned or a node's file configures, the catalog's number for one created
 * at runtime). The node's gateway writes it as coordinators register and stop; the catalog reads it
 * from any thread, to refuse a runtime group whose id the node already runs outside the catalog.
 */
public final class RunningGroups {

  private final Map<String, Long> lives = new ConcurrentHashMap<>();

  void started(String group, long incarnation) {
    lives.put(group, incarnation);
  }

  void stopped(String group) {
    lives.remove(group);
  }

  /**
   * Whether this node runs a group of this id outside the catalog (incarnation 0: configured in its
   * file, or spawned by the application).
   */
  public boolean runsOutsideCatalog(String group) {
    Long incarnation = lives.get(group);
    return incarnation != null && incarnation == 0;
  }

  /** The life of {@code group} that runs on this node, if one does. */
  public OptionalLong incarnationOf(String group) {
    Long incarnation = lives.get(group);
    return incarnation == null ? OptionalLong.empty() : OptionalLong.of(incarnation);
  }
}
