package io.synod.actors.internal;

import io.synod.actors.CatalogSettings;
import io.synod.actors.GroupCatalog;
import io.synod.actors.GroupClient;
import io.synod.actors.GroupCommand;
import io.synod.actors.GroupTypes;
import io.synod.actors.RuntimeGroup;
import io.synod.actors.StaleRead;
import io.synod.actors.SynodGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs, on one node, the runtime groups this node's replica of the catalog lists it in, and no
 * others (docs/protocol.md, "Groups at runtime"). It reads the replica ({@link CatalogState}, a
 * local read of the catalog group) after each change the replica applies and every {@code
 * reconcile-interval}, and then: starts each life listed with this node as a member that does not
 * run here (as its child, under the life's incarnation), stops each that runs here but is no longer
 * listed, and deletes the data of every removed life this node was a member of ({@link
 * LifeErasure}), once its actors have stopped, and again after each start of the node, whether or
 * not it ran that life then (a node that was down when a group was removed deletes its data so).
 *
 * <p>It acts on nothing until the catalog's majority has told it how many changes were decided
 * (a linearizable read of the catalog's version) and its replica has applied at least as many: a
 * node restarts from its last checkpoint of the catalog, and must not start a group removed since.
 * It never acts on a state older than one it acted on (a replica whose roles restart goes back to
 * its checkpoint for a moment), and deletes data only of lives the catalog lists as removed.
 *
 * <p>A life whose type is unknown here is not started (an ERROR says so), nor one that stopped by
 * itself (its journal failed, or its replicas diverged). A life whose id this node runs outside the
 * catalog (a group the application spawned, or a standalone node's file configures) is not started
 * while that group runs: the ERROR names the conflict, and {@code conflict} completes with the
 * first.
 */
final class GroupReconciler extends AbstractBehavior<GroupReconciler.Command> {

  sealed interface Command
      permits Nudge, Tick, Fresh, Local, ReadFailed, AwaitReconciled, LifeErasure.Erased, LifeErasure.Failed {}

  /** The replica applied a change or restored a checkpoint: read it again. */
  enum Nudge implements Command {
    INSTANCE
  }

  /** The reconcile interval passed. */
  private enum Tick implements Command {
    INSTANCE
  }

  /** The catalog's majority has decided {@code version} changes. */
  private record Fresh(long version) implements Command {}

  /** The local replica's state. */
  private record Local(CatalogState state) implements Command {}

  /** A read of the catalog failed; the next tick tries again. */
  private record ReadFailed(boolean fresh, Throwable cause) implements Command {}

  /**
   * Answer {@code replyTo} with the state acted on once this node has acted on {@code version}
   * changes or more and has no stop or deletion under way.
   */
  record AwaitReconciled(long version, ActorRef<CatalogState> replyTo) implements Command {}

  /** A life running here: the catalog's entry, its definition, its actor. */
  private record Life(RuntimeGroup group, SynodGroup<?, ?> definition, ActorRef<GroupCommand> actor) {}

  private final NodeRuntime node;
  private final GroupTypes types;
  private final GroupClient<CatalogCommand, CatalogResult> catalog;
  private final Map<String, GroupCatalog.Running> published;
  private final CompletableFuture<String> conflict;
  private final RunningGroups runningGroups;
  private final Map<String, Life> running = new HashMap<>();
  private final Map<ActorRef<GroupCommand>, RuntimeGroup> stopping = new HashMap<>();
  private final Set<RuntimeGroup> erasing = new HashSet<>();
  /** Removed lives whose data this node deleted since it started. */
  private final Set<RuntimeGroup> erased = new HashSet<>();
  /** Lives this node cannot run (an unknown type) or that stopped by themselves. */
  private final Set<RuntimeGroup> failed = new HashSet<>();
  /** Lives whose id this node runs outside the catalog: started once it no longer does. */
  private final Set<RuntimeGroup> conflicted = new HashSet<>();
  private final List<AwaitReconciled> waiters = new ArrayList<>();
  private long fresh = -1;
  private boolean freshAsked;
  private boolean localAsked;
  private boolean localAgain;
  private CatalogState acted;
  private int erasures;

  /**
   * @param published where the lives running here are shown (read from other threads)
   * @param conflict completed with the first life this node cannot run because it runs a group of
   *     that id outside the catalog
   */
  static Behavior<Command> create(NodeRuntime node, GroupTypes types, GroupClient<CatalogCommand, CatalogResult> catalog,
      CatalogSettings settings, Map<String, GroupCatalog.Running> published, CompletableFuture<String> conflict,
      RunningGroups runningGroups) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new GroupReconciler(ctx, timers, node, types, catalog,
        settings, published, conflict, runningGroups)));
  }

  private GroupReconciler(ActorContext<Command> ctx, TimerScheduler<Command> timers, NodeRuntime node,
      GroupTypes types, GroupClient<CatalogCommand, CatalogResult> catalog, CatalogSettings settings,
      Map<String, GroupCatalog.Running> published, CompletableFuture<String> conflict, RunningGroups runningGroups) {
    super(ctx);
    this.node = node;
    this.types = types;
    this.catalog = catalog;
    this.published = published;
    this.conflict = conflict;
    this.runningGroups = runningGroups;
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.reconcileInterval());
    ctx.getSelf().tell(Tick.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(Nudge.INSTANCE, this::onNudge)
        .onMessage(Fresh.class, this::onFresh)
        .onMessage(Local.class, this::onLocal)
        .onMessage(ReadFailed.class, this::onReadFailed)
        .onMessage(AwaitReconciled.class, this::onAwait)
        .onMessage(LifeErasure.Erased.class, this::onErased)
        .onMessage(LifeErasure.Failed.class, this::onEraseFailed)
        .onSignal(Terminated.class, this::onStopped)
        .build();
  }

  // ---- reading the catalog ----

  private Behavior<Command> onTick() {
    if (fresh < 0 && !freshAsked) {
      freshAsked = true;
      getContext().pipeToSelf(catalog.read(CatalogCommand.Version.INSTANCE), (r, failure) -> failure != null
          ? new ReadFailed(true, failure) : new Fresh(((CatalogResult.VersionIs) r).version()));
    }
    readLocal();
    return this;
  }

  private Behavior<Command> onNudge() {
    readLocal();
    return this;
  }

  /** One local read at a time; a nudge meanwhile reads again after it. */
  private void readLocal() {
    if (localAsked) {
      localAgain = true;
      return;
    }
    localAsked = true;
    getContext().pipeToSelf(catalog.readLocal(CatalogCommand.Everything.INSTANCE),
        (StaleRead<CatalogResult> r, Throwable failure) -> failure != null ? new ReadFailed(false, failure)
            : new Local(((CatalogResult.Whole) r.value()).state()));
  }

  private Behavior<Command> onFresh(Fresh f) {
    freshAsked = false;
    fresh = f.version();
    getContext().getLog().debug("node {}: the catalog has decided {} changes", node.self(), fresh);
    readLocal();
    return this;
  }

  private Behavior<Command> onReadFailed(ReadFailed f) {
    if (f.fresh()) {
      freshAsked = false;
    } else {
      localAsked = false;
    }
    getContext().getLog().debug("node {}: reading the catalog failed, tried again at the next interval: {}",
        node.self(), f.cause().toString());
    return this;
  }

  private Behavior<Command> onLocal(Local l) {
    localAsked = false;
    if (localAgain) {
      localAgain = false;
      readLocal();
    }
    CatalogState state = l.state();
    if (fresh >= 0 && state.version() >= fresh && (acted == null || state.version() >= acted.version())) {
      reconcile(state);
    }
    return this;
  }

  // ---- acting on it ----

  private void reconcile(CatalogState state) {
    acted = state;
    int self = node.self();
    for (Life life : List.copyOf(running.values())) {
      if (!life.group().equals(state.groups().get(life.group().id()))) {
        stop(life);
      }
    }
    for (RuntimeGroup g : state.groups().values()) {
      // A newer life waits until the older one of its id has stopped (see onStopped).
      if (g.members().contains(self) && !running.containsKey(g.id()) && !failed.contains(g)
          && stopping.values().stream().noneMatch(s -> s.id().equals(g.id()))) {
        start(g);
      }
    }
    for (RuntimeGroup gone : state.removed()) {
      if (gone.members().contains(self) && !erased.contains(gone) && !erasing.contains(gone)
          && !stopping.containsValue(gone)) {
        erase(gone);
      }
    }
    answerWaiters();
  }

  private void start(RuntimeGroup g) {
    if (runningGroups.runsOutsideCatalog(g.id())) {
      conflict(g);
      return;
    }
    SynodGroup<?, ?> definition;
    Behavior<GroupCommand> behavior;
    try {
      definition = types.define(g.type(), g.id());
      behavior = node.groupBehavior(definition, g.incarnation(), g.members(), List.of(), false, node.settings());
    } catch (IllegalArgumentException e) {
      failed.add(g);
      getContext().getLog().error("group '{}' ({}) cannot run on node {}: {}", g.id(), CatalogState.describe(g),
          node.self(), e.getMessage());
      return;
    }
    ActorRef<GroupCommand> actor = getContext().spawn(behavior, "group-" + g.id() + "-" + g.incarnation());
    getContext().watch(actor);
    running.put(g.id(), new Life(g, definition, actor));
    published.put(g.id(), new GroupCatalog.Running(g, definition, actor));
    getContext().getLog().info("group '{}': node {} starts it as the catalog says ({})", g.id(), node.self(),
        CatalogState.describe(g));
  }

  private void stop(Life life) {
    RuntimeGroup g = life.group();
    running.remove(g.id());
    published.remove(g.id());
    stopping.put(life.actor(), g);
    getContext().stop(life.actor());
    getContext().getLog().info("group '{}': node {} stops incarnation {}, which the catalog no longer lists",
        g.id(), node.self(), g.incarnation());
  }

  private void erase(RuntimeGroup g) {
    erasing.add(g);
    getContext().spawn(LifeErasure.create(g, node.self(), node.settings().persistence(), getContext().getSelf()),
        "erase-" + ++erasures);
  }

  /** Reported once per life; checked again at each reconciliation, and started once the other group is gone. */
  private void conflict(RuntimeGroup g) {
    if (!conflicted.add(g)) {
      return;
    }
    String what = "group '" + g.id() + "' was created at runtime (" + CatalogState.describe(g) + "), but node "
        + node.self() + " runs a group of that id outside the catalog (configured in its file, or spawned by the"
        + " application); it does not run the runtime group";
    getContext().getLog().error(what);
    conflict.complete(what);
  }

  private Behavior<Command> onStopped(Terminated t) {
    RuntimeGroup stopped = stopping.remove(t.getRef());
    if (stopped != null) {
      if (acted.removed().contains(stopped)) {
        erase(stopped);
      }
      reconcile(acted); // a newer life of the same id may wait for this one to stop
      return this;
    }
    for (Life life : List.copyOf(running.values())) {
      if (life.actor().equals(t.getRef())) {
        RuntimeGroup g = life.group();
        running.remove(g.id());
        published.remove(g.id());
        if (runningGroups.runsOutsideCatalog(g.id())) {
          conflict(g);
        } else {
          failed.add(g);
          getContext().getLog().warn("group '{}' (incarnation {}) stopped on node {} by itself (see the log above); it"
              + " runs here again only once it is created again", g.id(), g.incarnation(), node.self());
        }
      }
    }
    return this;
  }

  private Behavior<Command> onErased(LifeErasure.Erased e) {
    erasing.remove(e.life());
    erased.add(e.life());
    getContext().getLog().info("group '{}': node {} deleted the journal events, snapshots and checkpoints of its"
        + " removed incarnation {}", e.life().id(), node.self(), e.life().incarnation());
    answerWaiters();
    return this;
  }

  private Behavior<Command> onEraseFailed(LifeErasure.Failed f) {
    erasing.remove(f.life());
    getContext().getLog().warn("group '{}': node {} could not delete the data of its removed incarnation {} ({}); it"
        + " tries again", f.life().id(), node.self(), f.life().incarnation(), f.reason());
    return this;
  }

  // ---- answering who waits ----

  private Behavior<Command> onAwait(AwaitReconciled a) {
    waiters.add(a);
    answerWaiters();
    return this;
  }

  private void answerWaiters() {
    if (acted == null || !stopping.isEmpty() || !erasing.isEmpty()) {
      return;
    }
    waiters.removeIf(w -> {
      if (w.version() <= acted.version()) {
        w.replyTo().tell(acted);
        return true;
      }
      return false;
    });
  }
}
