package io.synod.paxos.sim;

/** What simulated runs did, counted; {@link #plus} sums runs. */
public record Counters(
    long events,
    long chosen,
    long crashes,
    long partitions,
    long tornWrites,
    long corruptionsDetected,
    long acknowledged,
    long leaseReads,
    long checkpointsInstalled,
    long duplicatesAnswered,
    long leaderChanges,
    long pauses,
    long snapshotRecoveries,
    long promisePages,
    long transfers,
    long handoverCampaigns,
    long membershipChanges,
    long membershipEpochs,
    long reconfigAsked,
    long reconfigChanged,
    long reconfigRefused,
    long reconfigTimedOut,
    long reconfigLost,
    long leaderRemovals,
    long quietFailovers,
    long quorumStepDowns,
    long readIndexReads,
    long checksumChecks,
    long expiredSessions,
    long sessionRefusals,
    long failoversExempted) {

  static final Counters ZERO =
      new Counters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  Counters plus(Counters o) {
    return new Counters(events + o.events, chosen + o.chosen, crashes + o.crashes, partitions + o.partitions,
        tornWrites + o.tornWrites, corruptionsDetected + o.corruptionsDetected, acknowledged + o.acknowledged,
        leaseReads + o.leaseReads, checkpointsInstalled + o.checkpointsInstalled,
        duplicatesAnswered + o.duplicatesAnswered, leaderChanges + o.leaderChanges, pauses + o.pauses,
        snapshotRecoveries + o.snapshotRecoveries, promisePages + o.promisePages, transfers + o.transfers,
        handoverCampaigns + o.handoverCampaigns, membershipChanges + o.membershipChanges,
        membershipEpochs + o.membershipEpochs, reconfigAsked + o.reconfigAsked, reconfigChanged + o.reconfigChanged,
        reconfigRefused + o.reconfigRefused, reconfigTimedOut + o.reconfigTimedOut, reconfigLost + o.reconfigLost,
        leaderRemovals + o.leaderRemovals, quietFailovers + o.quietFailovers, quorumStepDowns + o.quorumStepDowns,
        readIndexReads + o.readIndexReads, checksumChecks + o.checksumChecks, expiredSessions + o.expiredSessions,
        sessionRefusals + o.sessionRefusals, failoversExempted + o.failoversExempted);
  }
}
