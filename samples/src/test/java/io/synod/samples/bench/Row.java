package io.synod.samples.bench;

import java.util.List;
import java.util.Locale;

/**
 * One row of the benchmark: a closed loop and, for clients inside the nodes, the open loop at
 * half its rate ({@code open} is null for external clients, which run a closed loop only), over
 * one transport; {@code stalls} says, for a loop that committed nothing, what every node's
 * {@code /status} showed just after it (empty otherwise).
 */
record Row(Transport transport, ClientMode mode, int groups, int size, int clients, Load closed, Load open,
    List<String> stalls) {

  Row {
    stalls = List.copyOf(stalls);
  }

  boolean hasOpen() {
    return open != null;
  }

  /** {@code transport=tls mode=in-node groups=1 size=100 clients=512}: what names the row. */
  String key() {
    return String.format(Locale.ROOT, "transport=%s mode=%s groups=%d size=%d clients=%d", transport.tag(),
        mode.tag(), groups, size, clients);
  }

  /** The row's {@code BENCH-ROW} line. */
  String benchLine() {
    StringBuilder b = new StringBuilder("BENCH-ROW ").append(key())
        .append(String.format(Locale.ROOT, " closed=%.0f/s p50=%dus p99=%dus %s", closed.perSecond(),
            closed.micros(50), closed.micros(99), costs(closed)));
    if (hasOpen()) {
      b.append(String.format(Locale.ROOT, " open=%.0f/s p50=%dus p99=%dus p999=%dus %s", open.perSecond(),
          open.micros(50), open.micros(99), open.micros(99.9), costs(open)));
    }
    return b.append(" errors=").append(closed.errors() + (hasOpen() ? open.errors() : 0)).toString();
  }

  /** {@code cpu=81us/commit ctxsw=52000/s alloc=4100B/commit others=0.02cores}, "?" where unknown. */
  private static String costs(Load l) {
    return String.format(Locale.ROOT, "cpu=%.0fus/commit ctxsw=%s/s alloc=%sB/commit others=%.2fcores",
        l.cpuMicrosPerCommit(), l.contextSwitchesPerSecond() < 0 ? "?" : String.format(Locale.ROOT, "%.0f",
            l.contextSwitchesPerSecond()), l.allocatedBytesPerCommit() < 0 ? "?" : String.format(Locale.ROOT, "%.0f",
            l.allocatedBytesPerCommit()), l.otherCores());
  }
}
