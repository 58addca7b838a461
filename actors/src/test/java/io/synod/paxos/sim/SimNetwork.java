package io.synod.paxos.sim;

import io.synod.paxos.Message;
import io.synod.paxos.Outbound;
import io.synod.paxos.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The simulated network between nodes and between nodes and clients: it delays every message,
 * loses, duplicates and corrupts some (per the fault mix, until the run heals), and drops what
 * crosses a cut link. A message reaches a node only if it is up (a message to itself only in the
 * incarnation that sent it); a paused node queues what arrives until it resumes.
 */
final class SimNetwork {

  /** A message in flight; {@code from} is -1 for a client, {@code incarnation} -1 unless sent to oneself. */
  record Envelope(String group, int from, int to, Object payload, boolean corrupted, int incarnation) {}

  /** Where a message that reached a running node goes: the node's shell. */
  interface NodeInbox {
    void arrive(SimNode to, Envelope e);
  }

  /** Where an answer that reached a client goes. */
  interface ClientInbox {
    void answer(int client, Object payload);
  }

  private final SimContext ctx;
  private final FaultMix mix;
  private final SimCluster cluster;
  private final NodeInbox nodes;
  private final ClientInbox clients;
  private final Set<Long> blocked = new HashSet<>();

  SimNetwork(SimContext ctx, SimCluster cluster, NodeInbox nodes, ClientInbox clients) {
    this.ctx = ctx;
    this.mix = ctx.mix();
    this.cluster = cluster;
    this.nodes = nodes;
    this.clients = clients;
  }

  void send(SimNode from, String group, Outbound o) {
    send(from, group, o.to(), o.message());
  }

  void send(SimNode from, String group, int to, Object payload) {
    if (to == from.id) {
      // The envelope, and so the incarnation it names, is made when the message arrives: the
      // incarnation check in deliver never drops a message to oneself, only a node down by then does.
      ctx.clock().schedule(1, () -> deliver(new Envelope(group, from.id, to, payload, false, from.incarnation)));
      return;
    }
    if (blocked.contains(link(from.id, to)) || ctx.rng().nextDouble() < loss()) {
      return;
    }
    int copies = ctx.rng().nextDouble() < duplication() ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      Object p = payload;
      boolean corrupted = false;
      if (payload instanceof Message m && ctx.rng().nextDouble() < corruption()) {
        Object c = corrupt(m);
        corrupted = c != m;
        p = c;
      }
      Envelope e = new Envelope(group, from.id, to, p, corrupted, -1);
      ctx.clock().schedule(delay(), () -> deliver(e));
    }
  }

  /** Every node's id, spares included. */
  List<Integer> nodeIds() {
    List<Integer> ids = new ArrayList<>();
    for (SimNode n : cluster.nodes()) {
      ids.add(n.id);
    }
    return ids;
  }

  /** A client's request on its way to a node: it may be lost, never duplicated or corrupted. */
  void fromClient(Envelope e) {
    if (ctx.rng().nextDouble() >= loss()) {
      ctx.clock().schedule(delay(), () -> deliver(e));
    }
  }

  /** A node's answer on its way to a client. */
  void toClient(int client, Object payload) {
    if (ctx.rng().nextDouble() < loss()) {
      return;
    }
    ctx.clock().schedule(delay(), () -> clients.answer(client, payload));
  }

  /** Cuts the link from node {@code from} to node {@code to}, in that direction only. */
  void cut(int from, int to) {
    blocked.add(link(from, to));
  }

  void reconnectAll() {
    blocked.clear();
  }

  private void deliver(Envelope e) {
    SimNode n = cluster.node(e.to());
    if (!n.up || (e.incarnation() >= 0 && e.incarnation() != n.incarnation) || blocked.contains(link(e.from(), e.to()))) {
      return;
    }
    n.whenRunning(() -> nodes.arrive(n, e));
  }

  private long delay() {
    long max = ctx.phase().healed() ? Math.min(mix.maxDelay(), 2_000) : mix.maxDelay();
    return mix.minDelay() + ctx.rng().nextLong(max - mix.minDelay() + 1);
  }

  private double loss() {
    return ctx.phase().healed() ? 0 : mix.loss();
  }

  private double duplication() {
    return ctx.phase().healed() ? 0 : mix.duplication();
  }

  private double corruption() {
    return ctx.phase().healed() ? 0 : mix.corruption();
  }

  private static long link(int from, int to) {
    return (long) from << 32 | to;
  }

  /** A copy of {@code m} with one bit of one carried value flipped, or {@code m} if it carries none. */
  private Object corrupt(Message m) {
    if (m instanceof Message.Accept a && !a.proposals().isEmpty()) {
      List<Message.Proposal> ps = new ArrayList<>(a.proposals());
      int i = ctx.rng().nextInt(ps.size());
      ps.set(i, new Message.Proposal(ps.get(i).instance(), flip(ps.get(i).value())));
      return new Message.Accept(a.from(), a.ballot(), ps, a.leaseTick());
    }
    if (m instanceof Message.Chosen c) {
      List<Message.ChosenEntry> es = new ArrayList<>(c.entries());
      for (int i = 0; i < es.size(); i++) {
        Message.ChosenEntry e = es.get(i);
        if (e.value() != null) {
          es.set(i, new Message.ChosenEntry(e.instance(), e.ballot(), flip(e.value())));
          return new Message.Chosen(c.from(), es, c.horizon());
        }
      }
      return m;
    }
    if (m instanceof Message.CatchUpReply c && !c.entries().isEmpty()) {
      List<Message.Proposal> ps = new ArrayList<>(c.entries());
      int i = ctx.rng().nextInt(ps.size());
      ps.set(i, new Message.Proposal(ps.get(i).instance(), flip(ps.get(i).value())));
      return new Message.CatchUpReply(c.from(), ps, c.horizon());
    }
    if (m instanceof Message.Promise p && !p.accepted().isEmpty()) {
      List<Message.AcceptedValue> vs = new ArrayList<>(p.accepted());
      int i = ctx.rng().nextInt(vs.size());
      Message.AcceptedValue v = vs.get(i);
      vs.set(i, new Message.AcceptedValue(v.instance(), v.ballot(), flip(v.value())));
      return new Message.Promise(p.from(), p.ballot(), vs, p.truncatedBelow());
    }
    return m;
  }

  private Value flip(Value v) {
    byte[] b = v.bytes().clone();
    int bit = ctx.rng().nextInt(b.length * 8);
    b[bit / 8] ^= (byte) (1 << (bit % 8));
    return Value.fromWire(b, v.crc());
  }
}
