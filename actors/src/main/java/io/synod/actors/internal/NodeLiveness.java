package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.paxos.PeerLiveness;
import io.synod.paxos.Tuning;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;

/**
 * The node's failure detector, a thin shell around the core's {@link PeerLiveness}: every
 * heartbeat interval it sends each peer one {@link NodeHeartbeat} (whatever the number of groups),
 * hands the core the heartbeats the gateway admitted, and tells every group running here what it
 * learns about a peer, so that idle groups can be quiet. The gateway owns it: it forwards
 * heartbeats, the groups that start and stop, and a group's lost leadership.
 */
final class NodeLiveness {

  sealed interface Command {}

  /** A peer's heartbeat, admitted by the gateway (its sender proven by its ticket). */
  record Heard(PeerLiveness.Heartbeat heartbeat) implements Command {}

  /** A group's coordinator started here, or stopped. */
  record GroupsChanged(ActorRef<GroupCommand> coordinator, boolean running) implements Command {}

  /** A group here stopped leading with no other leader known (or stopped while it led). */
  enum LeadershipLost implements Command {
    INSTANCE
  }

  private enum Tick implements Command {
    INSTANCE
  }

  private final PeerLiveness liveness;
  private final Peers peers;
  private final TickClock clock;
  private final Set<ActorRef<GroupCommand>> groups = new HashSet<>();
  private final Logger log;
  private final int heartbeatTicks;

  private NodeLiveness(PeerLiveness liveness, Peers peers, TickClock clock, int heartbeatTicks, Logger log) {
    this.log = log;
    this.heartbeatTicks = heartbeatTicks;
    this.liveness = liveness;
    this.peers = peers;
    this.clock = clock;
  }

  /**
   * The detector of the node {@code peers} belong to, ticking every {@code tickInterval} and
   * timed by {@code tuning} (the groups' heartbeat interval and election timeout).
   */
  static Behavior<Command> create(Peers peers, Duration tickInterval, Tuning tuning, LongSupplier nanoTime) {
    // A failure restarts it (a new incarnation): a detector that stopped would leave this node
    // silent to its peers and its quiet followers deaf.
    return Behaviors.supervise(detector(peers, tickInterval, tuning, nanoTime))
        .onFailure(Exception.class, SupervisorStrategy.restart());
  }

  private static Behavior<Command> detector(Peers peers, Duration tickInterval, Tuning tuning, LongSupplier nanoTime) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      NodeLiveness node = new NodeLiveness(
          PeerLiveness.forTuning(peers.self(), peers.nodeIds(), new SplittableRandom().nextLong(), tuning), peers,
          new TickClock(tickInterval, 2 * tuning.electionTimeoutTicks(), nanoTime), tuning.heartbeatTicks(),
          ctx.getLog());
      timers.startTimerAtFixedRate(Tick.INSTANCE, tickInterval.multipliedBy(tuning.heartbeatTicks()));
      return node.behavior();
    }));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Heard.class, this::onHeard)
        .onMessage(GroupsChanged.class, this::onGroupsChanged)
        .onMessageEquals(LeadershipLost.INSTANCE, this::onLeadershipLost)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  private Behavior<Command> onTick() {
    boolean heartbeat = false;
    // After a stall of this node (a GC pause, a starved CPU: more than two intervals' ticks at once)
    // its peers' heartbeats still wait in the mailbox and must not be judged late: count one interval.
    int due = clock.due();
    for (int n = due > 2 * heartbeatTicks ? heartbeatTicks : due; n > 0; n--) {
      PeerLiveness.TickResult r = liveness.onTick();
      tellGroups(r.news());
      heartbeat |= r.heartbeatDue();
    }
    if (heartbeat) {
      PeerLiveness.Heartbeat h = liveness.heartbeat();
      NodeHeartbeat beat = new NodeHeartbeat(h.incarnation(), h.generation());
      for (int peer : peers.nodeIds()) {
        if (peer != peers.self()) {
          peers.send(peer, beat);
        }
      }
    }
    return Behaviors.same();
  }

  private Behavior<Command> onHeard(Heard h) {
    tellGroups(liveness.onHeartbeat(h.heartbeat()));
    return Behaviors.same();
  }

  private Behavior<Command> onGroupsChanged(GroupsChanged c) {
    if (c.running()) {
      groups.add(c.coordinator());
    } else {
      groups.remove(c.coordinator());
    }
    return Behaviors.same();
  }

  private Behavior<Command> onLeadershipLost() {
    liveness.leadershipLost();
    return Behaviors.same();
  }

  private void tellGroups(List<PeerLiveness.News> news) {
    for (PeerLiveness.News n : news) {
      switch (n.change()) {
        case LEADERSHIP_LOST -> log.debug("node {} gave up a leadership: {} groups here hear of it", n.peer(),
            groups.size());
        case SILENT -> log.info("node {} is silent: no heartbeat for an election timeout", n.peer());
        case RESTARTED -> log.info("node {} is heard from: it started", n.peer());
        case BACK -> log.info("node {} is heard from again", n.peer());
      }
      for (ActorRef<GroupCommand> g : groups) {
        g.tell(new GroupCoordinator.PeerNews(n));
      }
    }
  }
}
