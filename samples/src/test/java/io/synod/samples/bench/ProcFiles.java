package io.synod.samples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What Linux's {@code /proc} says of one process: its CPU time ({@code utime} + {@code stime} of
 * {@code /proc/<pid>/stat}, in clock ticks of 10 ms) and its context switches (voluntary and
 * involuntary, summed over its threads' {@code /proc/<pid>/task/<tid>/status}). Threads that have
 * exited are not counted (their switches leave with them), so a window's difference is a lower
 * bound when threads end inside it. Each read answers -1 off Linux or once the process is gone.
 */
final class ProcFiles {

  /** /proc counts CPU time in USER_HZ ticks, 100 a second on Linux. */
  static final long NANOS_PER_TICK = 10_000_000;
  private static final Path PROC = Path.of("/proc");

  private ProcFiles() {}

  /** The CPU time (user and system) process {@code pid} has used so far, in ticks; -1 if unreadable. */
  static long cpuTicks(long pid) {
    try {
      return cpuTicksOf(Files.readString(PROC.resolve(pid + "").resolve("stat")));
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * utime + stime from the text of a {@code /proc/<pid>/stat}: fields 14 and 15, counted after the
   * command's name in parentheses (which may hold spaces and parentheses itself).
   */
  static long cpuTicksOf(String stat) {
    int end = stat.lastIndexOf(')');
    if (end < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
    }
    String[] f = stat.substring(end + 1).trim().split("\\s+");
    // f[0] is field 3 (the state): utime, field 14, is f[11], stime f[12].
    if (f.length < 13) {
      throw new IllegalArgumentException("a /proc/<pid>/stat line with too few fields: " + stat);
    }
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /**
   * The context switches of process {@code pid}'s live threads so far, voluntary and involuntary,
   * summed; -1 if unreadable.
   */
  static long contextSwitches(long pid) {
    Path tasks = PROC.resolve(pid + "").resolve("task");
    List<Path> threads;
    try (Stream<Path> list = Files.list(tasks)) {
      threads = list.toList();
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
    long sum = 0;
    for (Path t : threads) {
      try {
        sum += contextSwitchesOf(Files.readString(t.resolve("status")));
      } catch (NoSuchFileException gone) {
        // the thread ended since the listing
      } catch (IOException e) {
        return -1;
      }
    }
    return sum;
  }

  /** voluntary_ctxt_switches + nonvoluntary_ctxt_switches from the text of a {@code status} file. */
  static long contextSwitchesOf(String status) {
    long sum = 0;
    int found = 0;
    for (String line : status.split("\n")) {
      if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
        sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        found++;
      }
    }
    if (found != 2) {
      throw new IllegalArgumentException("a status file without both context switch counts");
    }
    return sum;
  }
}
