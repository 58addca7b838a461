package io.synod.paxos.sim;

import io.synod.paxos.Applied;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.sim.SimNetwork.Envelope;
import java.util.ArrayList;
import java.util.List;

/**
 * The clients of a run: each issues one operation at a time against its group (a command, or a
 * read with the share the mix says), sends it to a random node or the last leader hinted, and
 * retries after a timeout or a refusal, until it is acknowledged. The checker learns of every
 * command proposed and every acknowledgement and read completed. A colocated reader is an
 * application in the same process as a node: it reads there only, at once, when the node resumes
 * from a pause. Each client is an exactly-once session numbered from virtual time, as GroupClient
 * numbers from its wall clock; a command refused because the session expired is given up (whether
 * it was applied is unknown) and the client goes on in a new session, numbered above what the
 * refusal says.
 */
final class SimClients {

  /** Below the 30-tick lease, so a client stuck behind a deposed leader retries while its lease could still be stale. */
  private static final long CLIENT_TIMEOUT = 20 * FaultMix.TICK;

  record ClientRequest(int client, ClientCommand command) {}

  record ClientReadRequest(int client, long readId, long floor) {}

  /** An answer to command {@code sequence}; {@code expiredThrough} is -1 unless its session expired. */
  record ClientReply(long sequence, Applied.Outcome outcome, byte[] result, long expiredThrough) {}

  record ClientRefused(long sequence, int leaderHint) {}

  record ClientReadReply(long readId, boolean served, long appliedThrough, int leaderHint) {}

  /** One client: its identity, the operation it waits for (at most one), and its retry state. */
  private static final class Client {
    final int index;
    final String group;
    long clientId;
    /** The sequence of its last command; the next is one above. */
    long sequence;
    /** Sessions it went on in after the group expired one. */
    int renewals;
    ClientCommand current;
    long readId = -1;
    long readFloor;
    long reads;
    int attempt;
    int hint = -1;
    final boolean colocatedReader;

    Client(int index, String group, long clientId, long startedAt, boolean colocatedReader) {
      this.index = index;
      this.group = group;
      this.clientId = clientId;
      this.sequence = startedAt;
      this.colocatedReader = colocatedReader;
    }

    boolean busy() {
      return current != null || readId >= 0;
    }
  }

  private final SimContext ctx;
  private final SimCluster cluster;
  private final SimNetwork network;
  private final SimShell shell;
  private final List<Client> clients = new ArrayList<>();

  SimClients(SimContext ctx, SimCluster cluster, SimNetwork network, SimShell shell) {
    this.ctx = ctx;
    this.cluster = cluster;
    this.network = network;
    this.shell = shell;
  }

  /** Creates each group's clients and schedules their first operations. */
  void start() {
    FaultMix mix = ctx.mix();
    for (String g : cluster.groups()) {
      for (int c = 0; c < mix.clientsPerGroup(); c++) {
        Client client = new Client(clients.size(), g, 1_000 + clients.size(), ctx.clock().now(), false);
        clients.add(client);
        ctx.clock().schedule(ctx.rng().nextLong(10 * FaultMix.TICK), () -> nextOperation(client));
      }
      if (mix.readAfterResume() > 0) {
        clients.add(new Client(clients.size(), g, 1_000 + clients.size(), ctx.clock().now(), true));
      }
    }
  }

  private void nextOperation(Client c) {
    if (ctx.phase().healed() || c.busy() || c.colocatedReader) {
      return;
    }
    if (ctx.rng().nextDouble() < ctx.mix().readShare()) {
      c.readId = c.clientId * 1_000_000 + ++c.reads;
      c.readFloor = ctx.checker().readFloor(c.group);
    } else {
      byte[] payload = new byte[8 + ctx.rng().nextInt(24)];
      ctx.rng().nextBytes(payload);
      c.current = new ClientCommand(c.clientId, ++c.sequence, payload);
      ctx.checker().proposed(c.group, c.current);
    }
    attempt(c);
  }

  private void attempt(Client c) {
    if (!c.busy()) {
      return;
    }
    int target = c.hint >= 0 && ctx.rng().nextBoolean() ? c.hint : ctx.rng().nextInt(cluster.size());
    int attempt = ++c.attempt;
    Object request = c.current != null
        ? new ClientRequest(c.index, c.current)
        : new ClientReadRequest(c.index, c.readId, c.readFloor);
    network.fromClient(new Envelope(c.group, -1, target, request, false, -1));
    retryAfter(c, attempt, CLIENT_TIMEOUT);
  }

