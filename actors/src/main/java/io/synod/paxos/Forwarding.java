package io.synod.paxos;

import io.synod.paxos.Message.Forward;
import java.util.ArrayList;
import java.util.List;

/**
 * How a node that does not lead passes client commands (and handover requests) on to the node it
 * believes leads: never to itself or back where they came from, at most {@code maxForwardHops}
 * times, and in {@link Forward}s that each fit the transport's frame. Its one reason to change:
 * how work travels between nodes on its way to the leader.
 */
final class Forwarding {

  private final int self;
  private final int maxBatchBytes;
  private final int maxForwardHops;

  Forwarding(int self, int maxBatchBytes, int maxForwardHops) {
    this.self = self;
    this.maxBatchBytes = maxBatchBytes;
    this.maxForwardHops = maxForwardHops;
  }

  /**
   * Whether something that came from {@code cameFrom} after {@code hops} hops may go on to {@code
   * leader} (-1 if none is known); otherwise it stays here until a leader is known, as it would
   * only go round in circles.
   */
  boolean mayPassTo(int leader, int cameFrom, int hops) {
    return leader >= 0 && leader != self && leader != cameFrom && hops < maxForwardHops;
  }

  /**
   * Sends {@code commands} to {@code to} in Forwards of at most {@code maxBatchBytes} of payload
   * each (at least one command each): a node that stops leading may hold thousands of waiting
   * commands.
   */
  void send(Decision.Builder d, int to, List<ClientCommand> commands, int hops) {
    List<ClientCommand> part = new ArrayList<>();
    long bytes = 0;
    for (ClientCommand c : commands) {
      long size = Value.ENTRY_OVERHEAD_BYTES + c.payload().length;
      if (!part.isEmpty() && bytes + size > maxBatchBytes) {
        d.sendNow(to, new Forward(self, part, hops));
        part = new ArrayList<>();
        bytes = 0;
      }
      part.add(c);
      bytes += size;
    }
    if (!part.isEmpty()) {
      d.sendNow(to, new Forward(self, part, hops));
    }
  }
}
