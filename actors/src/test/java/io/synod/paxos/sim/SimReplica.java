package io.synod.paxos.sim;

import io.synod.paxos.Acceptor;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.Learner;
import io.synod.paxos.Proposer;

/**
 * One group on one node: the real core roles (rebuilt at every restart), the storage that
 * survives restarts, and what the shell last reported about them.
 */
final class SimReplica {

  final String group;
  final GroupConfig config;
  final ReplicaStorage storage;
  Acceptor acceptor;
  Proposer proposer;
  Learner learner;
  SimStateMachine stateMachine;
  /** The applied prefix last reported to the checker. */
  long reportedPrefix = -1;
  /** Whether the proposer led after the last decision: a change counts a leader change. */
  boolean wasLeader;
  /** The proposer's counts of check-quorum step-downs and of ReadIndex reads already tallied. */
  long quorumLossesTallied;
  long readIndexServedTallied;
  /** The membership-change workflow and what its shell keeps, rebuilt at every restart; null in runs without any. */
  ReplicaWorkflow reconfiguration;

  SimReplica(String group, GroupConfig config) {
    this.group = group;
    this.config = config;
    this.storage = new ReplicaStorage(config);
  }
}
