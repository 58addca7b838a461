package io.synod.bootstrap;

import io.synod.Synod;
import io.synod.actors.GroupCatalog;
import io.synod.actors.GroupClient;
import io.synod.actors.GroupCommand;
import io.synod.actors.GroupTypes;
import io.synod.actors.SynodGroup;
import io.synod.actors.SynodNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * A standalone node running: its actor system (Artery on its member address, journal and snapshots
 * under its data directory), Synod on it, every configured group this node is a member of, its
 * replica of the catalog of groups created at runtime (with the types of {@code
 * synod.cluster.group-types}) and the runtime groups it runs, and its HTTP API if it has one (with
 * the admin token, see {@link AdminToken}, resolved before anything starts).
 * {@link #close} stops it gracefully: Pekko's coordinated shutdown closes the journal and releases
 * the port, as it also does on SIGTERM.
 */
public final class RunningNode implements AutoCloseable {

  private final NodeConfig config;
  private final ActorSystem<Void> system;
  private final SynodNode synod;
  private final Map<String, ActorRef<GroupCommand>> groups = new LinkedHashMap<>();
  private final Map<String, SynodGroup<?, ?>> definitions = new LinkedHashMap<>();
  private final Map<String, GroupClient<?, ?>> clients = new LinkedHashMap<>();
  /** This node's clients of the runtime groups, by the actor of the life they were made for. */
  private final Map<ActorRef<GroupCommand>, GroupClient<?, ?>> runtimeClients = new ConcurrentHashMap<>();
  private final GroupCatalog catalog;
  private final ServerBinding http;

  private RunningNode(NodeConfig config) {
    this.config = config;
    // Before anything starts: a token file others may read refuses start.
    AdminToken adminToken = config.http().port() > 0 ? AdminToken.resolve(config.http(), config.dataDir()) : null;
    this.system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM, config.config());
    try {
      this.synod = Synod.get(system); // from synod.node.id and .members, which NodeConfig set
      for (NodeConfig.Group g : config.groups()) {
        if (g.runsOn(config.self())) {
          SynodGroup<?, ?> def = g.type().define(g.id()).withPreferredLeader(g.preferredLeader());
          if (!def.id().equals(g.id())) {
            throw new InvalidConfigException("synod.cluster.groups: type " + g.type().getClass().getName()
                + " defined group '" + def.id() + "' when asked for '" + g.id() + "'");
          }
          definitions.put(g.id(), def);
          ActorRef<GroupCommand> ref = system.systemActorOf(
              def.behavior(synod, g.members(), g.learners(), g.joins(), config.settings()),
              "group-" + java.net.URLEncoder.encode(g.id(), java.nio.charset.StandardCharsets.UTF_8), Props.empty());
          groups.put(g.id(), ref);
          clients.put(g.id(), def.client(synod, ref, config.settings()));
        }
      }
      // After the configured groups: a runtime group of the same id is then seen to conflict.
      Map<String, Function<String, SynodGroup<?, ?>>> types = new TreeMap<>();
      config.groupTypes().forEach((name, type) -> types.put(name, type::define));
      this.catalog = synod.catalog(GroupTypes.of(types));
      this.http = config.http().port() > 0 ? NodeHttp.bind(this, adminToken) : null;
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /** Starts the node {@code config} describes. */
  public static RunningNode start(NodeConfig config) {
    return new RunningNode(config);
  }

  public NodeConfig config() {
    return config;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public SynodNode synod() {
    return synod;
  }

  /** The actor of each configured group this node runs, by group id. */
  public Map<String, ActorRef<GroupCommand>> groups() {
    return Map.copyOf(groups);
  }

  /** The definition of each configured group this node runs, by group id. */
  public Map<String, SynodGroup<?, ?>> definitions() {
    return Map.copyOf(definitions);
  }

  /** This node's replica of the catalog of groups created at runtime. */
  public GroupCatalog catalog() {
    return catalog;
  }

  /**
   * This node's client of group {@code id} (one session per group, life and node), typed as the
   * group's definition says: a configured group, the catalog ({@link GroupCatalog#ID}, for its
   * status and membership), or a runtime group while this node runs it; null if none of these.
   */
  @SuppressWarnings("unchecked")
  public <C, R> GroupClient<C, R> client(String id) {
    GroupClient<?, ?> configured = clients.get(id);
    if (configured != null) {
      return (GroupClient<C, R>) configured;
    }
    if (id.equals(GroupCatalog.ID)) {
      return (GroupClient<C, R>) catalog.catalogClient();
    }
    return (GroupClient<C, R>) catalog.runningHere(id).map(this::runtimeClient).orElse(null);
  }

  /** The type of group {@code id} (configured, or created at runtime and run here), if this node runs it. */
  public Optional<GroupType> typeOf(String id) {
    for (NodeConfig.Group g : config.groups()) {
      if (g.id().equals(id) && g.runsOn(config.self())) {
        return Optional.of(g.type());
      }
    }
    return catalog.runningHere(id).map(r -> config.groupTypes().get(r.group().type()));
  }

  /**
   * This node's client of every group it runs, by group id: the configured ones in the
   * configuration's order, the catalog, then the runtime groups it runs now, by id.
   */
  public Map<String, GroupClient<?, ?>> clients() {
    Map<String, GroupClient<?, ?>> all = new LinkedHashMap<>(clients);
    all.put(GroupCatalog.ID, catalog.catalogClient());
    Map<String, GroupCatalog.Running> running = new TreeMap<>(catalog.runningHere());
    running.forEach((id, r) -> all.put(id, runtimeClient(r)));
    // A life that stopped needs its client no more.
    Set<ActorRef<GroupCommand>> actors = new HashSet<>();
    running.values().forEach(r -> actors.add(r.actor()));
    runtimeClients.keySet().retainAll(actors);
    return java.util.Collections.unmodifiableMap(all);
  }

  private GroupClient<?, ?> runtimeClient(GroupCatalog.Running r) {
    return runtimeClients.computeIfAbsent(r.actor(), actor -> r.definition().client(synod, actor, config.settings()));
  }

  /** Where HTTP listens, if it does. */
  public java.util.Optional<java.net.InetSocketAddress> httpAddress() {
    return java.util.Optional.ofNullable(http).map(ServerBinding::localAddress);
  }

  /** Stops the node and waits (at most a minute) until it has. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(Duration.ofMinutes(1).toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node " + config.self() + " did not stop within a minute; the actors still "
          + "alive:\n" + actorTree() + "\nits actor system's threads:\n" + threadsOf(system.name()), e);
    }
  }

  /** Pekko's own picture of the actors not yet stopped (an internal API, for this diagnosis only). */
  private String actorTree() {
    try {
      return ((org.apache.pekko.actor.ActorSystemImpl) org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system))
          .printTree();
    } catch (RuntimeException e) {
      return "(unavailable: " + e + ")";
    }
  }

  /** The stacks of the threads named after actor system {@code name}: what a stop that hangs waits for. */
  private static String threadsOf(String name) {
    StringBuilder out = new StringBuilder();
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      if (thread.getName().startsWith(name + "-") && stack.length > 0) {
        out.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
        for (int i = 0; i < Math.min(stack.length, 12); i++) {
          out.append("    at ").append(stack[i]).append('\n');
        }
      }
    });
    return out.toString();
  }
}
