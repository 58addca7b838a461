package io.synod.persistence;

import io.synod.persistence.JournalRecord.Events;
import io.synod.persistence.JournalRecord.StoredEvent;
import io.synod.persistence.JournalRecord.Voided;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The journal's recovery scan: reads the queue once, in order, hands every record that survives to
 * the index, and tells a torn tail (dropped) from damage (refused).
 *
 * <p><b>Acknowledged or not.</b> Every record says, in {@code syncedThrough}, up to which queue
 * index a completed force had made the journal durable when it was written (the writer forces a
 * round, acknowledges it and only then writes the next, so this is the end of the previous round).
 * The highest such index any valid record claims is the <em>proven</em> point: everything up to it
 * was durable and may have been acknowledged. A record that fails its checksum at or before the
 * proven point is damage, wherever it sits in its round, and recovery refuses to start, naming file
 * and index. One after it can only be part of the round in flight when the machine or process died:
 * it, and everything after it, is a torn tail: dropped with a WARN, and cut off the queue by {@link
 * JournalTailRepair} before anything is written. (Earlier versions left a {@link Voided} record
 * instead, which is still honoured.) The last round before a clean shutdown or an idle pause is
 * proven by a {@link JournalRecord.Synced} marker written after it.
 *
 * <p>Only records beyond the proven point so far are held back while scanning (at most the rounds
 * in flight), and only their sequence numbers, never payloads.
 */
final class JournalRecovery {

  /** Where the records that survive go, in queue order. */
  interface Index {
    void apply(JournalRecord slim, long position, File file);
  }

  /**
   * What the scan found. {@code tornFrom} is the index of the first record dropped as torn, -1 if
   * none; {@code lastIndex} the last index read (-1: empty queue), in {@code lastFile}, whose
   * header sits at byte {@code lastHeaderPosition} of it.
   */
  record Result(long records, long lastRound, long lastIndex, long lastHeaderPosition, File lastFile,
      long provenThrough, long tornFrom, String tornReason, long dropped) {}

  private record Held(long position, File file, JournalRecord slim) {}

  private final SingleChronicleQueue queue;
  private final Path dir;
  private final Index index;
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private long proven = -1;
  private long tornFrom = -1;
  private String tornReason;
  private File tornFile;
  /** The round of the last valid record before the tear (for version-1 records). */
  private long tornAfterRound;
  private long corrupt;
  private long records;
  private long lastRound;
  private long lastIndex = -1;
  /** For version-1 records, which carry no durable point: the round being read, and where the one before ended. */
  private long round = Long.MIN_VALUE;
  private long roundLastIndex = -1;
  private long previousRoundEnd = -1;
  private File lastFile;
  private long lastHeaderPosition = -1;

  private JournalRecovery(SingleChronicleQueue queue, Path dir, Index index) {
    this.queue = queue;
    this.dir = dir;
    this.index = index;
  }

  /**
   * Scans {@code queue}, handing each surviving record to {@code index}.
   *
   * @throws JournalCorruptedException if a record at or before the proven point is damaged
   */
  static Result scan(SingleChronicleQueue queue, Path dir, Index index) {
    return new JournalRecovery(queue, dir, index).run();
  }

  private Result run() {
    try (ExcerptTailer tailer = queue.createTailer()) {
      while (true) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          long position = dc.index();
          lastIndex = position;
          byte[] bytes = dc.wire().bytes().toByteArray();
          File file = tailer.currentFile();
          lastFile = file;
          lastHeaderPosition = dc.wire().bytes().readPosition() - 4; // Chronicle's 4-byte header precedes the body
          JournalRecord r;
          try {
            r = JournalRecord.decode(bytes);
          } catch (JournalRecord.Corrupt c) {
            onCorrupt(position, file, c.getMessage());
            continue;
          }
          onValid(position, file, r);
        }
      }
    }
    long dropped = 0;
    while (!held.isEmpty()) {
      Held h = held.poll();
      if (tornFrom >= 0 && h.position() >= tornFrom) {
        dropped++;
      } else {
        apply(h);
      }
    }
    return new Result(records, lastRound, lastIndex, lastHeaderPosition, lastFile, proven, tornFrom, tornReason,
        dropped + corrupt);
  }

  private void onCorrupt(long position, File file, String reason) {
    if (position <= proven) {
      throw damaged(position, file, reason, proven);
    }
    corrupt++;
    if (tornFrom < 0) {
      tornFrom = position;
      tornReason = reason;
      tornFile = file;
      tornAfterRound = round;
    }
  }

  private void onValid(long position, File file, JournalRecord r) {
    lastRound = Math.max(lastRound, r.round());
    if (r.round() != round) {
      previousRoundEnd = roundLastIndex;
      round = r.round();
    }
    roundLastIndex = position;
    // A version-1 record says nothing of the durable point, but a record of a later round proves
    // every earlier round was forced (the rule before syncedThrough existed).
    long syncedThrough = r.syncedThrough() >= 0 ? r.syncedThrough() : previousRoundEnd;
    if (r instanceof Voided v) {
      // An earlier recovery dropped this range as a torn tail: it is no damage, and what it
      // covers stays dropped.
      if (tornFrom >= 0 && v.fromIndex() <= tornFrom && tornFrom < v.toIndex()) {
        tornFrom = -1;
        tornReason = null;
        tornFile = null;
        corrupt = 0;
      }
      held.removeIf(h -> h.position() >= v.fromIndex() && h.position() < v.toIndex());
    }
    if (tornFrom >= 0) {
      if (syncedThrough >= tornFrom || (r.syncedThrough() < 0 && r.round() > tornAfterRound)) {
        // A force completed after the damaged record was written: it was not torn. (A version-1
        // record of a later round than the one before the damage says so too, as it did then.)
        throw damaged(tornFrom, tornFile, tornReason, Math.max(syncedThrough, tornFrom));
      }
      held.add(new Held(position, file, slim(r))); // after a tear: dropped at the end unless voided
      return;
    }
    if (syncedThrough > proven) {
      proven = syncedThrough;
      while (!held.isEmpty() && held.peek().position() <= proven) {
        apply(held.poll());
      }
    }
    held.add(new Held(position, file, slim(r)));
  }

  private void apply(Held h) {
    index.apply(h.slim(), h.position(), h.file());
    records++;
  }

  private JournalCorruptedException damaged(long position, File file, String reason, long provenBy) {
    return new JournalCorruptedException("journal " + dir + ": the record at index " + Long.toHexString(position)
        + " (file " + file + ") is damaged (" + reason + "); a force completed after it was written (the journal is "
        + "durable through index " + Long.toHexString(provenBy) + "), so it was acknowledged or could have been. "
        + "Refusing to start: restore the directory from a replica or backup.");
  }

  /** The record without payloads: all the index needs. */
  private static JournalRecord slim(JournalRecord r) {
    if (r instanceof Events e) {
      List<StoredEvent> slim = new ArrayList<>(e.events().size());
      for (StoredEvent ev : e.events()) {
        slim.add(new StoredEvent(ev.sequenceNr(), "", "", 0, 0, "", NO_BYTES));
      }
      return new Events(e.round(), e.syncedThrough(), e.persistenceId(), slim);
    }
    return r;
  }

  private static final byte[] NO_BYTES = new byte[0];
}
