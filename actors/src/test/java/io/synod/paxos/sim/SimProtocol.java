package io.synod.paxos.sim;

import io.synod.paxos.Acceptor;
import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Learner;
import io.synod.paxos.Proposer;
import io.synod.paxos.Reconfiguration;
import io.synod.paxos.StateMachine;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Which role implementations a simulation runs. {@link #CORRECT} is the library's; the broken
 * variants that prove the simulator catches bugs live in test code only ({@code BrokenProtocols},
 * {@code SimulationTest}).
 */
public interface SimProtocol {

  String name();

  /** The library's acceptor, unless a variant breaks it. */
  default Acceptor acceptor(GroupConfig config, List<AcceptorRecord> records) {
    return Acceptor.recover(config, records);
  }

  /** The library's proposer, unless a variant breaks it. */
  default Proposer proposer(GroupConfig config, RandomGenerator random) {
    return new Proposer(config, random);
  }

  /** The library's learner, unless a variant breaks it. */
  default Learner learner(GroupConfig config, StateMachine stateMachine, RandomGenerator random) {
    return new Learner(config, stateMachine, random);
  }

  /**
   * The library's membership-change workflow of one node, its commands in admin session {@code
   * clientId}, a caught-up learner asking to vote every {@code retryInterval}, unless a variant
   * breaks it.
   */
  default MembershipWorkflow reconfiguration(GroupConfig config, long clientId, long retryInterval) {
    return new MembershipWorkflow(new Reconfiguration<>(config, clientId, retryInterval));
  }

  /** True for a shell that sends an acceptor's replies before its records are durable. */
  default boolean repliesBeforePersist() {
    return false;
  }

  /**
   * True for a shell that, when its node resumes from a pause, first hands each role the ticks it
   * missed (at most {@link SimLifecycle#catchUpCap}), as a shell counting ticks from a monotonic
   * clock does.
   */
  default boolean catchesUpTicksAfterPause() {
    return true;
  }

  SimProtocol CORRECT = () -> "correct";

}
