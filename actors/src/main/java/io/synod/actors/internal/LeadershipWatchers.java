package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.Leadership;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Who watches a group's leadership on this node ({@link Leadership#watch}): each watcher is told
 * the leadership at once and then at every change, until it unwatches or stops. The coordinator
 * keeps one for the group's life on this node, across restarts of its roles.
 */
final class LeadershipWatchers {

  private final ActorContext<GroupCommand> ctx;
  private final Set<ActorRef<Leadership>> watchers = new LinkedHashSet<>();

  LeadershipWatchers(ActorContext<GroupCommand> ctx) {
    this.ctx = ctx;
  }

  void watch(ActorRef<Leadership> watcher, Leadership now) {
    if (watchers.add(watcher)) {
      ctx.watchWith(watcher, new GroupCoordinator.WatcherGone(watcher));
    }
    watcher.tell(now);
  }

  void unwatch(ActorRef<Leadership> watcher) {
    if (watchers.remove(watcher)) {
      ctx.unwatch(watcher);
    }
  }

  /** {@code watcher} stopped. */
  void gone(ActorRef<Leadership> watcher) {
    watchers.remove(watcher);
  }

  void tell(Leadership now) {
    watchers.forEach(w -> w.tell(now));
  }
}
