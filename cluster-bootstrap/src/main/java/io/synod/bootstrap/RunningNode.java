package io.synod.bootstrap;

import io.synod.Synod;
import io.synod.actors.GroupClient;
import io.synod.actors.GroupCommand;
import io.synod.actors.SynodGroup;
import io.synod.actors.SynodNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * A standalone node running: its actor system (Artery on its member address, journal and snapshots
 * under its data directory), Synod on it, every configured group this node is a member of, and its
 * HTTP API if it has one (with the admin token, see {@link AdminToken}, resolved before anything starts).
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

  /** The actor of each group this node runs, by group id. */
  public Map<String, ActorRef<GroupCommand>> groups() {
    return Map.copyOf(groups);
  }

  /** The definition of each group this node runs, by group id. */
  public Map<String, SynodGroup<?, ?>> definitions() {
    return Map.copyOf(definitions);
  }

  /**
   * This node's client of group {@code id} (one session per group and node), typed as the
   * group's definition says; null if this node does not run the group.
   */
  @SuppressWarnings("unchecked")
  public <C, R> GroupClient<C, R> client(String id) {
    return (GroupClient<C, R>) clients.get(id);
  }

  /** This node's client of every group it runs, by group id, in the configuration's order. */
  public Map<String, GroupClient<?, ?>> clients() {
    return java.util.Collections.unmodifiableMap(clients);
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
