package io.synod.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One ActorSystem with the journal and snapshot-store plugins on the given directories, plus the
 * few steps the contract tests repeat: spawn a {@link Recorder} and wait for its recovery, persist
 * and wait for the acknowledgement, stop and wait for termination, and read a persistence id's
 * events straight from the journal actor with the journal protocol.
 */
final class PluginTestKit implements AutoCloseable {

  static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** An event that no serializer is bound to (and Java serialization is off), so it cannot be stored. */
  record Unserializable(String name) {}

  private final ActorTestKit kit;
  private boolean closed;

  private PluginTestKit(ActorTestKit kit) {
    this.kit = kit;
  }

  static Config config(Path journalDir, Path snapshotDir) {
    return ConfigFactory.parseMap(Map.of(
            "synod.persistence.journal.dir", journalDir.toString(),
            "synod.persistence.snapshot-store.dir", snapshotDir.toString()))
        .withFallback(ConfigFactory.parseString("""
            pekko.persistence.journal.plugin = "synod.persistence.journal"
            pekko.persistence.snapshot-store.plugin = "synod.persistence.snapshot-store"
            pekko.actor.allow-java-serialization = off
            pekko.actor.serialize-messages = off
            pekko.loglevel = WARNING
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            """));
  }

  static PluginTestKit start(String name, Path journalDir, Path snapshotDir) {
    return new PluginTestKit(ActorTestKit.create(name, config(journalDir, snapshotDir)));
  }

  /** As {@link #start(String, Path, Path)}, with {@code overrides} (a test's serializers, say) taking precedence. */
  static PluginTestKit start(String name, Path journalDir, Path snapshotDir, Config overrides) {
    return new PluginTestKit(ActorTestKit.create(name, overrides.withFallback(config(journalDir, snapshotDir))));
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      kit.shutdownTestKit();
    }
  }

  <M> TestProbe<M> probe() {
    return kit.createTestProbe();
  }

  <T> ActorRef<T> spawn(Behavior<T> behavior) {
    return kit.spawn(behavior);
  }

  /** Spawns a recorder that reports to {@code reports} (its recovery first: see {@link #expectRecovered}). */
  ActorRef<Recorder.Command> spawn(String persistenceId, TestProbe<Object> reports, RetentionCriteria retention) {
    return kit.spawn(Recorder.create(persistenceId, reports.ref(), retention));
  }

  ActorRef<Recorder.Command> spawn(String persistenceId, TestProbe<Object> reports) {
    return kit.spawn(Recorder.create(persistenceId, reports.ref()));
  }

  static Recorder.Recovered expectRecovered(TestProbe<Object> reports) {
    return reports.expectMessageClass(Recorder.Recovered.class, TIMEOUT);
  }

  /** Persists {@code events} as one atomic write and returns the sequence number of the last. */
  long persist(ActorRef<Recorder.Command> recorder, Object... events) {
    TestProbe<Long> ack = probe();
    recorder.tell(new Recorder.Persist(List.of(events), ack.ref()));
    return ack.receiveMessage(TIMEOUT);
  }

  void stop(ActorRef<Recorder.Command> recorder) {
    TestProbe<Object> watcher = probe();
    recorder.tell(new Recorder.Stop());
    watcher.expectTerminated(recorder, TIMEOUT);
  }

  org.apache.pekko.actor.ActorRef journal() {
    return Persistence.get(Adapter.toClassic(kit.system())).journalFor("", ConfigFactory.empty());
  }

  org.apache.pekko.actor.ActorRef snapshotStore() {
    return Persistence.get(Adapter.toClassic(kit.system())).snapshotStoreFor("", ConfigFactory.empty());
  }

  /** What the journal holds for a persistence id: its events as replayed, and its highest sequence number. */
  record Stored(List<PersistentRepr> events, long highestSequenceNr) {
    List<Long> sequenceNrs() {
      return events.stream().map(PersistentRepr::sequenceNr).toList();
    }

    List<Object> payloads() {
      return events.stream().map(PersistentRepr::payload).toList();
    }
  }

  /** Replays every event of {@code persistenceId} straight from the journal actor. */
  Stored read(String persistenceId) {
    return read(persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  /** Replays at most {@code max} events of {@code persistenceId} numbered {@code from..to}, with ReplayMessages. */
  Stored read(String persistenceId, long from, long to, long max) {
    TestProbe<Object> replies = probe();
    journal().tell(new JournalProtocol.ReplayMessages(from, to, max, persistenceId,
        Adapter.toClassic(replies.ref())), Adapter.toClassic(replies.ref()));
    List<PersistentRepr> events = new ArrayList<>();
    while (true) {
      Object reply = replies.receiveMessage(TIMEOUT);
      if (reply instanceof JournalProtocol.ReplayedMessage m) {
        events.add(m.persistent());
      } else if (reply instanceof JournalProtocol.RecoverySuccess s) {
        return new Stored(events, s.highestSequenceNr());
      } else {
        throw new AssertionError("unexpected reply to ReplayMessages for " + persistenceId + ": " + reply);
      }
    }
  }

  static List<String> numbered(String prefix, int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      out.add(prefix + i);
    }
    return out;
  }
}
