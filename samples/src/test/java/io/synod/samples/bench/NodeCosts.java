package io.synod.samples.bench;

import io.synod.samples.NodeProcesses;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the three node processes have spent so far, read at the start and the end of a measured
 * window: their CPU time and the machine's ({@link NodeCpu}), their threads' context switches
 * ({@link ProcFiles}, summed over the nodes), and the bytes their JVMs allocated (each node's
 * {@code GET /bench/process}, summed). Steadier than commits/s on a shared machine: a row that
 * commits half as much because a neighbour took a core still costs about as much per commit. The
 * same route says how long the nodes' JIT compilers have worked, which the warm-up reads.
 */
final class NodeCosts {

  /**
   * The costs so far, or over a window: CPU, context switches and allocated bytes of the three
   * nodes (each -1 where it could not be read).
   */
  record Sample(NodeCpu.Sample cpu, long contextSwitches, long allocatedBytes) {
    /**
     * The costs between {@code earlier} and this sample. Allocation counts only live threads, so a
     * thread that ended in between makes the difference too small, or negative: then -1.
     */
    Sample since(Sample earlier) {
      long switches = contextSwitches < 0 || earlier.contextSwitches < 0 ? -1
          : Math.max(0, contextSwitches - earlier.contextSwitches);
      long allocated = allocatedBytes < 0 || earlier.allocatedBytes < 0 || allocatedBytes < earlier.allocatedBytes
          ? -1 : allocatedBytes - earlier.allocatedBytes;
      return new Sample(cpu.since(earlier.cpu), switches, allocated);
    }
  }

  private static final Pattern ALLOCATED = Pattern.compile("\"allocatedBytes\":(-?\\d+)");
  private static final Pattern COMPILED = Pattern.compile("\"compileMillis\":(-?\\d+)");

  private NodeCosts() {}

  static Sample read(NodeProcesses nodes, HttpClient http) {
    NodeCpu.Sample cpu = NodeCpu.read(nodes);
    return new Sample(cpu, contextSwitches(nodes), allocatedBytes(nodes, http));
  }

  /** The nodes' context switches so far, summed; -1 if any cannot be read. */
  static long contextSwitches(NodeProcesses nodes) {
    long sum = 0;
    for (int n = 1; n <= nodes.size(); n++) {
      long s = ProcFiles.contextSwitches(nodes.handle(n).pid());
      if (s < 0) {
        return -1;
      }
      sum += s;
    }
    return sum;
  }

  /** The bytes the nodes' JVMs allocated so far, as {@code /bench/process} says, summed; -1 if any did not answer. */
  private static long allocatedBytes(NodeProcesses nodes, HttpClient http) {
    return processSum(nodes, http, ALLOCATED);
  }

  /**
   * The milliseconds the nodes' JIT compilers spent so far, as {@code /bench/process} says, summed;
   * -1 if any did not say. The warm-up ({@link ClusterWarmUp}) waits for it to stop growing.
   */
  static long compileMillis(NodeProcesses nodes, HttpClient http) {
    return processSum(nodes, http, COMPILED);
  }

  /** One figure of every node's {@code /bench/process}, summed; -1 if any did not answer with it. */
  private static long processSum(NodeProcesses nodes, HttpClient http, Pattern figure) {
    long sum = 0;
    for (int n = 1; n <= nodes.size(); n++) {
      String body = nodes.get(http, n, "/bench/process", Duration.ofSeconds(5));
      Matcher m = figure.matcher(body == null ? "" : body);
      if (!m.find() || Long.parseLong(m.group(1)) < 0) {
        return -1;
      }
      sum += Long.parseLong(m.group(1));
    }
    return sum;
  }
}
