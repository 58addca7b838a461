package io.synod.samples.bench;

import io.synod.samples.NodeProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the benchmark's node processes cost in CPU, and what else the machine was busy with
 * meanwhile. The nodes' CPU is the user and system time of all three, summed, as the operating
 * system counts it ({@link ProcessHandle.Info#totalCpuDuration()}, read from {@code
 * /proc/<pid>/stat} on Linux, in steps of one clock tick, 10 ms); clients that run inside the
 * nodes count too, external clients' JVM does not (it is among the rest of the machine). The rest of the machine's busy time ({@code /proc/stat}: other
 * processes, this JVM, and what the hypervisor took, "steal") says whether the nodes had the
 * cores to themselves: on a shared machine a row measured beside someone else's build is not
 * comparable with one that was not. The benchmark reads a {@link Sample} at the start and the
 * end of a measured window.
 */
final class NodeCpu {

  /** /proc/stat counts in USER_HZ ticks, 100 a second on Linux. */
  private static final long NANOS_PER_TICK = 10_000_000;
  private static final Path PROC_STAT = Path.of("/proc/stat");

  /**
   * CPU time so far, in ns: the node processes' own, summed, and the machine's busy time on all
   * cores (-1 where {@code /proc/stat} cannot be read).
   */
  record Sample(long nodes, long machine) {
    /** The CPU used between {@code earlier} and this sample. */
    Sample since(Sample earlier) {
      return new Sample(nodes - earlier.nodes, machine < 0 || earlier.machine < 0 ? -1 : machine - earlier.machine);
    }

    /** The machine's busy time that was not the nodes', in ns; -1 if unknown. */
    long others() {
      return machine < 0 ? -1 : Math.max(0, machine - nodes);
    }
  }

  private NodeCpu() {}

  static Sample read(NodeProcesses nodes) {
    return new Sample(nodes(nodes), machineBusy());
  }

  /** The CPU time every node process has used since it started, summed, in ns. */
  private static long nodes(NodeProcesses nodes) {
    long sum = 0;
    for (int n = 1; n <= nodes.size(); n++) {
      int node = n;
      ProcessHandle h = nodes.handle(n);
      Duration cpu = h.info().totalCpuDuration().orElseThrow(() -> new IllegalStateException(
          "the CPU time of node " + node + " (pid " + h.pid() + ") cannot be read: is it still running?"));
      sum += cpu.toNanos();
    }
    return sum;
  }

  /**
   * The machine's busy time on all cores since boot, in ns, from the first line of {@code
   * /proc/stat} (user, nice, system, irq, softirq and steal; not idle and iowait); -1 off Linux.
   */
  private static long machineBusy() {
    if (!Files.isReadable(PROC_STAT)) {
      return -1;
    }
    String line;
    try (var lines = Files.lines(PROC_STAT)) {
      line = lines.findFirst().orElse("");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + PROC_STAT, e);
    }
    String[] f = line.trim().split("\\s+");
    if (f.length < 9 || !f[0].equals("cpu")) {
      throw new IllegalStateException(PROC_STAT + " does not start with the cpu line: " + line);
    }
    long ticks = 0;
    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
      ticks += Long.parseLong(f[i]);
    }
    return ticks * NANOS_PER_TICK;
  }
}
