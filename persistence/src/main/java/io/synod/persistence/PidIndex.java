package io.synod.persistence;

import java.util.Arrays;

/**
 * Where the events of one persistence id are in the journal's queue, with what was deleted. Sequence
 * numbers ascend, so lookups bisect. Guarded by its {@link JournalStore}.
 */
final class PidIndex {
  long[] seqs = new long[4];
  long[] positions = new long[4];
  int size;
  long highest;
  long deletedTo;
  /** Queue index of the latest deletion mark, or -1. */
  long markPosition = -1;

  void add(long seq, long position) {
    if (size == seqs.length) {
      seqs = Arrays.copyOf(seqs, size * 2);
      positions = Arrays.copyOf(positions, size * 2);
    }
    seqs[size] = seq;
    positions[size] = position;
    size++;
    highest = Math.max(highest, seq);
  }

  /** Forgets events up to {@code to}; returns their positions. */
  long[] removeTo(long to) {
    int n = 0;
    while (n < size && seqs[n] <= to) {
      n++;
    }
    long[] removed = Arrays.copyOf(positions, n);
    System.arraycopy(seqs, n, seqs, 0, size - n);
    System.arraycopy(positions, n, positions, 0, size - n);
    size -= n;
    return removed;
  }

  int firstAtOrAbove(long seq) {
    int i = Arrays.binarySearch(seqs, 0, size, seq);
    return i >= 0 ? i : -i - 1;
  }
}
