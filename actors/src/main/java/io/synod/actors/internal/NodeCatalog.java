package io.synod.actors.internal;

import io.synod.actors.CatalogSettings;
import io.synod.actors.GroupCatalog;
import io.synod.actors.GroupClient;
import io.synod.actors.GroupCommand;
import io.synod.actors.GroupExistsException;
import io.synod.actors.GroupTypes;
import io.synod.actors.RequestTimeoutException;
import io.synod.actors.RuntimeGroup;
import io.synod.actors.SynodGroup;
import io.synod.actors.UnknownGroupException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * This node's replica of the group catalog ({@link GroupCatalog}): the catalog group itself (a
 * system actor, {@value GroupCatalog#ID}, whose state machine is a {@link CatalogMachine}), the
 * {@link GroupReconciler} that runs this node's runtime groups as it says, and the requests an
 * application makes of it, each checked here before it is proposed.
 */
final class NodeCatalog implements GroupCatalog {

  private final NodeRuntime node;
  private final GroupTypes types;
  private final GroupClient<CatalogCommand, CatalogResult> client;
  private final ActorRef<GroupReconciler.Command> reconciler;
  private final Map<String, Running> runningHere = new ConcurrentHashMap<>();
  private final CompletableFuture<String> conflict = new CompletableFuture<>();
  private final RunningGroups runningGroups;
  private final Duration timeout;

  private NodeCatalog(NodeRuntime node, GroupTypes types, CatalogSettings settings, RunningGroups runningGroups) {
    this.node = node;
    this.types = types;
    this.runningGroups = runningGroups;
    this.timeout = node.settings().client().requestTimeout();
    List<Integer> voters = settings.votersAmong(node.nodeIds());
    AtomicReference<ActorRef<GroupReconciler.Command>> nudged = new AtomicReference<>();
    SynodGroup<CatalogCommand, CatalogResult> group = SynodGroup.of(ID, CatalogCodec.COMMANDS, CatalogCodec.RESULTS,
        () -> new CatalogMachine(() -> {
          ActorRef<GroupReconciler.Command> r = nudged.get();
          if (r != null) { // null only before the reconciler starts, which reads the replica first anyway
            r.tell(GroupReconciler.Nudge.INSTANCE);
          }
        }));
    ActorSystem<?> system = node.system();
    ActorRef<GroupCommand> actor = system.systemActorOf(node.groupBehavior(group, 0, voters, List.of(),
        !voters.contains(node.self()), node.settings()), ID, Props.empty());
    this.client = group.client(node, actor);
    this.reconciler = system.systemActorOf(GroupReconciler.create(node, types, client, settings, runningHere, conflict,
        runningGroups), "synod-runtime-groups", Props.empty());
    nudged.set(reconciler);
  }

  /**
   * Starts the catalog on {@code node}.
   *
   * @throws IllegalArgumentException if {@code settings} name a node that is not one of the cluster's
   */
  static NodeCatalog start(NodeRuntime node, GroupTypes types, CatalogSettings settings, RunningGroups runningGroups) {
    return new NodeCatalog(node, types, settings, runningGroups);
  }

  GroupTypes types() {
    return types;
  }

  @Override
  public CompletionStage<RuntimeGroup> create(String group, String type, List<Integer> members) {
    RuntimeGroup.checkId(group);
    if (!types.knows(type)) {
      RuntimeGroup.checkType(type);
      throw new IllegalArgumentException("unknown group type '" + type + "'; node " + node.self() + " knows "
          + types.names());
    }
    RuntimeGroup probe = new RuntimeGroup(group, type, members, 1); // its own checks of the members
    for (int m : probe.members()) {
      if (!node.nodes().containsKey(m)) {
        throw new IllegalArgumentException("group '" + group + "' lists node " + m + ", which is not among the nodes "
            + node.nodeIds());
      }
    }
    if (runningGroups.runsOutsideCatalog(group)) {
      return CompletableFuture.failedFuture(new GroupExistsException(group, "node " + node.self() + " runs a group of"
          + " that id outside the catalog (configured in its file, or spawned by the application)"));
    }
    return client.propose(new CatalogCommand.Create(group, type, probe.members())).thenCompose(result -> {
      if (result instanceof CatalogResult.Created c) {
        return carriedOut(group, c.version()).thenApply(state -> c.group());
      }
      return CompletableFuture.failedFuture(refusal(group, result));
    });
  }

  @Override
  public CompletionStage<RuntimeGroup> remove(String group) {
    RuntimeGroup.checkId(group);
    return client.propose(new CatalogCommand.Remove(group)).thenCompose(result -> {
      if (result instanceof CatalogResult.Removed r) {
        return carriedOut(group, r.version()).thenApply(state -> r.group());
      }
      if (result instanceof CatalogResult.Refused f && f.why() == CatalogResult.Why.UNKNOWN
          && runningGroups.runsOutsideCatalog(group)) {
        return CompletableFuture.failedFuture(new UnknownGroupException(group, "it was not created at runtime: node "
            + node.self() + " runs it outside the catalog (configured in its file, or spawned by the application), and"
            + " only groups created at runtime can be removed"));
      }
      return CompletableFuture.failedFuture(refusal(group, result));
    });
  }

  @Override
  public CompletionStage<Map<String, RuntimeGroup>> groups() {
    return client.read(CatalogCommand.Version.INSTANCE)
        .thenCompose(v -> carriedOut(ID, ((CatalogResult.VersionIs) v).version()))
        .thenApply(state -> Map.copyOf(state.groups()));
  }

  /** What a change the catalog refused, or an unexpected answer, becomes for the caller. */
  private static RuntimeException refusal(String group, CatalogResult result) {
    if (result instanceof CatalogResult.Refused f) {
      return switch (f.why()) {
        case EXISTS -> new GroupExistsException(group, f.reason());
        case UNKNOWN -> new UnknownGroupException(group, f.reason());
        case INVALID -> new IllegalArgumentException("group '" + group + "': " + f.reason());
      };
    }
    return new IllegalStateException("group '" + group + "': the catalog answered " + result);
  }

  /**
   * Completes with the catalog's state once this node has acted on {@code version} changes or more
   * (the reconciler started, stopped and deleted what they call for); fails at the client's request
   * timeout, saying the change was decided.
   */
  private CompletionStage<CatalogState> carriedOut(String group, long version) {
    return AskPattern.<GroupReconciler.Command, CatalogState>ask(reconciler,
        replyTo -> new GroupReconciler.AwaitReconciled(version, replyTo), timeout, node.system().scheduler())
        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(
            failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException
                ? new RequestTimeoutException(group, "the catalog decided it, but node " + node.self()
                    + " had not carried it out within " + timeout + " (it will; its log says when)")
                : failure));
  }

  @Override
  public Map<String, Running> runningHere() {
    return Map.copyOf(runningHere);
  }

  @Override
  public GroupClient<?, ?> catalogClient() {
    return client;
  }

  @Override
  public CompletionStage<String> conflict() {
    return conflict.minimalCompletionStage();
  }
}
