package io.synod.persistence;

import io.synod.persistence.JournalRecord.DeletedTo;
import io.synod.persistence.JournalRecord.Events;
import io.synod.persistence.JournalRecord.StoredEvent;
import io.synod.persistence.JournalRecord.Voided;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.openhft.chronicle.queue.RollCycle;

/**
 * The journal's in-memory index of what is durable where: per persistence id its events' queue
 * indexes, what was deleted and its highest sequence number; per cycle file how many live events
 * it still holds, which tells compaction what it may delete. Rebuilt by recovery, extended by the
 * writer after each force, read by replays on other threads: every method is synchronized.
 */
final class JournalIndex {

  /** The events of one persistence id in a range, where they are in the queue. */
  record Slice(long[] sequenceNrs, long[] positions) {}

  private final RollCycle rollCycle;
  private final Map<String, PidIndex> pids = new HashMap<>();
  private final TreeMap<Integer, Long> liveByCycle = new TreeMap<>();
  private final Map<Integer, File> fileByCycle = new HashMap<>();
  /** Cycles holding a {@link Voided} record: never compacted, the void must outlive the damage. */
  private final Set<Integer> voidCycles = new HashSet<>();
  private boolean compactionDue;

  JournalIndex(RollCycle rollCycle) {
    this.rollCycle = rollCycle;
  }

  /** Adds a durable record, at queue index {@code position} in {@code file}. */
  synchronized void apply(JournalRecord r, long position, File file) {
    int cycle = rollCycle.toCycle(position);
    fileByCycle.putIfAbsent(cycle, file);
    liveByCycle.putIfAbsent(cycle, 0L);
    if (r instanceof Events e) {
      PidIndex p = pids.computeIfAbsent(e.persistenceId(), k -> new PidIndex());
      int live = 0;
      for (StoredEvent ev : e.events()) {
        if (ev.sequenceNr() > p.deletedTo) {
          p.add(ev.sequenceNr(), position);
          live++;
        }
      }
      liveByCycle.merge(cycle, (long) live, Long::sum);
    } else if (r instanceof DeletedTo d) {
      PidIndex p = pids.computeIfAbsent(d.persistenceId(), k -> new PidIndex());
      p.highest = Math.max(p.highest, d.highestSequenceNr());
      p.markPosition = position;
      if (d.toSequenceNr() > p.deletedTo) {
        p.deletedTo = d.toSequenceNr();
        for (long gone : p.removeTo(d.toSequenceNr())) {
          liveByCycle.merge(rollCycle.toCycle(gone), -1L, Long::sum);
        }
        compactionDue = true;
      }
    } else if (r instanceof Voided) {
      voidCycles.add(cycle);
    }
  }

  /** The file of the cycle holding queue index {@code position}, if any record there is indexed. */
  synchronized File fileOf(long position) {
    return fileByCycle.get(rollCycle.toCycle(position));
  }

  synchronized long highestSequenceNr(String persistenceId) {
    PidIndex p = pids.get(persistenceId);
    return p == null ? 0 : p.highest;
  }

  synchronized long deletedTo(String persistenceId) {
    PidIndex p = pids.get(persistenceId);
    return p == null ? 0 : p.deletedTo;
  }

  /** Every persistence id's highest sequence number (the writer's starting point after recovery). */
  synchronized Map<String, Long> highestByPid() {
    Map<String, Long> out = new HashMap<>();
    pids.forEach((pid, p) -> out.put(pid, p.highest));
    return out;
  }

  synchronized int size() {
    return pids.size();
  }

  /**
   * Where {@code persistenceId}'s events numbered {@code from..to} are, at most {@code max} of
   * them; null if it has none.
   *
   * @throws IllegalStateException if events from {@code from} on were deleted (see {@link
   *     JournalStore#replay})
   */
  synchronized Slice slice(String persistenceId, long from, long to, long max, java.nio.file.Path dir) {
    PidIndex p = pids.get(persistenceId);
    if (p == null) {
      return null;
    }
    if (from <= p.deletedTo) {
      throw new IllegalStateException("journal " + dir + ": cannot replay " + persistenceId + " from sequence number "
          + from + ": its events up to " + p.deletedTo + " were deleted, so the replay would miss them. A recovery"
          + " must start from a snapshot at or after " + p.deletedTo + " (was a newer snapshot lost or damaged?)");
    }
    int start = p.firstAtOrAbove(from);
    int end = start;
    while (end < p.size && p.seqs[end] <= to && end - start < max) {
      end++;
    }
    return new Slice(Arrays.copyOfRange(p.seqs, start, end), Arrays.copyOfRange(p.positions, start, end));
  }

  /** Whether a deletion since the last call may have emptied a cycle file; clears the flag. */
  synchronized boolean takeCompactionDue() {
    boolean due = compactionDue;
    compactionDue = false;
    return due;
  }

  /** Cycles before {@code current} with no live event and no void: their files may go. */
  synchronized List<Integer> emptyCyclesBefore(int current) {
    List<Integer> empty = new ArrayList<>();
    liveByCycle.forEach((cycle, live) -> {
      if (cycle < current && live == 0 && !voidCycles.contains(cycle)) {
        empty.add(cycle);
      }
    });
    return empty;
  }

  /** The deletion marks kept in {@code cycles}, to copy forward before their files go. */
  synchronized List<DeletedTo> marksIn(List<Integer> cycles) {
    List<DeletedTo> marks = new ArrayList<>();
    pids.forEach((pid, p) -> {
      if (p.markPosition >= 0 && cycles.contains(rollCycle.toCycle(p.markPosition))) {
        marks.add(new DeletedTo(0, 0, pid, p.deletedTo, p.highest));
      }
    });
    return marks;
  }

  /** {@code persistenceId}'s latest deletion mark is now at queue index {@code position}. */
  synchronized void markMoved(String persistenceId, long position) {
    pids.get(persistenceId).markPosition = position;
  }

  /** Forgets cycle {@code cycle}; returns its file, to delete, or null. */
  synchronized File forgetCycle(int cycle) {
    liveByCycle.remove(cycle);
    return fileByCycle.remove(cycle);
  }

  /** The cycle files currently holding live data or marks, oldest first. */
  synchronized List<File> cycleFiles() {
    List<File> files = new ArrayList<>();
    for (int cycle : liveByCycle.keySet()) {
      File f = fileByCycle.get(cycle);
      if (f != null) {
        files.add(f);
      }
    }
    return files;
  }
}
