package io.synod.persistence;

import com.typesafe.config.Config;

/**
 * Reads what a Synod journal holds for one persistence id, for tests of other modules (through
 * this module's test jar): how many events remain after the deleted ones, and the highest
 * sequence number ever written. It shares the store a running actor system has open on the
 * directory (same JVM), or opens it.
 */
public final class JournalInspector {

  /** {@code events} not deleted, out of {@code highestSequenceNr} written; deleted through {@code deletedTo}. */
  public record Contents(int events, long highestSequenceNr, long deletedTo) {}

  private JournalInspector() {}

  /** The contents for {@code persistenceId} in the journal configured at {@code synod.persistence.journal} of {@code config}. */
  public static Contents contents(Config config, String persistenceId) {
    JournalStore store = JournalStore.acquire(
        JournalSettings.fromConfig(config.getConfig(JournalSettings.PATH), JournalSettings.PATH));
    try {
      long deletedTo = store.deletedTo(persistenceId);
      int[] events = {0};
      store.replay(persistenceId, deletedTo + 1, Long.MAX_VALUE, Long.MAX_VALUE, e -> events[0]++);
      return new Contents(events[0], store.highestSequenceNr(persistenceId), deletedTo);
    } finally {
      store.release();
    }
  }
}
