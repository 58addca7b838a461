package io.synod.actors.internal;

import com.typesafe.config.Config;
import io.synod.actors.CatalogSettings;
import io.synod.actors.GroupCatalog;
import io.synod.actors.GroupCommand;
import io.synod.actors.GroupTypes;
import io.synod.actors.SynodGroup;
import io.synod.actors.SynodNode;
import io.synod.actors.SynodSettings;
import io.synod.paxos.GroupConfig;
import io.synod.persistence.ChronicleJournal;
import io.synod.persistence.FileSnapshotStore;
import io.synod.persistence.JournalFailedException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.InvalidActorNameException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.event.Logging;

/**
 * What runs Synod on one node ({@link SynodNode}, as the application sees it): the node gateway (a
 * system actor) through which all of this node's groups talk to the other nodes, the {@link Peers}
 * that reach theirs, the {@link TicketOffice} that proves who sends what, the node's {@link
 * JournalFailures}, and the coordinator of each group it spawns. It is made in two steps, so that
 * nothing starts before every check passed: {@link #check} refuses a node that could not run
 * safely, then {@link #start} starts the one it approved.
 */
public final class NodeRuntime implements SynodNode {

  private static final String FRAME_SIZE = "pekko.remote.artery.advanced.maximum-frame-size";

  /** A node that passed {@link #check}, and may start. */
  public static final class Plan {
    private final ActorSystem<?> system;
    private final int self;
    private final Map<Integer, Address> nodes;
    private final SynodSettings settings;

    private Plan(ActorSystem<?> system, int self, Map<Integer, Address> nodes, SynodSettings settings) {
      this.system = system;
      this.self = self;
      this.nodes = nodes;
      this.settings = settings;
    }
  }

  private final ActorSystem<?> system;
  private final int self;
  private final Map<Integer, Address> nodes;
  private final SynodSettings settings;
  private final ActorRef<NodeGateway.Command> gateway;
  private final Peers peers;
  private final TicketOffice office;
  private final JournalFailures journalFailures = new JournalFailures();
  private final RunningGroups running;
  private NodeCatalog catalog;

  private NodeRuntime(Plan plan, ActorRef<NodeGateway.Command> gateway, Peers peers, TicketOffice office,
      RunningGroups running) {
    this.running = running;
    this.system = plan.system;
    this.self = plan.self;
    this.nodes = plan.nodes;
    this.settings = plan.settings;
    this.gateway = gateway;
    this.peers = peers;
    this.office = office;
  }

  /**
   * Checks that Synod may run on {@code system} as node {@code self} of {@code nodes} (every node's
   * id and Artery address, this one's included) with {@code settings}; starts nothing. (The
   * transport's own check, that only nodes can talk to nodes, is the caller's.)
   *
   * @throws IllegalArgumentException if {@code self} is not among {@code nodes}, an id is negative,
   *     this node's address differs from the actor system's own, a message the settings allow would
   *     not fit Artery's frame, or the journal or snapshot store of {@code settings} is not known to
   *     force its writes to disk and {@code synod.group.allow-persistence-without-fsync} is off
   */
  public static Plan check(ActorSystem<?> system, int self, Map<Integer, Address> nodes, SynodSettings settings) {
    Map<Integer, Address> copy = new TreeMap<>(nodes);
    if (copy.keySet().stream().anyMatch(id -> id < 0)) {
      throw new IllegalArgumentException("node ids must be >= 0, got " + copy.keySet());
    }
    Address own = copy.get(self);
    if (own == null) {
      throw new IllegalArgumentException("node " + self + " is not among the nodes " + copy.keySet());
    }
    if (!own.equals(system.address())) {
      throw new IllegalArgumentException("node " + self + " is given the address " + own
          + ", but this actor system listens at " + system.address());
    }
    checkFrameSize(system, settings);
    checkPersistence(system, settings);
    return new Plan(system, self, Map.copyOf(copy), settings);
  }

