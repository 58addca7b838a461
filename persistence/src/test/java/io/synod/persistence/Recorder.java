package io.synod.persistence;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.DeleteEventsCompleted;
import org.apache.pekko.persistence.typed.DeleteEventsFailed;
import org.apache.pekko.persistence.typed.DeleteSnapshotsCompleted;
import org.apache.pekko.persistence.typed.DeleteSnapshotsFailed;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A test actor for the plugin contract tests: persists whatever events it is told to (as one atomic
 * write per command), keeps them as its state, and reports to a probe what it recovered and every
 * persistence signal it receives, so a test can see replay, snapshots and deletions from outside.
 *
 * <p>Events are Strings on the way back (Pekko's built-in String serializer stores them); the state
 * is snapshotted as one String through a {@link SnapshotAdapter}, so no Java serialization is used.
 */
final class Recorder extends EventSourcedBehavior<Recorder.Command, Object, List<String>> {

  sealed interface Command {}

  /** Persists {@code events} as one atomic write; replies with the sequence number of the last. */
  record Persist(List<Object> events, ActorRef<Long> replyTo) implements Command {}

  /** Stops the actor. */
  record Stop() implements Command {}

  /** Sent to the reports probe once recovery is done. {@code replayed} counts events replayed from the journal. */
  record Recovered(String persistenceId, List<String> events, int replayed, long lastSequenceNr) {}

  /**
   * Sent to the reports probe for every persistence signal after recovery. Wrapped, because a typed
   * actor (the probe too) takes a {@link Signal} sent as a message for a signal of its own and drops it.
   */
  record Signalled(Signal signal) {}

  private final ActorContext<Command> context;
  private final ActorRef<Object> reports;
  private final RetentionCriteria retention;
  private boolean recovering = true;
  private int replayed;

  private final Set<String> tags;

  private Recorder(String persistenceId, ActorContext<Command> context, ActorRef<Object> reports,
      RetentionCriteria retention, Set<String> tags) {
    super(PersistenceId.ofUniqueId(persistenceId));
    this.context = context;
    this.reports = reports;
    this.retention = retention;
    this.tags = tags;
  }

  static Behavior<Command> create(String persistenceId, ActorRef<Object> reports) {
    return create(persistenceId, reports, RetentionCriteria.disabled());
  }

  static Behavior<Command> create(String persistenceId, ActorRef<Object> reports, RetentionCriteria retention) {
    return Behaviors.setup(ctx -> new Recorder(persistenceId, ctx, reports, retention, Set.of()));
  }

  /** A recorder that tags every event with {@code tags}. */
  static Behavior<Command> tagging(String persistenceId, ActorRef<Object> reports, Set<String> tags) {
    return Behaviors.setup(ctx -> new Recorder(persistenceId, ctx, reports, RetentionCriteria.disabled(), tags));
  }

  @Override
  public Set<String> tagsFor(Object event) {
    return tags;
  }

  @Override
  public List<String> emptyState() {
    return List.of();
  }

  @Override
  public CommandHandler<Command, Object, List<String>> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Persist.class, (state, c) -> Effect().persist(c.events())
            .thenReply(c.replyTo(), s -> lastSequenceNumber(context)))
        .onCommand(Stop.class, (state, c) -> Effect().stop())
        .build();
  }

  @Override
  public EventHandler<List<String>, Object> eventHandler() {
    return (state, event) -> {
      if (recovering) {
        replayed++;
      }
      List<String> next = new ArrayList<>(state);
      next.add(String.valueOf(event));
      return Collections.unmodifiableList(next);
    };
  }

  @Override
  public SignalHandler<List<String>> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          recovering = false;
          reports.tell(new Recovered(persistenceId().id(), state, replayed, lastSequenceNumber(context)));
        })
        .onSignal(RecoveryFailed.class, (state, s) -> reports.tell(new Signalled(s)))
        .onSignal(SnapshotCompleted.class, (state, s) -> reports.tell(new Signalled(s)))
        .onSignal(SnapshotFailed.class, (state, s) -> reports.tell(new Signalled(s)))
        .onSignal(DeleteEventsCompleted.class, (state, s) -> reports.tell(new Signalled(s)))
        .onSignal(DeleteEventsFailed.class, (state, s) -> reports.tell(new Signalled(s)))
        .onSignal(DeleteSnapshotsCompleted.class, (state, s) -> reports.tell(new Signalled(s)))
        .onSignal(DeleteSnapshotsFailed.class, (state, s) -> reports.tell(new Signalled(s)))
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return retention;
  }

  @Override
  public SnapshotAdapter<List<String>> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(List<String> state) {
        return String.join("\n", state);
      }

      @Override
      public List<String> fromJournal(Object from) {
        String s = (String) from;
        return s.isEmpty() ? List.of() : List.of(s.split("\n", -1));
      }
    };
  }
}
