package io.synod.actors;

import io.synod.persistence.JournalFailedException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;

/**
 * Synod on one Pekko node, as an application sees it: this node's id, every node's Artery address,
 * the settings of its groups, and what it reports (a failed journal, the messages it refused). All
 * of this node's groups talk to the other nodes through one node gateway on the actor system's one
 * port, and share its one journal (the plugin of {@code synod.group.journal-plugin-id}, not the
 * actor system's default journal). There is one per {@link ActorSystem}, a Pekko extension: get it
 * with {@code io.synod.Synod.get(system)}, then spawn groups with {@link SynodGroup#behavior}.
 */
public interface SynodNode extends Extension {

  /** This node's id. */
  int self();

  /** Every node's id and address, this one's included. */
  Map<Integer, Address> nodes();

  /** Every node's id, ascending: the default members of a group. */
  default List<Integer> nodeIds() {
    return List.copyOf(new TreeMap<>(nodes()).keySet());
  }

  /** The settings of this node's groups and clients, unless a group is given others. */
  SynodSettings settings();

  /** The actor system Synod runs in. */
  ActorSystem<?> system();

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
  CompletionStage<JournalFailedException> journalFailure();

  /**
   * What this node refused from its peers, or from whoever claimed to be one, so far, by reason:
   * {@code wrong-ticket} (a message whose sender's claim it could not prove), {@code unstamped},
   * {@code unknown-node}, {@code sender-mismatch}, {@code unrequested-grant}, {@code tls-identity}
   * (a TLS peer whose certificate names no node, or another node than the one at that address),
   * {@code tls-untrusted} (a certificate chain the trust store does not hold), {@code unknown-group}
   * and {@code not-a-member} (messages for a group this node does not run, or from a node that is
   * not in the group: usual for a moment while groups start), {@code other-incarnation} (messages
   * of another life of a group removed and created again, see {@link GroupCatalog}). Each is
   * logged once per peer at WARN ({@code other-incarnation} at INFO).
   */
  Map<String, Long> refusedMessages();

  /**
   * The behaviour of {@code group} on this node ({@link SynodGroup#behavior} delegates here):
   * {@code members} vote and {@code learners} learn as the group begins; this node is one of them,
   * or, with {@code joining}, none of them.
   *
   * @throws IllegalArgumentException if a node listed has no address, or this node's place is not
   *     as {@code joining} says
   */
  <C, R> Behavior<GroupCommand> groupBehavior(SynodGroup<C, R> group, List<Integer> members, List<Integer> learners,
      boolean joining, SynodSettings settings);

  /**
   * This node's replica of the group catalog, through which groups are created and removed at
   * runtime ({@link GroupCatalog}); the first call starts it, with the settings of {@code
   * synod.catalog} ({@link CatalogSettings}), and later calls return it. Every node of the cluster
   * must start it, with the same {@code types}: the catalog is a group of all of them, and each
   * node runs the runtime groups it is a member of.
   *
   * @param types the kinds of group this node can run, by the name the catalog records
   * @throws IllegalArgumentException if {@code synod.catalog} is invalid (the message names the key)
   * @throws IllegalStateException if the catalog was started with types of other names
   */
  GroupCatalog catalog(GroupTypes types);
}
