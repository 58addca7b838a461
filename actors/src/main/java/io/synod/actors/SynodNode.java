package io.synod.actors;

import com.typesafe.config.Config;
import io.synod.actors.internal.JournalFailures;
import io.synod.actors.internal.NodeGateway;
import io.synod.actors.internal.NodeIdentities;
import io.synod.actors.internal.Peers;
import io.synod.actors.internal.Ticket;
import io.synod.actors.internal.TicketOffice;
import io.synod.persistence.ChronicleJournal;
import io.synod.persistence.FileSnapshotStore;
import io.synod.persistence.JournalFailedException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.InvalidActorNameException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.event.Logging;

/**
 * Synod on one Pekko node: this node's id, every node's Artery address, and the node gateway (a
 * system actor) through which all of this node's groups talk to the other nodes on the actor
 * system's one port, sharing its one journal (the plugin of {@code synod.group.journal-plugin-id},
 * not the actor system's default journal). Start it once per {@link ActorSystem}, then spawn groups
 * with {@link SynodGroup#behavior}.
 */
public final class SynodNode {

  private final ActorSystem<?> system;
  private final int self;
  private final Map<Integer, Address> nodes;
  private final SynodSettings settings;
  private final ActorRef<NodeGateway.Command> gateway;
  private final Peers peers;
  private final TicketOffice office;
  private final JournalFailures journalFailures = new JournalFailures();

  private SynodNode(ActorSystem<?> system, int self, Map<Integer, Address> nodes, SynodSettings settings,
      ActorRef<NodeGateway.Command> gateway, Peers peers, TicketOffice office) {
    this.system = system;
    this.self = self;
    this.nodes = nodes;
    this.settings = settings;
    this.gateway = gateway;
    this.peers = peers;
    this.office = office;
  }

  /** Starts Synod on {@code system} as node {@code self}, with the settings of its configuration. */
  public static SynodNode start(ActorSystem<?> system, int self, Map<Integer, Address> nodes) {
    return start(system, self, nodes, SynodSettings.create(system));
  }

  /**
   * Starts Synod on {@code system} as node {@code self} of {@code nodes} (every node's id and
   * Artery address, this one's included).
   *
   * @throws IllegalArgumentException if {@code self} is not among {@code nodes}, an id is negative,
   *     this node's address differs from the actor system's own, or the journal or snapshot store
   *     of {@code settings} is not known to force its writes to disk and {@code
   *     synod.group.allow-persistence-without-fsync} is off, or Artery does not run mutual TLS with
   *     {@link NodeTlsEngineProvider} and untrusted mode and {@code synod.insecure} is off (see {@link
   *     TransportSecurity})
   * @throws IllegalStateException if Synod already runs in this actor system
   */
  public static SynodNode start(ActorSystem<?> system, int self, Map<Integer, Address> nodes, SynodSettings settings) {
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
    TransportSecurity.check(system);
    NodeIdentities identities = NodeIdentities.of(Adapter.toClassic(system));
    TicketOffice office = new TicketOffice(self, copy.keySet(), new SecureRandom());
    ActorRef<NodeGateway.Command> gateway;
    Peers peers;
    try {
      peers = new Peers(system, self, copy, linkBatchBytes(system, settings), office.issuedTo(self));
      gateway = system.systemActorOf(NodeGateway.create(peers, office, identities.refusals()), NodeGateway.NAME,
          Props.empty());
      identities.start(copy);
    } catch (InvalidActorNameException e) {
      throw new IllegalStateException("Synod already runs in actor system " + system.name()
          + "; start one SynodNode per actor system", e);
    }
    SynodNode node = new SynodNode(system, self, Map.copyOf(copy), settings, gateway, peers, office);
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
    system.systemActorOf(journalFailures.listener(self, java.nio.file.Path.of(config.getString(journal + ".dir"))),
        "synod-journal-failures", Props.empty());
  }

