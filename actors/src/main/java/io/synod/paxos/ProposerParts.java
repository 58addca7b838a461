package io.synod.paxos;

/**
 * Makes the parts of a {@link Proposer} that the tests' deliberately broken variants replace (see
 * {@code BrokenProtocols}): each campaign's tally of promises and each leadership's lease. {@link
 * #SOUND} makes the real ones; nothing outside the tests makes others.
 */
interface ProposerParts {

  ProposerParts SOUND = new ProposerParts() {};

  default PromiseTally promiseTally(long from, Membership membership) {
    return new PromiseTally(from, membership);
  }

  default LeaderLease lease(GroupConfig config) {
    return new LeaderLease(config.tuning().leaderLeaseTicks());
  }
}
