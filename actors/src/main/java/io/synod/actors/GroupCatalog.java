package io.synod.actors;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The groups of a cluster created and removed at runtime, as one node sees them: its replica of the
 * catalog ({@link SynodNode#catalog}). The catalog is itself a Paxos group, {@value #ID}, of every
 * node of the cluster (or of {@code synod.catalog.members}); creating and removing a group are
 * commands in its log, so each is decided once, whichever node is asked, and kept in the catalog's
 * journal and checkpoints. Every node runs the runtime groups it is a member of as its replica of
 * the catalog says: it starts those created, and stops those removed and deletes what they stored
 * (the events, snapshots and checkpoints of that life on this node). A node that was down meanwhile
 * does the same once it has caught up; after a restart, it starts its runtime groups again once it
 * has read the catalog with a majority of the catalog's members (so that it never starts a group
 * removed while it was down).
 *
 * <p>Each creation gets a new {@link RuntimeGroup#incarnation()}: a group removed and created again
 * under the same id starts empty, and nothing of its earlier life (stored data, messages still on
 * their way) is taken for the new one's.
 *
 * <p>The groups the application spawns itself ({@link SynodGroup#behavior}) and those a standalone
 * node's file configures are not in the catalog: it creates no group of an id that the node asked
 * runs already, and removes none of them. A node whose replica holds a runtime group of the id of
 * one such group it runs reports it ({@link #conflict()}) and does not run the runtime one.
 *
 * <p>Every call completes, never hangs: a request the catalog cannot decide in time (no majority of
 * its members, no leader yet) fails with {@link RequestTimeoutException} or another {@link
 * SynodException} that leaves open whether it took effect, as a command of any group does; asking
 * again then answers with {@link GroupExistsException} or {@link UnknownGroupException} if it did.
 */
public interface GroupCatalog {

  /** The catalog group's id. */
  String ID = "synod-catalog";

  /**
   * Creates group {@code group} of type {@code type} with {@code members} (node ids), and completes
   * with it once the catalog decided it and this node runs it (if it is a member); the other
   * members start it as soon as their replicas of the catalog apply the creation.
   *
   * @throws IllegalArgumentException if the id or the type name is invalid ({@link RuntimeGroup}),
   *     this node knows no such type, or the members are empty, repeated, or not all nodes of the
   *     cluster; the stage fails with {@link GroupExistsException} if a group of that id exists
   */
  CompletionStage<RuntimeGroup> create(String group, String type, List<Integer> members);

  /**
   * Removes runtime group {@code group}, and completes with the life removed once the catalog
   * decided it and this node has stopped the group and deleted its data (if it ran it); the other
   * members do the same as soon as their replicas apply the removal. The stage fails with {@link
   * UnknownGroupException} if no runtime group has that id.
   *
   * @throws IllegalArgumentException if {@code group} is not a valid group id ({@link RuntimeGroup})
   */
  CompletionStage<RuntimeGroup> remove(String group);

  /** Every runtime group of the cluster by id, as the catalog has decided them (a linearizable read). */
  CompletionStage<Map<String, RuntimeGroup>> groups();

  /** A runtime group this node runs now: the catalog's entry, its definition and its actor. */
  record Running(RuntimeGroup group, SynodGroup<?, ?> definition, ActorRef<GroupCommand> actor) {}

  /** The runtime groups this node runs at this moment, by id. */
  Map<String, Running> runningHere();

  /** Runtime group {@code group}, if this node runs it at this moment. */
  default Optional<Running> runningHere(String group) {
    return Optional.ofNullable(runningHere().get(group));
  }

  /**
   * A client of the catalog group itself on this node: for its {@link GroupClient#status()}, its
   * leadership and its membership (e.g. to add a node that joins the cluster later), not for
   * commands.
   */
  GroupClient<?, ?> catalogClient();

  /**
   * Completes with a description of the first runtime group this node cannot run because it runs a
   * group of the same id outside the catalog (spawned by the application, or configured in a
   * standalone node's file), and never while there is none. A standalone node stops then, naming
   * the conflict.
   */
  CompletionStage<String> conflict();
}
