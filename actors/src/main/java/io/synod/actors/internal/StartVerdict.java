package io.synod.actors.internal;

import io.synod.paxos.Membership;
import java.util.List;

/**
 * Whether a group may run on this node, as its checkpoint role decides once it has recovered and
 * before any other role of the group starts: from the stop recorded there ({@link StopMark}), the
 * members the group began with ({@link Founded}), the members configured now, and whether an
 * operator resumed the group. A group may run after the events in {@code toRecord} are durable; one
 * that may not stays down, {@code reason} saying why and {@code remedy} what an operator can do, and
 * {@code resumable} whether an operator's resumption lifts it (a stop after a divergence) or only a
 * change of the node's configuration does (members that differ from those it began with).
 */
record StartVerdict(boolean mayRun, List<CheckpointEvent> toRecord, String reason, String remedy, boolean resumable) {

  StartVerdict {
    toRecord = List.copyOf(toRecord);
  }

  /** The verdict for group {@code group}, from what its checkpoint role recovered. */
  static StartVerdict of(String group, StoredCheckpoint state, Membership configured, boolean resume) {
    Membership founders = state.founders();
    if (founders != null && !founders.equals(configured)) {
      return new StartVerdict(false, List.of(), "its configured members (voters " + configured.voters()
          + ", learners " + configured.learners() + ") differ from those it began with on this node (voters "
          + founders.voters() + ", learners " + founders.learners() + "); a group's members in the"
          + " configuration only say how it begins and must stay as they were; change them through its log"
          + " (a membership change)", "start the node again with the members the group began with", false);
    }
    boolean stopped = !state.stoppedFor().isEmpty();
    if (stopped && !resume) {
      return new StartVerdict(false, List.of(), state.stoppedFor(), "find out which replica is right (compare GET"
          + " /digest of the members); then resume the group here (POST /admin/groups/" + group + "/resume)", true);
    }
    List<CheckpointEvent> toRecord = new java.util.ArrayList<>();
    if (stopped) {
      toRecord.add(new StopMark("")); // resumed by an operator
    }
    if (founders == null) {
      toRecord.add(new Founded(configured));
    }
    return new StartVerdict(true, toRecord, "", "", true);
  }
}
