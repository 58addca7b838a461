package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
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
 * transfers) and hands each to its group's coordinator, so any number of groups share one port. A
 * message for a group this node does not run, or from a node the group may not hear from (one
 * without an address here: a group's membership changes among the nodes this node knows), is
 * dropped and logged. A group runs at most once per node: a second coordinator for a registered
 * group is refused, unless the first one stops within {@link #HANDOVER} (a group stopped and
 * spawned again).
 */
public final class NodeGateway extends AbstractBehavior<NodeGateway.Command> {

  public static final String NAME = "synod-gateway";
  public static final String PATH = "/system/" + NAME;

  public sealed interface Command permits Register, GroupEnvelope, GroupBatch, SnapshotRequest, SnapshotChunk, StillRunning {}

  /** Local: {@code coordinator} runs {@code group}, which may hear from {@code members}. */
  public record Register(String group, List<Integer> members, ActorRef<GroupCommand> coordinator)
      implements Command {}

  private record Registration(Set<Integer> members, ActorRef<GroupCommand> coordinator) {}

  /** A second registration is refused if the first coordinator still runs after {@link #HANDOVER}. */
  record StillRunning(Register second) implements Command {}

  /**
   * A group stopped and spawned again registers anew, perhaps before this gateway heard that the
   * old coordinator stopped: the new one waits this long for that before it is refused.
   */
  static final Duration HANDOVER = Duration.ofSeconds(2);

  private final Map<String, Registration> groups = new HashMap<>();
  private final Map<String, Register> waiting = new HashMap<>();
  private final TimerScheduler<Command> timers;
  /** Groups (and group/sender pairs) already warned about: one warning each, then debug. */
  private final Set<String> warned = new java.util.HashSet<>();
  private static final int MAX_WARNED = 10_000;

  public static Behavior<Command> create() {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new NodeGateway(ctx, timers)));
  }

  private NodeGateway(ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    super(ctx);
    this.timers = timers;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Register.class, this::register)
        .onMessage(GroupEnvelope.class, this::route)
        .onMessage(GroupBatch.class, b -> {
          for (GroupEnvelope e : b.envelopes()) {
            route(e);
          }
          return this;
        })
        .onMessage(SnapshotRequest.class, r -> route(r.group(), r.from(), r.from(), r, new GroupCoordinator.Transfer(r)))
        .onMessage(SnapshotChunk.class, c -> route(c.group(), c.from(), c.from(), c, new GroupCoordinator.Transfer(c)))
        .onMessage(StillRunning.class, this::stillRunning)
        .onSignal(Terminated.class, t -> {
          List<String> ended = groups.entrySet().stream()
              .filter(e -> e.getValue().coordinator().equals(t.getRef())).map(Map.Entry::getKey).toList();
          for (String group : ended) {
            groups.remove(group);
            Register next = waiting.remove(group);
            if (next != null) {
              timers.cancel(group);
              accept(next);
            }
          }
          return this;
        })
        .build();
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
    groups.put(r.group(), new Registration(Set.copyOf(r.members()), r.coordinator()));
    warned.remove(r.group());
    getContext().watch(r.coordinator());
    r.coordinator().tell(GroupCoordinator.Registered.INSTANCE);
  }

  private static void refuse(Register r, Registration running) {
    r.coordinator().tell(new GroupCoordinator.RegistrationRefused("group '" + r.group()
        + "' already runs on this node" + (running == null ? "" : ", in " + running.coordinator().path())));
  }

  private Behavior<Command> route(GroupEnvelope e) {
    return route(e.group(), e.from(), e.message().from(), e, new GroupCoordinator.Inbound(e.message()));
  }

  private Behavior<Command> route(String group, int from, int claimedSender, Object message,
      GroupCoordinator.Command forward) {
    Registration r = groups.get(group);
    if (r == null) {
      // Normal for a moment while a group starts or stops on this node; a lasting cause is a
      // group configured on the peer but not here.
      dropped(group, "dropping messages for group '{}', which this node does not run (first: {})", group, message);
    } else if (!r.members().contains(from) || claimedSender != from) {
      dropped(group + "@" + from, "dropping messages for group '{}' from node {}, which is not one of the nodes {} "
          + "(first: {})", group, from, r.members(), message);
    } else {
      r.coordinator().tell(forward);
    }
    return this;
  }

  private void dropped(String key, String format, Object... args) {
    if (warned.size() < MAX_WARNED && warned.add(key)) {
      getContext().getLog().warn(format, args);
    } else {
      getContext().getLog().debug(format, args);
    }
  }
}
