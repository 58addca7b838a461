package io.synod.actors.internal;

import java.util.Map;
import java.util.OptionalInt;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * Per actor system, what Synod's TLS checks and its gateway need to know about the nodes: which
 * node id lives at which Artery host and port (set once Synod starts on the system), and the
 * {@link Refusals} of what peers sent. A Pekko extension, so that Artery's TLS engine provider,
 * which Pekko creates by itself, finds the same instance as the gateway.
 */
public final class NodeIdentities implements Extension {

  private static final ExtensionIdentity ID = new ExtensionIdentity();

  private static final class ExtensionIdentity extends AbstractExtensionId<NodeIdentities> {
    @Override
    public NodeIdentities createExtension(ExtendedActorSystem system) {
      return new NodeIdentities();
    }
  }

  private final Refusals refusals = new Refusals();
  private volatile Map<String, Integer> idsByHostPort;

  private NodeIdentities() {}

  /** The instance of {@code system}. */
  public static NodeIdentities of(ActorSystem system) {
    return ID.get(system);
  }

  /** Synod started on this system with {@code nodes}: every node's id and Artery address. */
  public void start(Map<Integer, Address> nodes) {
    Map<String, Integer> ids = new java.util.HashMap<>();
    nodes.forEach((id, address) -> {
      if (address.host().isDefined() && address.port().isDefined()) {
        ids.put(hostPort(address.host().get(), (Integer) address.port().get()), id);
      }
    });
    idsByHostPort = Map.copyOf(ids);
  }

  /** Whether Synod has started on this system (before that, no peer can be checked). */
  public boolean started() {
    return idsByHostPort != null;
  }

  /** The node configured at {@code host}:{@code port}, if any. */
  public OptionalInt nodeAt(String host, int port) {
    Map<String, Integer> ids = idsByHostPort;
    Integer id = ids == null ? null : ids.get(hostPort(host, port));
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** Whether {@code id} is one of the nodes Synod was started with. */
  public boolean knows(int id) {
    Map<String, Integer> ids = idsByHostPort;
    return ids != null && ids.containsValue(id);
  }

  public Refusals refusals() {
    return refusals;
  }

  private static String hostPort(String host, int port) {
    return host.toLowerCase(java.util.Locale.ROOT) + ":" + port;
  }
}
