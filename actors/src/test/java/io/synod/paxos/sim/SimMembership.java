package io.synod.paxos.sim;

import io.synod.paxos.ClientCommand;
import io.synod.paxos.Learner;
import io.synod.paxos.Membership;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Membership changes in a run: an operator asking a group's leader for a random new membership
 * (from the nemesis), a caught-up learner asking to vote (after each decision of its node, as the
 * actor shell does), and what the cluster's membership is now. Every proposal it makes goes to
 * the proposer through the shell that it is handed.
 */
final class SimMembership {

  /** How a membership request reaches a replica's proposer: the shell's {@link SimShell#propose}. */
  interface Proposals {
    void propose(SimNode n, SimReplica r, ClientCommand command);
  }

  private static final long NEVER_ASKED = Long.MIN_VALUE / 2;

  private final SimContext ctx;
  private final SimCluster cluster;
  private final Proposals proposals;
  /** When each replica, a learner catching up, last asked to become a voter. */
  private final Map<SimReplica, Long> promotionAskedAt = new HashMap<>();
  /** Client ids of the operator's membership changes: one per change, never retried. */
  private long nextAdminClient = 1L << 40;

  SimMembership(SimContext ctx, SimCluster cluster, Proposals proposals) {
    this.ctx = ctx;
    this.cluster = cluster;
    this.proposals = proposals;
  }

  /**
   * An operator asks the leader of {@code group} to make every node a voter, a learner or neither,
   * at random (at least one voter), mostly against the membership the leader knows, sometimes
   * against an older one (which must be refused and change nothing). Sent once, never retried.
   */
  void operatorChange(String group) {
    SimNode leader = cluster.leaderOf(group);
    if (leader == null || leader.paused) {
      return;
    }
    SimReplica r = leader.replicas.get(group);
    Membership current = r.proposer.membership();
    List<Integer> voters = new ArrayList<>();
    List<Integer> learners = new ArrayList<>();
    for (SimNode n : cluster.nodes()) {
      int roll = ctx.rng().nextInt(4);
      if (roll < 2) {
        voters.add(n.id);
      } else if (roll == 2) {
        learners.add(n.id);
      }
    }
    if (voters.isEmpty()) {
      voters.add(learners.isEmpty() ? cluster.node(ctx.rng().nextInt(cluster.size())).id : learners.remove(0));
    }
    List<Integer> catchingUp = new ArrayList<>();
    for (int l : learners) {
      if (ctx.rng().nextBoolean()) {
        catchingUp.add(l); // to become a voter once caught up, as GroupClient.addMember asks
      }
    }
    long epoch = ctx.rng().nextInt(5) == 0 ? Math.max(0, current.epoch() - 1) : current.epoch();
    ClientCommand change = ClientCommand.membership(nextAdminClient++, 1,
        new Membership.Change(epoch, new Membership(0, voters, learners, catchingUp)));
    ctx.checker().proposed(group, change);
    ctx.tally().membershipChanges++;
    ctx.trace().log("n" + leader.id + " " + group + " is asked to change " + current + " to voters " + voters
        + ", learners " + learners + ", catching up " + catchingUp + " (against epoch " + epoch + ")");
    proposals.propose(leader, r, change);
  }

  /**
   * After a decision of node {@code n}: as the actor shell does, a learner that has applied the
   * change naming it as catching up asks to vote, at most once every 50 ticks.
   */
  void afterDecision(SimNode n, SimReplica r) {
    Membership m = r.learner.membership();
    long now = ctx.clock().now();
    if (m.catchingUp().contains(n.id) && now - promotionAskedAt.getOrDefault(r, NEVER_ASKED) >= 50 * FaultMix.TICK) {
      promotionAskedAt.put(r, now);
      ClientCommand promote =
          ClientCommand.membership(nextAdminClient++, 1, new Membership.Change(m.epoch(), m.promoting(n.id)));
      ctx.checker().proposed(r.group, promote);
      ctx.trace().log("n" + n.id + " " + r.group + " has caught up and asks to vote: " + m);
      proposals.propose(n, r, promote);
    }
  }

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