  /**
   * Starts the node {@code plan} describes: its gateway, its links to the peers, its tickets.
   *
   * @throws IllegalStateException if Synod already runs in this actor system
   */
  public static NodeRuntime start(Plan plan) {
    ActorSystem<?> system = plan.system;
    NodeIdentities identities = NodeIdentities.of(Adapter.toClassic(system));
    TicketOffice office = new TicketOffice(plan.self, plan.nodes.keySet(), new SecureRandom());
    ActorRef<NodeGateway.Command> gateway;
    Peers peers;
    RunningGroups running = new RunningGroups();
    try {
      peers = new Peers(system, plan.self, plan.nodes, linkBatchBytes(system, plan.settings),
          office.issuedTo(plan.self));
      gateway = system.systemActorOf(NodeGateway.create(peers, office, identities.refusals(),
          NodeLiveness.create(peers, plan.settings.tickInterval(), plan.settings.tuning(), System::nanoTime), running),
          NodeGateway.NAME,
          Props.empty());
      identities.start(plan.nodes);
    } catch (InvalidActorNameException e) {
      throw new IllegalStateException("Synod already runs in actor system " + system.name()
          + "; start one SynodNode per actor system", e);
    }
    NodeRuntime node = new NodeRuntime(plan, gateway, peers, office, running);
    node.listenToTheJournal();
    return node;
  }

  /**
   * Lets Synod's own journal tell this node directly that it failed, so that every group stops at
   * once even if none of them was writing (see {@link JournalFailures#listener}).
   */
  private void listenToTheJournal() {
    Config config = system.settings().config();
    String journal = settings.persistence().journalPluginId();
    if (!config.getString(journal + ".class").equals(ChronicleJournal.class.getName())
        || !config.hasPath(journal + ".dir")) {
      return; // another journal does not publish its failure
    }
    system.systemActorOf(journalFailures.listener(self, Path.of(config.getString(journal + ".dir"))),
        "synod-journal-failures", Props.empty());
  }

  /**
   * How many bytes of values the messages coalesced for one peer may carry together: half of
   * Artery's frame (which leaves room for everything else in the message), and at least what one
   * group's message may carry, which goes alone when it is that large.
   */
  private static long linkBatchBytes(ActorSystem<?> system, SynodSettings settings) {
    Config config = system.settings().config();
    return config.hasPath(FRAME_SIZE) ? Math.max(config.getBytes(FRAME_SIZE) / 2, settings.maxBatchBytes())
        : settings.maxBatchBytes();
  }

  /** A message Artery cannot frame is dropped: refuse settings that would make one. */
  private static void checkFrameSize(ActorSystem<?> system, SynodSettings settings) {
    Config config = system.settings().config();
    if (!config.hasPath(FRAME_SIZE)) {
      return; // not Artery: nothing to check against
    }
    long frame = config.getBytes(FRAME_SIZE);
    if (settings.maxBatchBytes() > frame / 2) {
      throw new IllegalArgumentException(SynodSettings.PATH + ".max-batch-bytes (" + settings.maxBatchBytes()
          + " bytes) must be at most half of " + FRAME_SIZE + " (" + frame + " bytes)");
    }
    if (settings.checkpoint().chunkBytes() > frame / 2) {
      throw new IllegalArgumentException(SynodSettings.PATH + ".checkpoint.chunk-size ("
          + settings.checkpoint().chunkBytes() + " bytes) must be at most half of " + FRAME_SIZE + " (" + frame
          + " bytes)");
    }
  }

