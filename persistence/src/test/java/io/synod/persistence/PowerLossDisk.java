package io.synod.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A disk that can lose power, for a journal directory: installed as the journal's {@link DiskSync},
 * it keeps each file's image as of its last completed force, and which names the directory held at
 * its last completed force. {@link #powerLoss} then rewrites the directory as a machine that lost
 * power would find it: every file as last forced, plus a prefix (in file order, 512-byte sectors,
 * the last one possibly torn) of what was written to it after; a file whose name was never made
 * durable is gone, and one deleted since the directory was last forced is back.
 */
final class PowerLossDisk implements DiskSync {

  static final int SECTOR = 512;

  private final Path dir;
  private final Map<Path, byte[]> images = new HashMap<>();
  private final Set<Path> durableNames = new HashSet<>();
  private volatile long forces;
  /** Forces to let through before the power fails during one; -1: it does not. */
  private long cutAfter = -1;
  private final java.util.concurrent.CountDownLatch cut = new java.util.concurrent.CountDownLatch(1);

  PowerLossDisk(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  /** Takes over the forces of the journal in its directory. */
  PowerLossDisk install() {
    DiskSync.OVERRIDES.put(dir, this);
    return this;
  }

  void uninstall() {
    DiskSync.OVERRIDES.remove(dir, this);
  }

  /** Completed forces so far. */
  long forces() {
    return forces;
  }

  /**
   * The power fails during the force after the next {@code forces} ones: that force never
   * completes (it throws, so the journal stops and acknowledges nothing more), whatever the round
   * had appended stays unforced.
   */
  synchronized void cutDuringForce(long forces) {
    cutAfter = forces;
  }

  /** Waits until the power failed during a force; false if it did not within the time given. */
  boolean awaitCut(long millis) throws InterruptedException {
    return cut.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void force(Path file, FileChannel channel) throws IOException {
    if (cutAfter == 0 || cut.getCount() == 0) {
      cut.countDown();
      throw new IOException("power lost while forcing " + file + " (test)");
    }
    if (cutAfter > 0) {
      cutAfter--;
    }
    // The real disk's durability is not what this test is about; the images are.
    if (file.toAbsolutePath().normalize().equals(dir)) {
      durableNames.clear();
      durableNames.addAll(listing());
    } else {
      images.put(file.toAbsolutePath().normalize(), Files.readAllBytes(file));
    }
    forces++;
  }

  /**
   * Rewrites the directory as power loss leaves it (the journal must be closed or crashed first).
   * Returns a one-line description of what each file kept, for a failure message.
   */
  synchronized String powerLoss(SplittableRandom random) throws IOException {
    StringBuilder what = new StringBuilder();
    Set<Path> names = new HashSet<>(listing());
    names.addAll(durableNames);
    for (Path f : names.stream().sorted().toList()) {
      boolean exists = Files.exists(f);
      byte[] image = images.get(f);
      if (!durableNames.contains(f) && image == null) {
        // Created after the last directory force and never forced itself: it may be gone.
        if (exists && random.nextBoolean()) {
          Files.delete(f);
          what.append(f.getFileName()).append(": gone; ");
          continue;
        }
      }
      if (!exists && durableNames.contains(f)) {
        // Deleted after the last directory force: back, as last forced.
        Files.write(f, image == null ? new byte[0] : image);
        what.append(f.getFileName()).append(": back; ");
        continue;
      }
      if (!exists) {
        continue;
      }
      byte[] current = Files.readAllBytes(f);
      byte[] base = image == null ? new byte[0] : image;
      byte[] after = keepPrefixOfChanges(base, current, random, what);
      Files.write(f, after);
      what.append(f.getFileName()).append("; ");
    }
    images.clear();
    durableNames.clear();
    JournalStore.forgetFailure(dir); // the machine starts again: a new process
    return what.toString();
  }

  /** Whether the power failed during a force since this disk was made. */
  boolean wasCut() {
    return cut.getCount() == 0;
  }

  /** {@code base} with a prefix of the sectors where {@code current} differs, the last maybe torn. */
  private static byte[] keepPrefixOfChanges(byte[] base, byte[] current, SplittableRandom random, StringBuilder what) {
    int length = Math.max(base.length, current.length);
    byte[] out = new byte[length];
    System.arraycopy(base, 0, out, 0, base.length);
    List<Integer> changed = new ArrayList<>();
    for (int s = 0; s * SECTOR < length; s++) {
      int from = s * SECTOR;
      int to = Math.min(length, from + SECTOR);
      for (int i = from; i < to; i++) {
        if (at(base, i) != at(current, i)) {
          changed.add(s);
          break;
        }
      }
    }
    int mode = random.nextInt(4);
    int keep = switch (mode) {
      case 0 -> 0;
      case 1 -> changed.size();
      default -> changed.isEmpty() ? 0 : random.nextInt(changed.size() + 1);
    };
    for (int k = 0; k < keep; k++) {
      copySector(current, out, changed.get(k), SECTOR);
    }
    if (mode == 3 && keep < changed.size()) {
      copySector(current, out, changed.get(keep), 1 + random.nextInt(SECTOR - 1)); // torn
    }
    what.append(" kept ").append(keep).append(mode == 3 && keep < changed.size() ? "+torn" : "").append(" of ")
        .append(changed.size()).append(" changed sectors");
    // The file keeps its length (Chronicle sizes its files ahead): bytes not kept are as last forced.
    if (current.length < length) {
      byte[] trimmed = new byte[length];
      System.arraycopy(out, 0, trimmed, 0, length);
      return trimmed;
    }
    return out;
  }

  private static void copySector(byte[] from, byte[] to, int sector, int bytes) {
    int start = sector * SECTOR;
    int end = Math.min(to.length, start + bytes);
    for (int i = start; i < end; i++) {
      to[i] = at(from, i);
    }
  }

  private static byte at(byte[] b, int i) {
    return i < b.length ? b[i] : 0;
  }

  private List<Path> listing() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        if (!f.getFileName().toString().equals("synod-journal.lock") && Files.isRegularFile(f)) {
          out.add(f.toAbsolutePath().normalize());
        }
      }
    }
    return out;
  }
}
