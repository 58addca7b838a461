package io.synod.paxos;

import java.util.Set;

/**
 * Makes the parts of a {@link Proposer} that the tests' deliberately broken variants replace (see
 * {@code BrokenProtocols}): each campaign's tally of promises, each leadership's lease and its
 * check of its quorum. {@link #SOUND} makes the real ones; nothing outside the tests makes others.
 */
interface ProposerParts {

  ProposerParts SOUND = new ProposerParts() {};

  default PromiseTally promiseTally(long from, Membership membership) {
    return new PromiseTally(from, membership);
  }

  default LeaderLease lease(GroupConfig config) {
    return new LeaderLease(config.tuning().leaderLeaseTicks());
  }

  /** {@code silentPeers}: the proposer's live view of the peers its node's failure detector calls silent. */
  default QuorumCheck quorumCheck(GroupConfig config, Set<Integer> silentPeers, long now) {
    return new QuorumCheck(config.self(), QuorumCheck.timeoutTicks(config.tuning()), silentPeers, now);
  }
}