  /** Tries {@code c}'s operation again after {@code delay}, unless attempt {@code attempt} was answered first. */
  private void retryAfter(Client c, int attempt, long delay) {
    ctx.clock().schedule(delay, () -> {
      if (c.attempt == attempt) {
        attempt(c);
      }
    });
  }

  /**
   * The applications next to a node that resumes from a pause read from it at once (their threads
   * were stopped too): the first thing a resumed leader may be asked is a lease read.
   */
  void colocatedReadsAfterResume(SimNode n) {
    for (Client c : clients) {
      if (c.colocatedReader && !c.busy() && ctx.rng().nextDouble() < ctx.mix().readAfterResume()) {
        c.readId = c.clientId * 1_000_000 + ++c.reads;
        c.readFloor = ctx.checker().readFloor(c.group);
        int attempt = ++c.attempt;
        shell.handle(n, new Envelope(c.group, -1, n.id, new ClientReadRequest(c.index, c.readId, c.readFloor), false, -1));
        retryAfter(c, attempt, CLIENT_TIMEOUT);
      }
    }
  }

  private void retrySoon(Client c) {
    int attempt = ++c.attempt;
    retryAfter(c, attempt, FaultMix.TICK + ctx.rng().nextLong(3 * FaultMix.TICK));
  }

  /** An answer from a node reaches client {@code client}. */
  void receive(int client, Object payload) {
    Client c = clients.get(client);
    if (payload instanceof ClientReply r) {
      onReply(c, r);
    } else if (payload instanceof ClientRefused r) {
      if (c.current != null && r.sequence() == c.current.sequence()) {
        c.hint = r.leaderHint();
        retrySoon(c);
      }
    } else if (payload instanceof ClientReadReply r) {
      onReadReply(c, r);
    }
  }

  private void onReply(Client c, ClientReply r) {
    if (c.current == null || r.sequence() != c.current.sequence()) {
      return; // a late answer to something already acknowledged
    }
    if (r.outcome() == Applied.Outcome.BELOW_WINDOW) {
      ctx.checker().raise("client " + c.clientId + " was told its only outstanding command #" + r.sequence()
          + " fell below its session window");
      return;
    }
    if (r.outcome() == Applied.Outcome.SESSION_EXPIRED) {
      renewSession(c, r.expiredThrough());
      return;
    }
    ctx.checker().acknowledged(c.group, c.clientId, r.sequence(), r.result());
    c.current = null;
    c.attempt++;
    ctx.clock().schedule(ctx.rng().nextLong(5 * FaultMix.TICK), () -> nextOperation(c));
  }

  /**
   * The group refused {@code c}'s command because its session expired: the command is given up (it
   * may or may not have been applied before) and {@code c} goes on in a new session, numbered from
   * virtual time or above {@code expiredThrough}, whichever is higher.
   */
  private void renewSession(Client c, long expiredThrough) {
    ctx.tally().sessionRefusals++;
    c.renewals++;
    c.clientId = 1_000 + c.index + c.renewals * 100_000L;
    c.sequence = Math.max(ctx.clock().now(), expiredThrough);
    c.current = null;
    c.attempt++;
    ctx.clock().schedule(ctx.rng().nextLong(5 * FaultMix.TICK), () -> nextOperation(c));
  }

  private void onReadReply(Client c, ClientReadReply r) {
    if (r.readId() != c.readId) {
      return;
    }
    if (r.served()) {
      ctx.checker().readCompleted(c.group, r.appliedThrough());
      c.readId = -1;
      c.attempt++;
      ctx.clock().schedule(ctx.rng().nextLong(5 * FaultMix.TICK), () -> nextOperation(c));
    } else {
      c.hint = r.leaderHint();
      retrySoon(c);
    }
  }

  /** After healing, every client still waiting tries again at once. */
  void retryWaiting() {
    for (Client c : clients) {
      if (c.busy()) {
        attempt(c);
      }
    }
  }

  boolean anyWaiting() {
    for (Client c : clients) {
      if (c.busy()) {
        return true;
      }
    }
    return false;
  }

  /** What each waiting client waits for, for the liveness report. */
  String waiting() {
    StringBuilder b = new StringBuilder();
    for (Client c : clients) {
      if (c.busy()) {
        b.append("client ").append(c.clientId).append(" of ").append(c.group)
            .append(c.current != null ? " waits for #" + c.current.sequence() : " waits for a read").append("; ");
      }
    }
    return b.toString();
  }
}
