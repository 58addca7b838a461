package io.synod.actors.internal;

import io.synod.actors.SynodNode;

/**
 * Lets a test outside this package send what a node would send its peers, stamped with that node's
 * ticket: a message a peer could have sent (an earlier life's, say) that the receiver must handle
 * as if it came over the network.
 */
public final class PeerInjection {

  private PeerInjection() {}

  /** Sends {@code message} from node {@code from} to node {@code to}'s gateway, as {@code from}'s links do. */
  public static void send(SynodNode from, int to, NodeGateway.PeerTraffic message) {
    ((NodeRuntime) from).peers().send(to, message);
  }
}
