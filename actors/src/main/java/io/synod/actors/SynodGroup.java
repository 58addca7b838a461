package io.synod.actors;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/**
 * A Paxos group as an application defines it: its id, the codecs of its commands and results, and
 * how to make its state machine. The same definition is used on every node of the group.
 *
 * <pre>{@code
 * SynodGroup<CounterOp, Long> counter = SynodGroup.of("counter", CounterOp.CODEC, Codec.int64(), Counter::new);
 * ActorRef<GroupCommand> ref = context.spawn(counter.behavior(node), "counter");
 * GroupClient<CounterOp, Long> client = counter.client(node, ref);
 * client.propose(new CounterOp.Add(5)).thenAccept(value -> ...);
 * }</pre>
 */
public final class SynodGroup<C, R> {

  private final String id;
  private final Codec<C> commands;
  private final Codec<R> results;
  private final Supplier<? extends ReplicatedStateMachine<C, R>> stateMachines;
  private final int preferredLeader;

  private SynodGroup(String id, Codec<C> commands, Codec<R> results,
      Supplier<? extends ReplicatedStateMachine<C, R>> stateMachines, int preferredLeader) {
    this.id = id;
    this.commands = commands;
    this.results = results;
    this.stateMachines = stateMachines;
    this.preferredLeader = preferredLeader;
  }

  /**
   * @param id the group's id, the same on every node; it names the group's journal streams, so it
   *     must not change while the group has data
   * @param stateMachines makes a fresh state machine at each call, sharing no state with those it
   *     made before. It is called when the group's roles start on a node: once per spawn of the
   *     group, and again each time they start again after a failure (the new state machine is
   *     rebuilt from the last checkpoint and the log). It is also called once for each checkpoint
   *     the node fetches from a peer, to check it: the checkpoint is restored into the new state
   *     machine, which is then dropped, and the node takes the checkpoint only if that worked. It
   *     runs on the group's actors' threads, so it should be quick.
   */
  public static <C, R> SynodGroup<C, R> of(String id, Codec<C> commands, Codec<R> results,
      Supplier<? extends ReplicatedStateMachine<C, R>> stateMachines) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("group id must not be blank, got '" + id + "'");
    }
    return new SynodGroup<>(id, Objects.requireNonNull(commands, "commands"), Objects.requireNonNull(results, "results"),
        Objects.requireNonNull(stateMachines, "stateMachines"), -1);
  }

  /**
   * This group with a preferred leader: whenever node {@code node} is a voter of the group, up,
   * reachable and its acceptor holds what the leader proposed, the leader hands leadership over to
   * it (after leading for 25 election timeouts, so never more often than that), for example to
   * keep the leader where clients or other groups are, or to bring it back after a restart. Give
   * every node the same definition. Without it (or with -1) leadership stays wherever an election
   * put it.
   *
   * @throws IllegalArgumentException if {@code node} is below -1
   */
  public SynodGroup<C, R> withPreferredLeader(int node) {
    if (node < -1) {
      throw new IllegalArgumentException("group '" + id + "': preferred leader must be a node id or -1, got " + node);
    }
    return new SynodGroup<>(id, commands, results, stateMachines, node);
  }

  /** The node this group's leadership should be with when it can be ({@link #withPreferredLeader}), or -1. */
  public int preferredLeader() {
    return preferredLeader;
  }

  public String id() {
    return id;
  }

  /** The codec of the group's commands (and of the queries of its reads). */
  public Codec<C> commands() {
    return commands;
  }

  /** The codec of the group's results. */
  public Codec<R> results() {
    return results;
  }

  /** A fresh state machine of the group, sharing no state with those made before (see {@link #of}). */
  public ReplicatedStateMachine<C, R> newStateMachine() {
    return stateMachines.get();
  }

  /** The group on {@code node}, with every node of {@code node} as a member. */
  public Behavior<GroupCommand> behavior(SynodNode node) {
    return behavior(node, node.nodeIds(), node.settings());
  }

  /**
   * The group on {@code node}, with the given members (node ids, this node's included) and settings.
   *
   * @throws IllegalArgumentException if the members are invalid or this node is not one of them
   */
  public Behavior<GroupCommand> behavior(SynodNode node, List<Integer> members, SynodSettings settings) {
    return behavior(node, members, List.of(), false, settings);
  }

  /**
   * The group on {@code node}: {@code members} vote and {@code learners} learn as the group begins
   * (membership changes through the log replace them later). This node is one of them, or, with
   * {@code joining}, none of them: it then waits, learning nothing, until a change adds it ({@link
   * GroupClient#addMember} or {@link GroupClient#addLearner}, asked at a node of the group).
   *
   * @throws IllegalArgumentException if a node listed has no address, or this node's place is not as
   *     {@code joining} says
   */
  public Behavior<GroupCommand> behavior(SynodNode node, List<Integer> members, List<Integer> learners, boolean joining,
      SynodSettings settings) {
    return node.groupBehavior(this, members, learners, joining, settings);
  }

  /**
   * A client of this group through its actor {@code group} on {@code node}, with the node's
   * settings (the group's session window and the client's timeouts).
   */
  public GroupClient<C, R> client(SynodNode node, ActorRef<GroupCommand> group) {
    return client(node, group, node.settings());
  }

  /**
   * A client for a group spawned with {@code settings} ({@link #behavior(SynodNode, List,
   * SynodSettings)}): its session window must be the group's.
   */
  public GroupClient<C, R> client(SynodNode node, ActorRef<GroupCommand> group, SynodSettings settings) {
    return new GroupClient<>(id, node.system(), group, commands, results, settings);
  }
}
