package io.synod.paxos.sim;

/**
 * What one run did so far, counted by the rooms as it happens; {@link #counters} turns it, with
 * the checker's own counts, into the run's {@link Counters}.
 */
final class SimTally {

  long events;
  long crashes;
  long partitions;
  long tornWrites;
  long corruptionsDetected;
  long checkpointsInstalled;
  long duplicatesAnswered;
  long leaderChanges;
  long pauses;
  long snapshotRecoveries;
  /** Promise pages after the first delivered: phase 1 reports too large for one message. */
  long promisePages;
  /** Leaders asked to hand over leadership, and campaigns a handover started (TimeoutNow delivered). */
  long transfers;
  long handoverCampaigns;
  /** Failover checks that crashed the leader of groups gone quiet (see SimFailover). */
  long quietFailovers;
  /** Failover checks that did not ask for a leader of a group whose pending membership change leaves no majority up. */
  long failoversExempted;
  /** Changes the membership workflows submitted (not counting submissions again, nor promotions). */
  long membershipChanges;
  /** Changes the operator asked of the nodes. */
  long reconfigAsked;
  /** Leaders that stepped down because they no longer heard a majority of their voters (check-quorum). */
  long quorumStepDowns;
  /** Reads served at a read index the leader confirmed by a quorum round (ReadIndex), not under a lease. */
  long readIndexReads;
  /** Assertions of peers about their checksum chain that learners compared with their own. */
  long checksumChecks;
  /** Commands refused because their session had expired, as clients were told. */
  long sessionRefusals;

  Counters counters(Checker checker, ReconfigurationChecker reconfig, long membershipEpochs) {
    return new Counters(events, checker.chosenCount, crashes, partitions, tornWrites, corruptionsDetected,
        checker.acknowledged, checker.leaseReads, checkpointsInstalled, duplicatesAnswered, leaderChanges, pauses,
        snapshotRecoveries, promisePages, transfers, handoverCampaigns, membershipChanges, membershipEpochs,
        reconfigAsked, reconfig.changed, reconfig.refused, reconfig.timedOut, reconfig.lost, reconfig.leaderRemovals,
        quietFailovers, quorumStepDowns, readIndexReads, checksumChecks, checker.expiredSessions(), sessionRefusals,
        failoversExempted);
  }
}