  /**
   * How many bytes of values the messages coalesced for one peer may carry together: half of
   * Artery's frame (which leaves room for everything else in the message), and at least what one
   * group's message may carry, which goes alone when it is that large.
   */
  private static long linkBatchBytes(ActorSystem<?> system, SynodSettings settings) {
    String key = "pekko.remote.artery.advanced.maximum-frame-size";
    com.typesafe.config.Config config = system.settings().config();
    return config.hasPath(key) ? Math.max(config.getBytes(key) / 2, settings.maxBatchBytes()) : settings.maxBatchBytes();
  }

  /** A message Artery cannot frame is dropped: refuse settings that would make one. */
  private static void checkFrameSize(ActorSystem<?> system, SynodSettings settings) {
    String key = "pekko.remote.artery.advanced.maximum-frame-size";
    com.typesafe.config.Config config = system.settings().config();
    if (!config.hasPath(key)) {
      return; // not Artery: nothing to check against
    }
    long frame = config.getBytes(key);
    if (settings.maxBatchBytes() > frame / 2) {
      throw new IllegalArgumentException(SynodSettings.PATH + ".max-batch-bytes (" + settings.maxBatchBytes()
          + " bytes) must be at most half of " + key + " (" + frame + " bytes)");
    }
    if (settings.checkpoint().chunkBytes() > frame / 2) {
      throw new IllegalArgumentException(SynodSettings.PATH + ".checkpoint.chunk-size ("
          + settings.checkpoint().chunkBytes() + " bytes) must be at most half of " + key + " (" + frame + " bytes)");
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

  public int self() {
    return self;
  }

  /** Every node's id and address. */
  public Map<Integer, Address> nodes() {
    return nodes;
  }

  /** Every node's id, ascending: the default members of a group. */
  public List<Integer> nodeIds() {
    return List.copyOf(new TreeMap<>(nodes).keySet());
  }

  public SynodSettings settings() {
    return settings;
  }

  public ActorSystem<?> system() {
    return system;
  }

  ActorRef<NodeGateway.Command> gateway() {
    return gateway;
  }

  /**
   * Completes with the first {@link JournalFailedException} a group of this node met or Synod's
   * journal published (its {@code JournalFailed} event, also when no group was writing): the node's
   * journal failed and stopped (fail-stop) and accepts no more writes in this process, so every
   * group of this node stops with it (their clients get {@link GroupStoppedException}), and the
   * failure is logged at ERROR. Never completes while the journal works. Only a new process, whose
   * recovery re-reads what is really on disk, brings the node back: an application should stop and
   * be restarted (the standalone node exits with {@code NodeLauncher.JOURNAL_FAILED}). Other
   * failures of a group's roles (a write or a replay that failed or timed out) are not reported
   * here: the group restarts them itself ({@code synod.group.restart}).
   */
  public java.util.concurrent.CompletionStage<JournalFailedException> journalFailure() {
    return journalFailures.failure();
  }

  /**
   * What this node refused from its peers, or from whoever claimed to be one, so far, by reason:
   * {@code wrong-ticket} (a message whose sender's claim it could not prove), {@code unstamped},
   * {@code unknown-node}, {@code sender-mismatch}, {@code unrequested-grant}, {@code tls-identity}
   * (a TLS peer whose certificate names no node, or another node than the one at that address),
   * {@code tls-untrusted} (a certificate chain the trust store does not hold), {@code unknown-group}
   * and {@code not-a-member} (messages for a group this node does not run, or from a node that is
   * not in the group: usual for a moment while groups start). Each is logged once per peer at WARN.
   */
  public Map<String, Long> refusedMessages() {
    return NodeIdentities.of(Adapter.toClassic(system)).refusals().counts();
  }

  /**
   * Whether this node holds the ticket {@code other} (in this process, e.g. a test's) issued to it,
   * so that its messages to {@code other} get through: the gateways exchange tickets when they
   * start, which takes a round trip over each direction's Artery connection.
   */
  boolean holdsTicketOf(SynodNode other) {
    Ticket held = peers.ticketFrom(other.self);
    return held != null && held.equals(other.office.issuedTo(self));
  }

  JournalFailures journalFailures() {
    return journalFailures;
  }

  Peers peers() {
    return peers;
  }
}
