package io.synod.paxos.sim;

import io.synod.paxos.Applied;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Decision;
import io.synod.paxos.Learner;
import io.synod.paxos.Membership;
import io.synod.paxos.Reconfiguration;
import io.synod.paxos.Reconfiguration.Effect;
import io.synod.paxos.Reconfiguration.HandOver;
import io.synod.paxos.Reconfiguration.Op;
import io.synod.paxos.Reconfiguration.Promote;
import io.synod.paxos.Reconfiguration.Reply;
import io.synod.paxos.Reconfiguration.Request;
import io.synod.paxos.Reconfiguration.Submit;
import io.synod.paxos.Refusal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Membership changes in a run: on every node, the shell of each group's membership-change workflow
 * (the core's {@link Reconfiguration}, run as the actor shell's MembershipChanges and its
 * coordinator run it), and what the cluster's membership is now. It feeds each workflow what the
 * node's roles show (the membership its learner applied, the leader its proposer sees, the answers
 * to its commands, a sweep every {@link #RETRY_INTERVAL}) and carries out what the workflow decides:
 * its commands go to the node's proposer and are submitted again every retry interval until
 * answered or their deadline passes, handovers go to the proposer, answers go to the {@link
 * ReconfigurationChecker}. The operator ({@link SimOperator}) asks for changes through {@link #ask}.
 *
 * <p>Only runs whose fault mix asks for membership changes have workflows, so that the other seeds
 * keep the runs (and random draws) they had.
 */
final class SimMembership {

  /** How the room has a replica's role decide: the shell carries out the decision ({@link SimShell#apply}). */
  interface Decisions {
    void apply(SimNode n, SimReplica r, Decision d);
  }

  /**
   * How often a waiting command is submitted again, the workflow is swept and a caught-up learner
   * asks again to vote: the actor shell's default synod.client.retry-interval (500 ms) counted in
   * its default 10 ms ticks (synod.group.tick-interval), so that the workflow meets the faults at
   * the pace it has in production.
   */
  static final long RETRY_INTERVAL = 50 * FaultMix.TICK;

  private final SimContext ctx;
  private final SimCluster cluster;
  private final Decisions decisions;
  private final ReconfigurationChecker checker;
  private final boolean enabled;
  /** Every node has the address of every other: the operator may name any of them. */
  private final List<Integer> knownNodes = new ArrayList<>();
  /** The admin sessions of every workflow so far: their applied commands are membership changes. */
  private final Set<Long> adminClients = new HashSet<>();
  private long requests;

  SimMembership(SimContext ctx, SimCluster cluster, Decisions decisions) {
    this.ctx = ctx;
    this.cluster = cluster;
    this.decisions = decisions;
    this.checker = new ReconfigurationChecker(ctx.checker());
    this.enabled = ctx.mix().membershipPerTick() > 0;
    for (SimNode n : cluster.nodes()) {
      knownNodes.add(n.id);
    }
  }

  ReconfigurationChecker checker() {
    return checker;
  }

  // ---- the node's life ----

  /**
   * Replica {@code r} of node {@code n} (re)starts with fresh roles: a new workflow, in a new admin
   * session drawn from the run's generator (the actor shell draws one at every start), told the
   * membership its learner starts from.
   */
  void start(SimNode n, SimReplica r) {
    if (!enabled) {
      return;
    }
    long clientId = ctx.rng().nextLong();
    adminClients.add(clientId);
    long now = ctx.clock().now();
    r.reconfiguration = new ReplicaWorkflow(ctx.protocol().reconfiguration(r.config, clientId, RETRY_INTERVAL),
        clientId, now);
    noteMembership(n, r, r.reconfiguration);
    carryOut(n, r, r.reconfiguration);
  }

  /** Whether {@code clientId} is a membership workflow's admin session, whose commands are membership changes. */
  boolean isAdminSession(long clientId) {
    return adminClients.contains(clientId);
  }

  /** Node {@code n} crashed: its workflows and what they waited for are gone, the changes under way lost. */
  void crashed(SimNode n) {
    if (!enabled) {
      return;
    }
    for (SimReplica r : n.replicas.values()) {
      if (r.reconfiguration != null && r.reconfiguration.workflow.underWay()) {
        ctx.trace().log("n" + n.id + " " + r.group + " crashed with a membership change under way: its asker gets no"
            + " answer");
      }
      r.reconfiguration = null;
    }
    checker.crashed(n.id);
  }

  /**
   * At each tick of node {@code n}: the leader its proposer sees now (a view that changed without a
   * decision shows here), and every {@link #RETRY_INTERVAL} the sweep, as the coordinator's: waiting
   * commands are submitted again or answered as not chosen at their deadline, then the workflow
   * is swept. The change under way must not be overdue.
   */
  void tick(SimNode n, SimReplica r) {
    ReplicaWorkflow w = r.reconfiguration;
    if (w == null) {
      return;
    }
    noteLeader(n, r, w);
    long now = ctx.clock().now();
    if (now - w.lastSweep >= RETRY_INTERVAL) {
      w.lastSweep = now;
      sweepWaiting(n, r, w, now);
      while (!w.answers.isEmpty()) {
        feed(n, r, w, w.workflow.onAnswer(w.answers.poll()));
      }
      feed(n, r, w, w.workflow.onSweep(now));
    }
    carryOut(n, r, w);
    if (checker.anyUnderWay()) {
      checker.checkInTime(r.group, n.id, now, n.resumedAt);
    }
  }

  private void sweepWaiting(SimNode n, SimReplica r, ReplicaWorkflow w, long now) {
    List<ClientCommand> again = new ArrayList<>();
    for (Iterator<ReplicaWorkflow.Waiting> it = w.waiting.values().iterator(); it.hasNext(); ) {
      ReplicaWorkflow.Waiting c = it.next();
      if (now - c.deadline >= 0) {
        it.remove();
        if (c.answerWanted) {
          w.answers.add(new Reconfiguration.NotChosen(c.command.sequence(), votersRunning(w.membership),
              w.membership.voters().size()));
        }
      } else if (now - c.lastSent >= RETRY_INTERVAL) {
        c.lastSent = now;
        again.add(c.command);
      }
    }
    // Submitted after the walk: what the proposer decides may answer a waiting command at once.
    for (ClientCommand c : again) {
      if (ctx.trace().on()) {
        ctx.trace().log("n" + n.id + " " + r.group + " submits membership command #" + c.sequence() + " again");
      }
      decisions.apply(n, r, r.proposer.onClientCommand(c));
    }
  }

  /** The voters that are up and not paused: what the shell would call reachable. */
  private int votersRunning(Membership m) {
    int running = 0;
    for (int v : m.voters()) {
      if (v < cluster.size() && cluster.node(v).up && !cluster.node(v).paused) {
        running++;
      }
    }
    return running;
  }

  // ---- what the node's roles show ----

  /**
   * The learner of replica {@code r} applied {@code a}: a membership change's result is a membership
   * the group reached; the answer to one of the workflow's commands is handed to it once the whole
   * decision is carried out.
   */
  void applied(SimNode n, SimReplica r, Applied a) {
    ReplicaWorkflow w = r.reconfiguration;
    if (w == null) {
      return;
    }
    if (a.outcome() == Applied.Outcome.APPLIED && adminClients.contains(a.clientId())) {
      Membership.Outcome o = Membership.Outcome.ofResult(a.result());
      if (o.refusal() == null) {
        checker.membershipApplied(r.group, o.membership());
      }
    }
    if (a.clientId() == w.clientId) {
      ReplicaWorkflow.Waiting c = w.waiting.remove(a.sequence());
      if (c != null && c.answerWanted) {
        w.answers.add(new Reconfiguration.Done(a.sequence(), a.result()));
      }
    }
  }

  /** The proposer of replica {@code r} refused command {@code f}: if it is the workflow's, that is its answer. */
  void refused(SimNode n, SimReplica r, Refusal f) {
    ReplicaWorkflow w = r.reconfiguration;
    if (w == null || f.command().clientId() != w.clientId) {
      return;
    }
    ReplicaWorkflow.Waiting c = w.waiting.remove(f.command().sequence());
    if (c != null && c.answerWanted) {
      w.answers.add(new Reconfiguration.LeaderRefused(f.command().sequence(), f.reason()));
    }
  }

  /**
   * After a decision of a role of replica {@code r}, the workflow hears what changed, in the order
   * the actor shell tells it: the leader, the membership the learner applied (reported before the
   * answers, so that a change answered as done is in place), then the answers.
   */
  void afterDecision(SimNode n, SimReplica r) {
    ReplicaWorkflow w = r.reconfiguration;
    if (w == null) {
      return;
    }
    noteLeader(n, r, w);
    noteMembership(n, r, w);
    while (!w.answers.isEmpty()) {
      feed(n, r, w, w.workflow.onAnswer(w.answers.poll()));
    }
    carryOut(n, r, w);
  }

  /** The proposer's view of the leader, as the actor shell reports it: itself while it leads, else its hint. */
  private void noteLeader(SimNode n, SimReplica r, ReplicaWorkflow w) {
    int leader = r.proposer.isLeader() ? n.id : r.proposer.leaderHint();
    if (leader != w.leader) {
      w.leader = leader;
      feed(n, r, w, w.workflow.onLeader(leader));
    }
  }

  private void noteMembership(SimNode n, SimReplica r, ReplicaWorkflow w) {
    Membership m = r.learner.membership();
    if (m != w.membership && !m.equals(w.membership)) {
      w.membership = m;
      checker.membershipApplied(r.group, m);
      feed(n, r, w, w.workflow.onMembership(m, ctx.clock().now()));
    }
  }

  // ---- the operator's requests ----

  /**
   * The operator asks node {@code at} for change {@code op} of node {@code node} in {@code group},
   * to be answered by {@code deadline}: the workflow there refuses it at once or takes it on.
   */
  void ask(SimNode at, String group, Op op, int node, long deadline) {
    SimReplica r = at.replicas.get(group);
    ReplicaWorkflow w = r.reconfiguration;
    long id = ++requests;
    ctx.tally().reconfigAsked++;
    Request<Long> request = new Request<>(op, node, deadline, id);
    boolean removesLeader = op == Op.REMOVE && w.leader == node && w.membership.isVoter(node);
    if (ctx.trace().on()) {
      ctx.trace().log("n" + at.id + " " + group + " is asked for change #" + id + ": " + op + " n" + node + " by t="
          + deadline + (removesLeader ? " (n" + node + " leads: it hands over first)" : "") + "; membership "
          + w.membership + (w.workflow.underWay() ? ", a change under way" : ""));
    }
    checker.asked(id, group, at.id, request, removesLeader);
    List<Effect<Long>> effects = w.workflow.onAsked(request, knownNodes);
    if (effects.stream().noneMatch(e -> e instanceof Reply<Long> reply && reply.asker() == id)) {
      checker.started(id);
    }
    feed(at, r, w, effects);
    carryOut(at, r, w);
  }

  // ---- the workflow's effects ----

  /**
   * Effects the workflow just decided: the checker sees each as it is decided (against what the
   * workflow was told), then they queue to be carried out.
   */
  private void feed(SimNode n, SimReplica r, ReplicaWorkflow w, List<Effect<Long>> effects) {
    for (Effect<Long> e : effects) {
      if (e instanceof Submit<Long> s) {
        checker.submitted(r.group, n.id, s.command(), w.leader);
      } else if (e instanceof Reply<Long> reply) {
        if (ctx.trace().on()) {
          ctx.trace().log("n" + n.id + " " + r.group + " answers change #" + reply.asker() + ": " + reply.outcome());
        }
        checker.answered(reply.asker(), n.id, reply.outcome(), ctx.clock().now(), n.resumedAt);
      }
      w.effects.add(e);
    }
  }

  /** Carries out the queued effects, unless they are being carried out already further up the stack. */
  private void carryOut(SimNode n, SimReplica r, ReplicaWorkflow w) {
    if (w.carryingOut) {
      return;
    }
    w.carryingOut = true;
    try {
      Effect<Long> e;
      while ((e = w.effects.poll()) != null) {
        carryOutOne(n, r, w, e);
      }
    } finally {
      w.carryingOut = false;
    }
  }

  private void carryOutOne(SimNode n, SimReplica r, ReplicaWorkflow w, Effect<Long> e) {
    if (e instanceof Submit<Long> s) {
      ctx.tally().membershipChanges++;
      if (ctx.trace().on()) {
        ctx.trace().log("n" + n.id + " " + r.group + " submits membership command #" + s.command().sequence() + ": "
            + describe(s.command()));
      }
      submit(n, r, w, s.command(), s.deadline(), true);
    } else if (e instanceof Promote<Long> p) {
      if (ctx.trace().on()) {
        ctx.trace().log("n" + n.id + " " + r.group + " has caught up and asks to vote: " + describe(p.command()));
      }
      submit(n, r, w, p.command(), p.deadline(), false);
    } else if (e instanceof HandOver<Long> h) {
      handOver(n, r, h.to());
    }
    // A Reply was answered as it was decided (see feed): the operator has it.
  }

  private void submit(SimNode n, SimReplica r, ReplicaWorkflow w, ClientCommand c, long deadline, boolean answer) {
    ctx.checker().proposed(r.group, c);
    w.waiting.put(c.sequence(), new ReplicaWorkflow.Waiting(c, deadline, answer, ctx.clock().now()));
    decisions.apply(n, r, r.proposer.onClientCommand(c));
  }

  /** As the actor shell's proposer does, a handover to a node its proposer does not know as a voter is ignored. */
  private void handOver(SimNode n, SimReplica r, int to) {
    boolean voter = r.proposer.membership().isVoter(to);
    if (ctx.trace().on()) {
      ctx.trace().log("n" + n.id + " " + r.group + " asks its proposer to hand leadership to n" + to
          + (voter ? "" : ", not a voter it knows: ignored"));
    }
    if (voter) {
      decisions.apply(n, r, r.proposer.transferLeadership(to));
    }
  }

  private static String describe(ClientCommand c) {
    Membership.Change change = Membership.Change.decode(c.payload());
    return change.target() + " against epoch " + change.expectedEpoch();
  }

  // ---- the cluster's membership ----

  /** The membership of {@code group} that the node furthest along applied. */
  Membership latest(String group) {
    Learner furthest = null;
    for (SimNode n : cluster.nodes()) {
      Learner l = n.replicas.get(group).learner;
      if (furthest == null || l.nextToApply() > furthest.nextToApply()) {
        furthest = l;
      }
    }
    return furthest.membership();
  }

  /** The membership changes that took effect, summed over the groups (the highest epoch any node applied). */
  long epochs() {
    long sum = 0;
    for (String g : cluster.groups()) {
      long max = 0;
      for (SimNode n : cluster.nodes()) {
        max = Math.max(max, n.replicas.get(g).learner.membership().epoch());
      }
      sum += max;
    }
    return sum;
  }
}
