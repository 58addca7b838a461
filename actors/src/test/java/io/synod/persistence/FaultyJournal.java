package io.synod.persistence;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A journal for the actor tests whose writes can be made to fail, as a whole: with any exception
 * (a failure the groups restart from), or with the real journal's fail-stop, {@link
 * JournalFailedException} (which it lives in this package to construct). Events are kept in
 * memory. One switch for the JVM: a test sets it and {@link #heal}s it afterwards.
 *
 * <pre>
 * synod.test.faulty-journal.class = "io.synod.persistence.FaultyJournal"
 * synod.group.journal-plugin-id = "synod.test.faulty-journal"
 * synod.group.allow-persistence-without-fsync = on
 * </pre>
 */
public final class FaultyJournal extends AsyncWriteJournal {

  /**
   * The configuration that makes a node's groups use it (Synod's acceptors write to the journal of
   * synod.group.journal-plugin-id, not the actor system's default one), allowed although it does
   * not fsync.
   */
  public static final String CONFIG = "synod.group.journal-plugin-id = \"synod.test.faulty-journal\"\n"
      + "synod.group.allow-persistence-without-fsync = on\n"
      + "synod.test.faulty-journal.class = \"" + FaultyJournal.class.getName() + "\"";

  private static final AtomicReference<Exception> failure = new AtomicReference<>();

  private final Map<String, TreeMap<Long, PersistentRepr>> events = new ConcurrentHashMap<>();
  private final Map<String, Long> highest = new ConcurrentHashMap<>();

  /** Every write from now on fails with {@code e}. */
  public static void failWrites(Exception e) {
    failure.set(e);
  }

  /** Every write from now on fails as the real journal's do once it has failed for good. */
  public static JournalFailedException failStop(String reason) {
    JournalFailedException e = journalFailed(reason);
    failure.set(e);
    return e;
  }

  /** The real journal's fail-stop, as its writes fail with it. */
  public static JournalFailedException journalFailed(String reason) {
    return new JournalFailedException("journal (test) failed: " + reason
        + "; it acknowledges nothing more in this process", new IOException(reason));
  }

  /** Writes succeed again. */
  public static void heal() {
    failure.set(null);
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    Exception e = failure.get();
    if (e != null) {
      return Futures.failed(e);
    }
    List<Optional<Exception>> results = new ArrayList<>();
    for (AtomicWrite write : messages) {
      for (PersistentRepr r : CollectionConverters.asJava(write.payload())) {
        events.computeIfAbsent(r.persistenceId(), id -> new TreeMap<>()).put(r.sequenceNr(), r);
        highest.merge(r.persistenceId(), r.sequenceNr(), Math::max);
      }
      results.add(Optional.empty());
    }
    return Futures.successful(results);
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    TreeMap<Long, PersistentRepr> stream = events.get(persistenceId);
    if (stream != null) {
      stream.headMap(toSequenceNr, true).clear();
    }
    return Futures.successful(null);
  }

  @Override
  public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
      Consumer<PersistentRepr> replay) {
    TreeMap<Long, PersistentRepr> stream = events.get(persistenceId);
    if (stream != null && fromSequenceNr <= toSequenceNr) {
      stream.subMap(fromSequenceNr, true, toSequenceNr, true).values().stream().limit(max).forEach(replay);
    }
    return Futures.successful(null);
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return Futures.successful(highest.getOrDefault(persistenceId, 0L));
  }
}
