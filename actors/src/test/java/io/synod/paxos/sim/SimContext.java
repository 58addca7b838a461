package io.synod.paxos.sim;

import java.util.SplittableRandom;

/**
 * What every room of one run shares: the fault mix and protocol under test, the one seeded random
 * generator (every draw of a run comes from it, in one order), virtual time, the trace, the
 * checker, the tally and the phase.
 */
record SimContext(
    FaultMix mix,
    SimProtocol protocol,
    SplittableRandom rng,
    SimClock clock,
    SimTrace trace,
    Checker checker,
    SimTally tally,
    SimPhase phase) {}
