package io.synod;

import io.synod.actors.SynodNode;
import io.synod.actors.SynodSettings;
import io.synod.actors.internal.NodeRuntime;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Where an application starts Synod: the Pekko extension whose instance, one per actor system, is
 * the {@link SynodNode}. {@link #get} starts it, the first time, from the actor system's
 * configuration: which node this is and where every node listens ({@code synod.node.id} and {@code
 * synod.node.members}), and the settings of its groups ({@code synod.group}, {@code synod.client}),
 * all explained in the actors' {@code reference.conf}. A test or an application that learns the
 * addresses only once its actor systems run (e.g. on ports the OS picked) passes them to {@link
 * #start} instead.
 *
 * <p>Before anything starts, Synod checks that it can run safely, and refuses otherwise with an
 * {@link IllegalArgumentException} that names the key to change: the node's id and addresses, the
 * settings against Artery's frame size, the journal and snapshot store (they must force their
 * writes to disk, unless {@code synod.group.allow-persistence-without-fsync} is on), and the
 * transport ({@link TransportSecurity}: mutual TLS with {@link NodeTlsEngineProvider} and untrusted
 * mode, unless {@code synod.insecure} is on).
 */
public final class Synod extends ExtensionId<SynodNode> {

  private static final Synod ID = new Synod();

  /**
   * The node {@link #start} checked, for the extension it registers on this thread: Pekko creates an
   * extension through {@link #createExtension}, which takes no arguments but the actor system.
   */
  private static final ThreadLocal<NodeRuntime.Plan> OFFERED = new ThreadLocal<>();

  private Synod() {}

  /**
   * Synod on {@code system}, started at the first call from the system's configuration; every later
   * call returns the same node (or throws the same error).
   *
   * @throws IllegalArgumentException if {@code synod.node.id} or {@code synod.node.members} is
   *     missing or malformed, this node is not among the members, its address there is not the
   *     actor system's own, or another check fails (see above); the message names the key
   */
  public static SynodNode get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /**
   * Starts Synod on {@code system} as node {@code self} of {@code nodes} (every node's id and
   * Artery address, this one's included), with the settings of the system's configuration; {@link
   * #get} returns the node afterwards.
   *
   * @throws IllegalArgumentException as {@link #start(ActorSystem, int, Map, SynodSettings)}
   * @throws IllegalStateException if Synod already runs in this actor system
   */
  public static SynodNode start(ActorSystem<?> system, int self, Map<Integer, Address> nodes) {
    return start(system, self, nodes, SynodSettings.create(system));
  }

  /**
   * Starts Synod on {@code system} as node {@code self} of {@code nodes}, with {@code settings}.
   *
   * @throws IllegalArgumentException if {@code self} is not among {@code nodes}, an id is negative,
   *     this node's address differs from the actor system's own, or another check fails (see above)
   * @throws IllegalStateException if Synod already runs in this actor system
   */
  public static SynodNode start(ActorSystem<?> system, int self, Map<Integer, Address> nodes, SynodSettings settings) {
    if (system.hasExtension(ID)) {
      throw alreadyRuns(system);
    }
    NodeRuntime.Plan plan = checked(system, self, nodes, settings);
    OFFERED.set(plan);
    try {
      SynodNode node = ID.apply(system);
      if (OFFERED.get() != null) {
        throw alreadyRuns(system); // another thread started Synod meanwhile: the plan was not taken
      }
      return node;
    } finally {
      OFFERED.remove();
    }
  }

  /** Called by Pekko, once per actor system: use {@link #get} or {@link #start}. */
  @Override
  public SynodNode createExtension(ActorSystem<?> system) {
    NodeRuntime.Plan offered = OFFERED.get();
    OFFERED.remove();
    return NodeRuntime.start(offered != null ? offered : fromConfig(system));
  }

  private static NodeRuntime.Plan fromConfig(ActorSystem<?> system) {
    NodeAddresses addresses = NodeAddresses.fromConfig(system.settings().config(), system.address());
    return checked(system, addresses.self(), addresses.nodes(), SynodSettings.create(system));
  }

  /** Every check before anything starts, in the order Synod has always made them. */
  private static NodeRuntime.Plan checked(ActorSystem<?> system, int self, Map<Integer, Address> nodes,
      SynodSettings settings) {
    NodeRuntime.Plan plan = NodeRuntime.check(system, self, nodes, settings);
    TransportSecurity.check(system);
    return plan;
  }

  private static IllegalStateException alreadyRuns(ActorSystem<?> system) {
    return new IllegalStateException("Synod already runs in actor system " + system.name()
        + "; start one SynodNode per actor system");
  }
}
