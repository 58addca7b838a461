package io.synod.paxos.sim;

import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.Applied;
import io.synod.paxos.Checkpoint;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.CorruptValueException;
import io.synod.paxos.Decision;
import io.synod.paxos.DecisionExecutor;
import io.synod.paxos.Message;
import io.synod.paxos.Outbound;
import io.synod.paxos.PeerLiveness;
import io.synod.paxos.ReadOutcome;
import io.synod.paxos.Refusal;
import io.synod.paxos.sim.SimClients.ClientReadReply;
import io.synod.paxos.sim.SimClients.ClientReadRequest;
import io.synod.paxos.sim.SimClients.ClientRefused;
import io.synod.paxos.sim.SimClients.ClientReply;
import io.synod.paxos.sim.SimClients.ClientRequest;
import io.synod.paxos.sim.SimNetwork.Envelope;
import io.synod.paxos.sim.SimNode.ReadWaiter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * What each node's shell does with its roles: hands every input that reaches the node (a peer's
 * message, a client's command or read, a checkpoint transfer) to the role it is for, and carries
 * out the role's decision through {@link DecisionExecutor}: writes go to the disk, replies wait for
 * them (unless the protocol under test answers before persisting), learned values, applied
 * commands and lease reads go to the checker, answers to the clients waiting for them (and to the
 * membership room, for its workflow's commands). After each decision it notes leader changes, lets
 * the membership room react, reports a longer applied prefix and checkpoints every {@code
 * checkpointEvery} instances.
 */
final class SimShell {

  private static final byte[] READ_QUERY = new byte[0];

  /** A learner asks a peer for its latest checkpoint. */
  record FetchCheckpoint() {}

  /** A peer's encoded checkpoint, sent in answer to {@link FetchCheckpoint}. */
  record CheckpointData(byte[] bytes) {}

  private final SimContext ctx;
  private final SimNetwork network;
  private final SimDisk disk;
  private final SimMembership membership;

  SimShell(SimContext ctx, SimNetwork network, SimDisk disk, SimMembership membership) {
    this.ctx = ctx;
    this.network = network;
    this.disk = disk;
    this.membership = membership;
  }

  /** The channel of node-level heartbeats, which belong to no group. */
  static final String NODE_CHANNEL = "(node)";

  /** A failure detector for node {@code n} in its current incarnation. */
  PeerLiveness newLiveness(SimNode n) {
    return PeerLiveness.forTuning(n.id, network.nodeIds(), (long) n.incarnation << 16 | n.id, n.config().tuning());
  }

  /** A tick of {@code n}'s failure detector: news of silent peers to every group, its heartbeat to every peer. */
  void tickLiveness(SimNode n) {
    PeerLiveness.TickResult t = n.liveness.onTick();
    tellGroups(n, t.news());
    if (t.heartbeatDue()) {
      for (int peer : network.nodeIds()) {
        if (peer != n.id) {
          network.send(n, NODE_CHANNEL, peer, n.liveness.heartbeat());
        }
      }
    }
  }

  private void tellGroups(SimNode n, List<PeerLiveness.News> news) {
    for (PeerLiveness.News item : news) {
      if (ctx.trace().on()) {
        ctx.trace().log("n" + n.id + " hears " + item);
      }
      for (SimReplica r : n.replicas.values()) {
        apply(n, r, r.proposer.onPeerNews(item));
      }
    }
  }

  /** Node {@code n}, running, handles what {@code e} carries. */
  void handle(SimNode n, Envelope e) {
    ctx.tally().events++;
    if (e.payload() instanceof PeerLiveness.Heartbeat h) {
      tellGroups(n, n.liveness.onHeartbeat(h));
      return;
    }
    SimReplica r = n.replicas.get(e.group());
    Object p = e.payload();
    if (ctx.trace().on()) {
      ctx.trace().log(e.group() + " n" + e.from() + "->n" + e.to() + " " + p);
    }
    try {
      if (p instanceof Message.ToAcceptor m) {
        apply(n, r, r.acceptor.handle(m));
      } else if (p instanceof Message.ToProposer m) {
        onToProposer(n, r, m);
      } else if (p instanceof Message.ToLearner m) {
        apply(n, r, countingChecks(r, () -> r.learner.handle(m)));
      } else if (p instanceof ClientRequest c) {
        n.waiters.put(SimNode.waiterKey(r.group, c.command().clientId(), c.command().sequence()), c.client());
        propose(n, r, c.command());
      } else if (p instanceof ClientReadRequest c) {
        n.readWaiters.put(c.readId(), new ReadWaiter(c.client(), c.floor()));
        apply(n, r, r.proposer.handle(new Message.ClientRead(n.id, c.readId(), READ_QUERY)));
      } else if (p instanceof FetchCheckpoint) {
        if (r.storage.checkpoint != null) {
          network.send(n, r.group, e.from(), new CheckpointData(r.storage.checkpoint));
        }
      } else if (p instanceof CheckpointData c) {
        onCheckpointData(n, r, e.from(), c);
      } else {
        throw new IllegalStateException("undeliverable " + p);
      }
    } catch (CorruptValueException ex) {
      if (e.corrupted()) {
        ctx.tally().corruptionsDetected++;
      } else {
        ctx.checker().raise("checksum failure on a message that was not corrupted: " + ex.getMessage());
      }
    } catch (RuntimeException ex) {
      StringWriter sw = new StringWriter();
      ex.printStackTrace(new PrintWriter(sw));
      ctx.checker().raise("node " + n.id + " failed handling " + p + ": " + sw);
    }
  }

  /** The learner's decision on an input, the chain assertions it compared meanwhile counted. */
  private Decision countingChecks(SimReplica r, java.util.function.Supplier<Decision> input) {
    long checks = r.learner.checksumChecks();
    Decision d = input.get();
    ctx.tally().checksumChecks += r.learner.checksumChecks() - checks;
    return d;
  }

  private void onToProposer(SimNode n, SimReplica r, Message.ToProposer m) {
    if (m instanceof Message.Promise pm && pm.continuedFrom() >= 0) {
      ctx.tally().promisePages++;
    }
    if (m instanceof Message.TimeoutNow && !r.proposer.isLeader()) {
      ctx.tally().handoverCampaigns++;
    }
    apply(n, r, r.proposer.handle(m));
  }

  private void onCheckpointData(SimNode n, SimReplica r, int from, CheckpointData c) {
    Checkpoint cp = Checkpoint.decode(c.bytes());
    if (cp.nextInstance() > r.learner.nextToApply()) {
      ctx.tally().checkpointsInstalled++;
      ctx.trace().log("n" + n.id + " installs checkpoint of " + r.group + " at " + cp.nextInstance());
      apply(n, r, countingChecks(r, () -> r.learner.install(cp, from)));
      storeCheckpoint(n, r, c.bytes(), cp.nextInstance());
    }
  }

  /** Hands {@code command} to the proposer of {@code r} and carries out what it decides. */
  private void propose(SimNode n, SimReplica r, ClientCommand command) {
    apply(n, r, r.proposer.onClientCommand(command));
  }

  /** Carries out a decision of a role of replica {@code r} of node {@code n}. */
  void apply(SimNode n, SimReplica r, Decision d) {
    if (d.isEmpty()) {
      return;
    }
    DecisionExecutor.execute(d, new ReplicaEffects(n, r));
    ctx.tally().readIndexReads += r.proposer.readIndexServed() - r.readIndexServedTallied;
    r.readIndexServedTallied = r.proposer.readIndexServed();
    // Noted after the whole decision: the parts after the learned values neither change who leads
    // nor write to the trace, and noting draws no random number, so the place cannot matter.
    noteLeadership(n, r);
    membership.afterDecision(n, r);
    if (r.learner.nextToApply() != r.reportedPrefix) {
      r.reportedPrefix = r.learner.nextToApply();
      // The sessions first: a table that expired differently is the cause when the states differ too.
      ctx.checker().sessionsAt(r.group, n.id, r.reportedPrefix, new Checker.SessionsSummary(r.learner.logTime(),
          r.learner.sessionCount(), r.learner.expiredSessions(), r.learner.sessionsExpiredThrough()));
      ctx.checker().reachedPrefix(r.group, n.id, r.reportedPrefix, r.stateMachine.hash());
      maybeCheckpoint(n, r);
    }
  }

  /** The parts of one decision of one replica's role, carried out on the simulated disk and network. */
  private final class ReplicaEffects implements DecisionExecutor.Shell {
    private final SimNode n;
    private final SimReplica r;

    ReplicaEffects(SimNode n, SimReplica r) {
      this.n = n;
      this.r = r;
    }

    @Override
    public void persist(List<AcceptorRecord> records) {
      disk.write(n, r, records);
    }

    @Override
    public void sendNow(Outbound message) {
      network.send(n, r.group, message);
    }

    @Override
    public void sendAfterPersist(Outbound message) {
      if (ctx.protocol().repliesBeforePersist() || !disk.holdUntilDurable(r, message)) {
        network.send(n, r.group, message);
      }
    }

    @Override
    public void chosen(Message.Proposal p) {
      if (ctx.trace().on()) {
        ctx.trace().log("n" + n.id + " learned " + r.group + "/" + p.instance() + " " + p.value());
      }
      ctx.checker().learned(r.group, n.id, p.instance(), p.value());
    }

    @Override
    public void applied(Applied a) {
      ctx.checker().applied(r.group, n.id, a, membership.isAdminSession(a.clientId()));
      if (a.outcome() == Applied.Outcome.DUPLICATE) {
        ctx.tally().duplicatesAnswered++;
      }
      membership.applied(n, r, a);
      Integer client = n.waiters.remove(SimNode.waiterKey(r.group, a.clientId(), a.sequence()));
      if (client != null) {
        network.toClient(client, new ClientReply(a.sequence(), a.outcome(), a.result(),
            a.outcome() == Applied.Outcome.SESSION_EXPIRED ? a.expiredThrough() : -1));
      }
    }

    @Override
    public void readAnswered(ReadOutcome o) {
      ReadWaiter w = n.readWaiters.remove(o.readId());
      if (w == null) {
        return;
      }
      if (o.served()) {
        ctx.checker().leaseRead(r.group, n.id, w.floor(), o.appliedThrough(), o.result());
      }
      network.toClient(w.client(), new ClientReadReply(o.readId(), o.served(), o.appliedThrough(), o.leaderHint()));
    }

    @Override
    public void refused(Refusal f) {
      membership.refused(n, r, f);
      Integer client = n.waiters.remove(SimNode.waiterKey(r.group, f.command().clientId(), f.command().sequence()));
      if (client != null) {
        network.toClient(client, new ClientRefused(f.command().sequence(), f.leaderHint()));
      }
    }

    @Override
    public void fetchSnapshotFrom(int node) {
      network.send(n, r.group, node, new FetchCheckpoint());
    }
  }

  private void noteLeadership(SimNode n, SimReplica r) {
    if (r.proposer.isLeader() != r.wasLeader) {
      r.wasLeader = !r.wasLeader;
      if (r.wasLeader) {
        ctx.tally().leaderChanges++;
        ctx.trace().log("n" + n.id + " leads " + r.group + " at ballot " + r.proposer.ballot());
      } else if (r.proposer.leaderHint() < 0) { // as the actor shell: making way for a known leader is no news
        n.liveness.leadershipLost();
      }
      ctx.tally().quorumStepDowns += r.proposer.quorumLosses() - r.quorumLossesTallied;
      r.quorumLossesTallied = r.proposer.quorumLosses();
    }
  }

  private void maybeCheckpoint(SimNode n, SimReplica r) {
    long at = r.learner.nextToApply();
    int every = ctx.mix().checkpointEvery();
    if (every == 0 || r.storage.checkpointing || at - Math.max(r.storage.checkpointInstance, 0) < every) {
      return;
    }
    storeCheckpoint(n, r, r.learner.checkpoint().encode(), at);
  }

  /** Stores a checkpoint; once it is durable, the learner and the acceptor may let the log below it go. */
  private void storeCheckpoint(SimNode n, SimReplica r, byte[] bytes, long instance) {
    disk.storeCheckpoint(n, r, bytes, instance, () -> {
      apply(n, r, r.learner.onCheckpointDurable(instance));
      apply(n, r, r.acceptor.onCheckpointDurable(instance));
    });
  }
}
