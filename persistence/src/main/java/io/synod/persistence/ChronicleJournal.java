package io.synod.persistence;

import com.typesafe.config.Config;
import io.synod.persistence.JournalRecord.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serialization$;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Pekko Persistence journal plugin ({@code synod.persistence.journal}): events go through
 * Pekko serialization into a {@link JournalStore}, which holds one Chronicle Queue per directory
 * and acknowledges a write only after the write is forced to disk, sharing one sync among every
 * write pending at that moment. Serialization happens here, so an event that cannot be serialized
 * is rejected (the persisting actor sees an {@code EventRejectedException}) and the journal goes on.
 *
 * <p>Not stored: {@code PersistentRepr} metadata (Pekko's optional event metadata), the sender, and
 * tags (a {@code Tagged} event is stored unwrapped: this journal has no query side that could use them).
 */
public final class ChronicleJournal extends AsyncWriteJournal {

  private final JournalStore store;
  private final Serialization serialization;
  private final Executor replays;

  public ChronicleJournal(Config config, String configPath) {
    // This constructor scans the whole queue when it is the first to open the directory; it runs
    // on the plugin-dispatcher, the journal's own (see reference.conf), not on the actors' threads.
    this.store = JournalStore.acquire(JournalSettings.fromConfig(config, configPath));
    this.serialization = SerializationExtension.get(context().system());
    // Taken here: Pekko calls doAsyncReplayMessages from a future's callback, where context() is off limits.
    this.replays = context().dispatcher()::execute;
    org.apache.pekko.event.EventStream events = context().system().eventStream();
    store.whenFailed().thenAccept(f -> events.publish(new JournalFailed(store.dir(), f)));
  }

  @Override
  public void postStop() {
    store.release();
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    List<CompletableFuture<Optional<Exception>>> results = new ArrayList<>();
    for (AtomicWrite write : messages) {
      List<StoredEvent> events = new ArrayList<>();
      try {
        for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
          events.add(toStored(repr));
        }
      } catch (Exception e) {
        results.add(CompletableFuture.completedFuture(Optional.of(e)));
        continue;
      }
      // A write too large for the journal is rejected (Pekko's term: that write fails, the journal
      // and every other write go on); any other failure fails the call.
      results.add(store.writeEvents(write.persistenceId(), events)
          .thenApply(position -> Optional.<Exception>empty())
          .exceptionally(t -> {
            Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
                ? t.getCause() : t;
            if (cause instanceof JournalWriter.RecordTooLargeException tooLarge) {
              return Optional.of(tooLarge);
            }
            throw t instanceof java.util.concurrent.CompletionException c ? c
                : new java.util.concurrent.CompletionException(t);
          }));
    }
    CompletableFuture<Iterable<Optional<Exception>>> all = CompletableFuture
        .allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(done -> {
          List<Optional<Exception>> out = new ArrayList<>(results.size());
          results.forEach(r -> out.add(r.join()));
          return out;
        });
    return FutureConverters.asScala(all);
  }

  private StoredEvent toStored(PersistentRepr repr) {
    // A tagged event (an EventSourcedBehavior with tagsFor) arrives wrapped; serializing the wrapper
    // would reject every tagged event, so the event itself is stored and the tags are dropped.
    Object payload = repr.payload() instanceof Tagged tagged ? tagged.payload() : repr.payload();
    // Inside the transport information, as Pekko's own plugins serialize: a serializer that writes
    // an ActorRef (Pekko's Jackson support, for one) takes the ActorSystem from it and throws without.
    // Deserializing needs no such wrapper: Serialization.deserialize sets the information itself.
    return Serialization$.MODULE$.withTransportInformation(serialization.system(), () -> {
      Serializer serializer = serialization.findSerializerFor(payload);
      String manifest = Serializers.manifestFor(serializer, payload);
      byte[] bytes = serializer.toBinary(payload);
      return new StoredEvent(repr.sequenceNr(), repr.manifest(), repr.writerUuid(), repr.timestamp(),
          serializer.identifier(), manifest, bytes);
    });
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(store.deleteTo(persistenceId, toSequenceNr).thenApply(position -> (Void) null));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max, Consumer<PersistentRepr> replay) {
    // A replay reads the queue and deserializes every event: blocking work, so it runs as a task of
    // its own on the journal's dispatcher, never on the threads of the actors it replays to.
    CompletableFuture<Void> done = CompletableFuture.runAsync(() -> store.replay(persistenceId, fromSequenceNr,
        toSequenceNr, max, e -> replay.accept(toRepr(persistenceId, e))), replays);
    return FutureConverters.asScala(done);
  }

  private PersistentRepr toRepr(String persistenceId, StoredEvent e) {
    Object payload = serialization.deserialize(e.payload(), e.serializerId(), e.serializerManifest()).get();
    return PersistentRepr.apply(payload, e.sequenceNr(), persistenceId, e.manifest(), false, ActorRef.noSender(),
        e.writerUuid()).withTimestamp(e.timestamp());
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    // After every write of this persistence id still queued has ended: an actor that restarts
    // while its predecessor's write is stalled must not reuse that write's sequence numbers.
    return FutureConverters.asScala(store.highestSequenceNrAfterWrites(persistenceId));
  }
}
