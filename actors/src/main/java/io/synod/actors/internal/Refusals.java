package io.synod.actors.internal;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node refused from its peers (or from whoever claimed to be one), counted by reason: a
 * connection whose certificate names no node of the cluster, a message stamped with a ticket this
 * node did not issue, one for a group this node does not run, ... Each (peer, reason) is logged at
 * WARN the first time, then at DEBUG, so a misconfigured or hostile peer cannot flood the log. Used
 * from the gateway and from Artery's TLS threads alike.
 */
public final class Refusals {

  private static final Logger LOG = LoggerFactory.getLogger(Refusals.class);
  private static final int MAX_WARNED = 10_000;

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /**
   * Counts one refusal of {@code reason} (a short stable name, e.g. {@code wrong-ticket}) of what
   * {@code peer} sent, and logs {@code detail} (what was refused, and why; made only if logged).
   */
  public void refuse(String peer, String reason, Supplier<String> detail) {
    refuse(peer, reason, detail, false);
  }

  /**
   * As {@link #refuse(String, String, Supplier)}; an {@code expected} refusal (one that normal
   * operation causes, e.g. right after a restart) is logged at INFO instead of WARN.
   */
  public void refuse(String peer, String reason, Supplier<String> detail, boolean expected) {
    counts.computeIfAbsent(reason, r -> new LongAdder()).increment();
    String key = peer + "|" + reason + (expected ? "|expected" : "");
    if (warned.size() < MAX_WARNED && warned.add(key)) {
      String format = "refused from {} ({}): {} (logged once per peer and reason; counted in refused.{})";
      if (expected) {
        LOG.info(format, peer, reason, detail.get(), reason);
      } else {
        LOG.warn(format, peer, reason, detail.get(), reason);
      }
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("refused from {} ({}): {}", peer, reason, detail.get());
    }
  }

  /** Refusals so far by reason, ordered by reason. */
  public Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((reason, n) -> out.put(reason, n.sum()));
    return out;
  }
}