  /**
   * A promise or an accept that a crash of the machine can undo may break consensus, and so may a
   * checkpoint that vanishes after the acceptors forgot what it covers: Synod runs on plugins it
   * cannot vouch for only when told to, and then says so. It vouches for its own journal with
   * fsync on and its own snapshot store, nothing else (whether another plugin forces its writes
   * cannot be known from here).
   */
  private static void checkPersistence(ActorSystem<?> system, SynodSettings settings) {
    Config config = system.settings().config();
    SynodSettings.PersistenceSettings p = settings.persistence();
    List<String> unsynced = new ArrayList<>();
    String journal = p.journalPluginId();
    String journalClass = config.getString(journal + ".class");
    if (!journalClass.equals(ChronicleJournal.class.getName())) {
      unsynced.add("the journal '" + journal + "' (" + journalClass + ")");
    } else if (!config.getBoolean(journal + ".fsync")) {
      unsynced.add("the journal '" + journal + "' (" + journal + ".fsync = off)");
    }
    String snapshots = p.snapshotPluginId();
    String snapshotClass = config.getString(snapshots + ".class");
    if (!snapshotClass.equals(FileSnapshotStore.class.getName())) {
      unsynced.add("the snapshot store '" + snapshots + "' (" + snapshotClass + ")");
    }
    if (unsynced.isEmpty()) {
      return;
    }
    String what = String.join(" and ", unsynced) + ", which Synod does not know to force every write to disk";
    String key = SynodSettings.PATH + ".allow-persistence-without-fsync";
    if (!p.allowWithoutFsync()) {
      throw new IllegalArgumentException("Synod will not run on " + what + ": a machine's crash could undo its"
          + " promises and accepts, and break consensus. Set " + SynodSettings.PATH + ".journal-plugin-id and "
          + SynodSettings.PATH + ".snapshot-plugin-id to Synod's own (synod.persistence.journal with"
          + " synod.persistence.journal.fsync = on, synod.persistence.snapshot-store), or set " + key
          + " = on to run on them anyway");
    }
    // Through Pekko's event stream, so it goes wherever the application sends Pekko's logs.
    Logging.getLogger(Adapter.toClassic(system), SynodNode.class).warning("Synod runs on {} ({} = on): a crash"
        + " of this machine can lose what it acknowledged and break consensus", what, key);
  }

  @Override
  public int self() {
    return self;
  }

  @Override
  public Map<Integer, Address> nodes() {
    return nodes;
  }

  @Override
  public SynodSettings settings() {
    return settings;
  }

  @Override
  public ActorSystem<?> system() {
    return system;
  }

  @Override
  public CompletionStage<JournalFailedException> journalFailure() {
    return journalFailures.failure();
  }

  @Override
  public Map<String, Long> refusedMessages() {
    return NodeIdentities.of(Adapter.toClassic(system)).refusals().counts();
  }

  @Override
  public <C, R> Behavior<GroupCommand> groupBehavior(SynodGroup<C, R> group, List<Integer> members,
      List<Integer> learners, boolean joining, SynodSettings settings) {
    return groupBehavior(group, 0, members, learners, joining, settings);
  }

  /**
   * As {@link #groupBehavior(SynodGroup, List, List, boolean, SynodSettings)}, for life {@code
   * incarnation} of the group (0: the group's only life; a group created at runtime gets its
   * number from the catalog, see {@link GroupEnvelope}).
   */
  <C, R> Behavior<GroupCommand> groupBehavior(SynodGroup<C, R> group, long incarnation, List<Integer> members,
      List<Integer> learners, boolean joining, SynodSettings settings) {
    for (List<Integer> list : List.of(members, learners)) {
      for (int m : list) {
        if (!nodes.containsKey(m)) {
          throw new IllegalArgumentException("group '" + group.id() + "' lists node " + m
              + ", which is not among the nodes " + nodeIds());
        }
      }
    }
    GroupConfig config = settings.groupConfig(group.id(), self, members, learners, joining)
        .withPreferredLeader(group.preferredLeader());
    return GroupCoordinator.create(config, incarnation, settings,
        () -> new TypedStateMachine<>(group.newStateMachine(), group.commands(), group.results()), peers, gateway,
        System::nanoTime, journalFailures);
  }

  @Override
  public synchronized GroupCatalog catalog(GroupTypes types) {
    if (catalog == null) {
      catalog = NodeCatalog.start(this, types, CatalogSettings.fromConfig(system.settings().config()), running);
    } else if (!catalog.types().names().equals(types.names())) {
      throw new IllegalStateException("the catalog of node " + self + " runs with the group types "
          + catalog.types().names() + ", not " + types.names());
    }
    return catalog;
  }

  /** How this node reaches its peers (tests send through it as this node would). */
  Peers peers() {
    return peers;
  }

  /**
   * Whether this node holds the ticket {@code other} (in this process, e.g. a test's) issued to it,
   * so that its messages to {@code other} get through: the gateways exchange tickets when they
   * start, which takes a round trip over each direction's Artery connection.
   */
  public boolean holdsTicketOf(NodeRuntime other) {
    Ticket held = peers.ticketFrom(other.self);
    return held != null && held.equals(other.office.issuedTo(self));
  }
}
