package io.synod.actors;

import java.util.UUID;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The actor behind {@link GroupClient#watchLeadership}: it asks the group's actor to tell it every
 * change of leadership, hands each to the application's listener (logging a listener that fails),
 * and stops watching when the handle is closed.
 */
final class LeadershipWatcher {

  private final String group;
  private final ActorRef<GroupCommand> ref;
  private final Consumer<Leadership> listener;
  private final Object stop = new Object();

  private LeadershipWatcher(String group, ActorRef<GroupCommand> ref, Consumer<Leadership> listener) {
    this.group = group;
    this.ref = ref;
    this.listener = listener;
  }

  /** Starts watching group {@code group}'s actor {@code ref} for {@code listener}; closing the handle stops it. */
  static AutoCloseable start(ActorSystem<?> system, String group, ActorRef<GroupCommand> ref,
      Consumer<Leadership> listener) {
    LeadershipWatcher w = new LeadershipWatcher(group, ref, listener);
    ActorRef<Object> watcher = system.systemActorOf(w.behavior(), "synod-leadership-" + UUID.randomUUID(),
        Props.empty());
    return () -> watcher.tell(w.stop);
  }

  private Behavior<Object> behavior() {
    return Behaviors.setup(ctx -> {
      ref.tell(Leadership.watch(ctx.getSelf().narrow()));
      return Behaviors.receive(Object.class)
          .onMessage(Leadership.class, l -> onLeadership(ctx, l))
          .onMessageEquals(stop, () -> onUnwatch(ctx))
          .build();
    });
  }

  private Behavior<Object> onLeadership(ActorContext<Object> ctx, Leadership l) {
    try {
      listener.accept(l);
    } catch (RuntimeException e) {
      ctx.getLog().error("group '{}': a leadership listener failed on {}", group, l, e);
    }
    return Behaviors.same();
  }

  private Behavior<Object> onUnwatch(ActorContext<Object> ctx) {
    ref.tell(Leadership.unwatch(ctx.getSelf().narrow()));
    return Behaviors.stopped();
  }
}
