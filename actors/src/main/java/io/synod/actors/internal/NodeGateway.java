package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.paxos.PeerLiveness;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One per node, a system actor at {@value #PATH}: it receives every group's messages from other
 * nodes over Artery ({@link GroupEnvelope}s, alone or many in a {@link GroupBatch}, and checkpoint
 * transfers), each {@link Stamped} with the ticket this node issued to its sender, and hands each
 * to its group's coordinator, so any number of groups share one port. It also runs this node's side
 * of the {@link TicketExchange} ({@link TicketOffice}): it answers peers' requests for tickets,
 * takes the tickets its own requests earn, and asks again every {@link #RENEW_INTERVAL} until it has
 * one from every peer. A message whose ticket this node did not issue to the node it claims to come
 * from, one that is not stamped, one whose contents claim another sender, one for a group this node
 * does not run or for another life of it (a group removed and created again: see {@link
 * GroupEnvelope}), or one from a node the group may not hear from (one without an address here: a
 * group's membership changes among the nodes this node knows) is dropped before it reaches a group,
 * and counted and logged in {@link Refusals}. A group runs at most once per node: a second
 * coordinator for a registered group is refused, unless the first one stops within {@link
 * #HANDOVER} (a group stopped and spawned again).
 */
public final class NodeGateway extends AbstractBehavior<NodeGateway.Command> {

  public static final String NAME = "synod-gateway";
  public static final String PATH = "/system/" + NAME;

  public sealed interface Command
      permits Register, PeerTraffic, Stamped, TicketExchange, StillRunning, RenewTickets, LeadershipLost {}

  /** What one node sends another about its groups: it travels {@link Stamped}, never alone. */
  public sealed interface PeerTraffic extends Command
      permits GroupEnvelope, GroupBatch, SnapshotRequest, SnapshotChunk, NodeHeartbeat {}

  /**
   * Local: {@code coordinator} runs life {@code incarnation} of {@code group} (see {@link
   * GroupEnvelope}), which may hear from {@code members}.
   */
  public record Register(String group, long incarnation, List<Integer> members, ActorRef<GroupCommand> coordinator)
      implements Command {}

  private record Registration(long incarnation, Set<Integer> members, ActorRef<GroupCommand> coordinator) {}

  /** A second registration is refused if the first coordinator still runs after {@link #HANDOVER}. */
  record StillRunning(Register second) implements Command {}

  /** Local, from a coordinator: its group stopped leading here, no other leader known ({@link NodeLiveness}). */
  public enum LeadershipLost implements Command {
    INSTANCE
  }

  /** The timer that sends the ticket requests still unanswered. */
  enum RenewTickets implements Command {
    INSTANCE
  }

  /**
   * A group stopped and spawned again registers anew, perhaps before this gateway heard that the
   * old coordinator stopped: the new one waits this long for that before it is refused.
   */
  static final Duration HANDOVER = Duration.ofSeconds(2);

  static final Duration RENEW_INTERVAL = Duration.ofMillis(250);

  /** For this long after it starts, a wrong ticket is expected and logged at INFO, not WARN. */
  static final Duration STARTING = Duration.ofSeconds(30);

  private final long startedAt = System.nanoTime();

  private final Map<String, Registration> groups = new HashMap<>();
  private final Map<String, Register> waiting = new HashMap<>();
  private final TimerScheduler<Command> timers;
  private final Peers peers;
  private final TicketOffice office;
  private final Refusals refusals;
  private final ActorRef<NodeLiveness.Command> liveness;
  private final RunningGroups running;

  /**
   * The gateway of the node {@code peers} belong to, which issues its tickets from {@code office}
   * and runs {@code liveness}, the node's failure detector ({@link NodeLiveness#create}), as its
   * child. It keeps {@code running} up to date with the groups registered.
   */
  public static Behavior<Command> create(Peers peers, TicketOffice office, Refusals refusals,
      Behavior<NodeLiveness.Command> liveness, RunningGroups running) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new NodeGateway(ctx, timers, peers, office, refusals,
        ctx.spawn(liveness, "liveness"), running)));
  }

  private NodeGateway(ActorContext<Command> ctx, TimerScheduler<Command> timers, Peers peers, TicketOffice office,
      Refusals refusals, ActorRef<NodeLiveness.Command> liveness, RunningGroups running) {
    super(ctx);
    this.running = running;
    this.timers = timers;
    this.peers = peers;
    this.office = office;
    this.refusals = refusals;
    this.liveness = liveness;
    timers.startTimerWithFixedDelay(RenewTickets.INSTANCE, RENEW_INTERVAL);
    ctx.getSelf().tell(RenewTickets.INSTANCE); // the first requests at once, once the gateway runs
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Register.class, this::register)
        .onMessage(Stamped.class, this::stamped)
        .onMessage(PeerTraffic.class, this::unstamped)
        .onMessage(TicketExchange.Request.class, this::ticketRequested)
        .onMessage(TicketExchange.Grant.class, this::ticketGranted)
        .onMessage(TicketExchange.Stale.class, this::ticketStale)
        .onMessageEquals(RenewTickets.INSTANCE, this::renewTickets)
        .onMessageEquals(LeadershipLost.INSTANCE, this::leadershipLost)
        .onMessage(StillRunning.class, this::stillRunning)
        .onSignal(Terminated.class, this::coordinatorStopped)
        .build();
  }

  private Behavior<Command> coordinatorStopped(Terminated t) {
    List<String> ended = groups.entrySet().stream()
        .filter(e -> e.getValue().coordinator().equals(t.getRef())).map(Map.Entry::getKey).toList();
    if (!ended.isEmpty()) {
      liveness.tell(NodeLiveness.LeadershipLost.INSTANCE); // it may have led: its followers look again
    }
    for (String group : ended) {
      liveness.tell(new NodeLiveness.GroupsChanged(groups.remove(group).coordinator(), false));
      running.stopped(group);
      Register next = waiting.remove(group);
      if (next != null) {
        timers.cancel(group);
        accept(next);
      }
    }
    return this;
  }

  private Behavior<Command> stamped(Stamped s) {
    int from = s.from();
    if (office.admits(from, s.ticket())) {
      deliver(from, s.body());
    } else if (office.issuedTo(from) == null) {
      // Keyed by the reason alone: a sender may claim any id, and each would be logged once.
      refusals.refuse("a node unknown here", "unknown-node", () -> "a message from node " + from
          + ", which is not one of the nodes " + peers.nodeIds() + " (first: " + s.body() + ")");
    } else {
      // Usual for a moment after this node starts: its peers still stamp with the tickets of its
      // previous run, until they hear theirs is stale and ask again.
      boolean justStarted = System.nanoTime() - startedAt < STARTING.toNanos();
      refusals.refuse("node " + from, "wrong-ticket", () -> "a message claiming to come from node " + from
          + " with a ticket this node did not issue to it: this node restarted (node " + from + " asks for a new"
          + " ticket), or the sender is not node " + from + " (first: " + s.body() + ")", justStarted);
      if (office.tellStale(from, System.nanoTime())) {
        peers.sendTickets(from, new TicketExchange.Stale(peers.self()));
      }
    }
    return this;
  }

  private Behavior<Command> unstamped(PeerTraffic m) {
    refusals.refuse("an unstamped sender", "unstamped", () -> "a message without a ticket (an older Synod, or not a"
        + " Synod node): " + m);
    return this;
  }

  private void deliver(int from, PeerTraffic body) {
    if (body instanceof GroupEnvelope e) {
      route(e, from);
    } else if (body instanceof GroupBatch b) {
      b.envelopes().forEach(e -> route(e, from));
    } else if (body instanceof SnapshotRequest r) {
      route(r.group(), r.incarnation(), from, r.from(), r, new GroupCoordinator.Transfer(r));
    } else if (body instanceof SnapshotChunk c) {
      route(c.group(), c.incarnation(), from, c.from(), c, new GroupCoordinator.Transfer(c));
    } else if (body instanceof NodeHeartbeat h) {
      liveness.tell(new NodeLiveness.Heard(new PeerLiveness.Heartbeat(from, h.incarnation(),
          h.generation())));
    }
  }

  private Behavior<Command> leadershipLost() {
    liveness.tell(NodeLiveness.LeadershipLost.INSTANCE);
    return this;
  }

  private Behavior<Command> ticketRequested(TicketExchange.Request r) {
    TicketExchange.Grant grant = office.answer(r);
    if (grant != null) {
      peers.sendTickets(r.from(), grant);
    } else if (office.issuedTo(r.from()) == null) {
      refusals.refuse("a node unknown here", "unknown-node", () -> "a ticket request from node " + r.from()
          + ", which is not one of the nodes " + peers.nodeIds());
    }
    return this;
  }

  private Behavior<Command> ticketGranted(TicketExchange.Grant g) {
    Ticket ticket = office.take(g);
    if (ticket == null && office.answersAnsweredRequest(g)) {
      getContext().getLog().debug("node {} answered a ticket request again", g.issuer());
    } else if (ticket == null) {
      refusals.refuse("node " + g.issuer(), "unrequested-grant", () -> "a ticket claiming to come from node "
          + g.issuer() + " that answers no request of this node's (a forgery, or an answer to a request this node"
          + " gave up)");
    } else {
      getContext().getLog().debug("node {} admits this node's messages now", g.issuer());
      peers.hold(g.issuer(), ticket);
    }
    return this;
  }

  private Behavior<Command> ticketStale(TicketExchange.Stale s) {
    office.stale(s.issuer());
    return this;
  }

  private Behavior<Command> renewTickets() {
    for (TicketOffice.Outgoing o : office.requests()) {
      peers.sendTickets(o.to(), o.request());
    }
    return this;
  }

  private Behavior<Command> register(Register r) {
    Registration existing = groups.get(r.group());
    if (existing == null || existing.coordinator().equals(r.coordinator())) {
      accept(r);
    } else if (waiting.containsKey(r.group())) {
      refuse(r, existing);
    } else {
      waiting.put(r.group(), r);
      timers.startSingleTimer(r.group(), new StillRunning(r), HANDOVER);
    }
    return this;
  }

  private Behavior<Command> stillRunning(StillRunning s) {
    Register r = s.second();
    if (waiting.get(r.group()) == r) {
      waiting.remove(r.group());
      refuse(r, groups.get(r.group()));
    }
    return this;
  }

  private void accept(Register r) {
    groups.put(r.group(), new Registration(r.incarnation(), Set.copyOf(r.members()), r.coordinator()));
    running.started(r.group(), r.incarnation());
    getContext().watch(r.coordinator());
    liveness.tell(new NodeLiveness.GroupsChanged(r.coordinator(), true));
    r.coordinator().tell(GroupCoordinator.Registered.INSTANCE);
  }

  private static void refuse(Register r, Registration running) {
    r.coordinator().tell(new GroupCoordinator.RegistrationRefused("group '" + r.group()
        + "' already runs on this node" + (running == null ? "" : ", in " + running.coordinator().path())));
  }

  private void route(GroupEnvelope e, int from) {
    route(e.group(), e.incarnation(), from, e.from() == from ? e.message().from() : e.from(), e,
        new GroupCoordinator.Inbound(e.message()));
  }

  private void route(String group, long incarnation, int from, int claimedSender, Object message,
      GroupCoordinator.Command forward) {
    Registration r = groups.get(group);
    if (claimedSender != from) {
      refusals.refuse("node " + from, "sender-mismatch", () -> "a message of group '" + group + "' from node " + from
          + " that claims to come from node " + claimedSender + " (first: " + message + ")");
    } else if (r == null) {
      // Normal for a moment while a group starts or stops on this node; a lasting cause is a
      // group configured on the peer but not here.
      refusals.refuse("node " + from + ", group '" + group + "'", "unknown-group", () -> "messages for group '"
          + group + "', which this node does not run (first: " + message + ")");
    } else if (r.incarnation() != incarnation) {
      // Normal for a moment after a group is removed and created again: one node still runs, or
      // already runs, a life the other does not.
      refusals.refuse("node " + from + ", group '" + group + "'", "other-incarnation", () -> "messages of life "
          + incarnation + " of group '" + group + "', whose life " + r.incarnation() + " runs on this node (first: "
          + message + ")", true);
    } else if (!r.members().contains(from)) {
      refusals.refuse("node " + from + ", group '" + group + "'", "not-a-member", () -> "messages for group '"
          + group + "' from node " + from + ", which is not one of the nodes " + r.members() + " (first: " + message
          + ")");
    } else {
      r.coordinator().tell(forward);
    }
  }
}
