package io.synod.actors;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Reads what a journal (the actor system's default, or the plugin named) still holds for one
 * persistence id, ignoring snapshots: it replays every event that was not deleted and reports how
 * many there were and the highest sequence number ever written. Tests use it to see that
 * compaction deleted events, and which journal holds what.
 */
final class JournalProbe extends EventSourcedBehavior<Object, Object, List<Object>> {

  /** {@code events} replayed out of {@code highestSequenceNr} written. */
  record Contents(int events, long highestSequenceNr) {}

  private final ActorContext<Object> ctx;
  private final ActorRef<Contents> replyTo;
  /** The journal plugin read, or "" for the actor system's default. */
  private final String journalPluginId;

  static Behavior<Object> create(String persistenceId, ActorRef<Contents> replyTo) {
    return create(persistenceId, "", replyTo);
  }

  static Behavior<Object> create(String persistenceId, String journalPluginId, ActorRef<Contents> replyTo) {
    return Behaviors.setup(ctx -> new JournalProbe(persistenceId, journalPluginId, ctx, replyTo));
  }

  private JournalProbe(String persistenceId, String journalPluginId, ActorContext<Object> ctx,
      ActorRef<Contents> replyTo) {
    super(PersistenceId.ofUniqueId(persistenceId));
    this.journalPluginId = journalPluginId;
    this.ctx = ctx;
    this.replyTo = replyTo;
  }

  @Override
  public String journalPluginId() {
    return journalPluginId;
  }

  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public List<Object> emptyState() {
    return new ArrayList<>();
  }

  @Override
  public CommandHandler<Object, Object, List<Object>> commandHandler() {
    return newCommandHandlerBuilder().forAnyState().onAnyCommand((s, c) -> Effect().stop());
  }

  @Override
  public EventHandler<List<Object>, Object> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> {
      s.add(e);
      return s;
    });
  }

  @Override
  public SignalHandler<List<Object>> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), s -> replyTo.tell(new Contents(s.size(), lastSequenceNumber(ctx))))
        .build();
  }
}
