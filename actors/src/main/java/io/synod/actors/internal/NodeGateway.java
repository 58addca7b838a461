package io.synod.actors.internal;

import io.synod.paxos.Outbound;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.ActorSelection;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One per node, at {@code /user/}{@value #NAME}: it receives every group's messages from other
 * nodes over Artery (as {@link GroupEnvelope}s) and hands each to its group's coordinator, so any
 * number of groups share one port. A message for a group this node does not run, or from a node
 * that is not a member of the group, is dropped and logged.
 */
public final class NodeGateway extends AbstractBehavior<NodeGateway.Command> {

  public static final String NAME = "synod-gateway";

  public sealed interface Command permits Register, GroupEnvelope {}

  /** Local: {@code coordinator} runs {@code group}, whose members are {@code members}. */
  public record Register(String group, List<Integer> members, ActorRef<GroupCoordinator.Command> coordinator)
      implements Command {}

  private record Registration(Set<Integer> members, ActorRef<GroupCoordinator.Command> coordinator) {}

  private final Map<String, Registration> groups = new HashMap<>();

  public static Behavior<Command> create() {
    return Behaviors.setup(NodeGateway::new);
  }

  private NodeGateway(ActorContext<Command> ctx) {
    super(ctx);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Register.class, r -> {
          groups.put(r.group(), new Registration(Set.copyOf(r.members()), r.coordinator()));
          return this;
        })
        .onMessage(GroupEnvelope.class, this::route)
        .build();
  }

  private Behavior<Command> route(GroupEnvelope e) {
    Registration r = groups.get(e.group());
    if (r == null) {
      getContext().getLog().warn("dropping a message for group '{}', which this node does not run: {}", e.group(),
          e.message());
    } else if (!r.members().contains(e.from()) || e.message().from() != e.from()) {
      getContext().getLog().warn("dropping a message for group '{}' from node {}, which is not one of its members {}: {}",
          e.group(), e.from(), r.members(), e.message());
    } else {
      r.coordinator().tell(new GroupCoordinator.Inbound(e.message()));
    }
    return this;
  }

  /**
   * How the coordinator of {@code group} on node {@code self} reaches the other members: through
   * their gateways at the given addresses.
   */
  public static Consumer<Outbound> sender(org.apache.pekko.actor.ActorSystem system, String group, int self,
      Map<Integer, Address> members) {
    Map<Integer, ActorSelection> gateways = new HashMap<>();
    members.forEach((id, address) -> gateways.put(id, system.actorSelection(address + "/user/" + NAME)));
    return o -> {
      ActorSelection to = gateways.get(o.to());
      if (to == null) {
        throw new IllegalArgumentException("group '" + group + "' has no address for node " + o.to());
      }
      to.tell(new GroupEnvelope(group, self, o.message()), org.apache.pekko.actor.ActorRef.noSender());
    };
  }
}
