package io.synod.actors.internal;

import io.synod.actors.RuntimeGroup;
import io.synod.actors.SynodSettings;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsFailure;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.Recovery;
import org.apache.pekko.persistence.RecoveryCompleted;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import scala.Option;

/**
 * Deletes what one removed life of a runtime group stored on this node: under each of its {@link
 * PersistenceIds}, every journal event (the journal marks them deleted at once, so nothing replays
 * them again, and drops their bytes once their cycle files hold nothing live) and every snapshot
 * (the acceptor's snapshots, and the checkpoints). It runs only once the life's actors have
 * stopped, reports {@link Erased} or {@link Failed} to {@code replyTo}, and stops. Deleting again
 * what is already gone is harmless, which lets a node delete a removed life again at every start.
 */
final class LifeErasure {

  /** Everything {@code life} stored on this node is deleted. */
  record Erased(RuntimeGroup life) implements GroupReconciler.Command {}

  /** Deleting {@code life}'s data failed, {@code reason} says why; it is tried again later. */
  record Failed(RuntimeGroup life, String reason) implements GroupReconciler.Command {}

  /** One persistence id done, or failed ({@code failure} non-null). */
  private record IdDone(String persistenceId, String failure) {}

  private LifeErasure() {}

  static Behavior<IdDone> create(RuntimeGroup life, int self, SynodSettings.PersistenceSettings plugins,
      ActorRef<GroupReconciler.Command> replyTo) {
    return Behaviors.setup(ctx -> {
      Set<String> waiting = new HashSet<>();
      int n = 0;
      for (var id : PersistenceIds.all(life.id(), self, life.incarnation())) {
        waiting.add(id.id());
        Adapter.actorOf(ctx, IdEraser.props(id.id(), plugins, ctx.getSelf()), "id-" + n++);
      }
      return Behaviors.receive(IdDone.class).onMessage(IdDone.class, done -> {
        if (done.failure() != null) {
          replyTo.tell(new Failed(life, "deleting " + done.persistenceId() + ": " + done.failure()));
          return Behaviors.stopped();
        }
        waiting.remove(done.persistenceId());
        if (waiting.isEmpty()) {
          replyTo.tell(new Erased(life));
          return Behaviors.stopped();
        }
        return Behaviors.same();
      }).build();
    });
  }

  /**
   * Deletes the events and snapshots of one persistence id through Pekko Persistence's own
   * requests, with the group's journal and snapshot store; it replays nothing (only the highest
   * sequence number is read, to know whether there are events to delete).
   */
  static final class IdEraser extends AbstractPersistentActor {
    /**
     * The plugins of the eraser being made on this thread: Pekko asks for the plugin ids in its
     * constructor, before this class's fields are set (as {@code io.synod.Synod} hands its plan to
     * the extension Pekko creates).
     */
    private static final ThreadLocal<SynodSettings.PersistenceSettings> MAKING = new ThreadLocal<>();

    private final String persistenceId;
    private final SynodSettings.PersistenceSettings plugins;
    private final ActorRef<IdDone> replyTo;
    private boolean eventsGone;
    private boolean snapshotsGone;

    private IdEraser(String persistenceId, SynodSettings.PersistenceSettings plugins, ActorRef<IdDone> replyTo) {
      this.persistenceId = persistenceId;
      this.plugins = plugins;
      this.replyTo = replyTo;
    }

    static Props props(String persistenceId, SynodSettings.PersistenceSettings plugins, ActorRef<IdDone> replyTo) {
      return Props.create(IdEraser.class, () -> {
        MAKING.set(plugins);
        try {
          return new IdEraser(persistenceId, plugins, replyTo);
        } finally {
          MAKING.remove();
        }
      });
    }

    private SynodSettings.PersistenceSettings plugins() {
      return plugins != null ? plugins : MAKING.get();
    }

    @Override
    public String persistenceId() {
      return persistenceId;
    }

    @Override
    public String journalPluginId() {
      return plugins().journalPluginId();
    }

    @Override
    public String snapshotPluginId() {
      return plugins().snapshotPluginId();
    }

    @Override
    public Recovery recovery() {
      return Recovery.none();
    }

    @Override
    public Receive createReceiveRecover() {
      return receiveBuilder().match(RecoveryCompleted.class, done -> deleteAll()).matchAny(ignored -> { }).build();
    }

    private void deleteAll() {
      if (lastSequenceNr() > 0) {
        deleteMessages(Long.MAX_VALUE);
      } else {
        eventsGone = true; // never written: nothing to mark deleted
      }
      deleteSnapshots(SnapshotSelectionCriteria.create(Long.MAX_VALUE, Long.MAX_VALUE));
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(DeleteMessagesSuccess.class, ok -> {
            eventsGone = true;
            doneIfAll();
          })
          .match(DeleteSnapshotsSuccess.class, ok -> {
            snapshotsGone = true;
            doneIfAll();
          })
          .match(DeleteMessagesFailure.class, f -> fail("its events: " + f.cause()))
          .match(DeleteSnapshotsFailure.class, f -> fail("its snapshots: " + f.cause()))
          .build();
    }

    private void doneIfAll() {
      if (eventsGone && snapshotsGone) {
        replyTo.tell(new IdDone(persistenceId, null));
        getContext().stop(getSelf());
      }
    }

    private void fail(String what) {
      replyTo.tell(new IdDone(persistenceId, what));
      getContext().stop(getSelf());
    }

    @Override
    public void onRecoveryFailure(Throwable cause, Option<Object> event) {
      replyTo.tell(new IdDone(persistenceId, "reading its highest sequence number: " + cause));
    }
  }
}
