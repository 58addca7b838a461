package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Membership;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whether a group may run on a node, from its recorded stop and founders and the members configured now. */
class StartVerdictTest {

  private static final Membership THREE = new Membership(0, List.of(1, 2, 3), List.of());
  private static final Membership FOUR = new Membership(0, List.of(1, 2, 3, 4), List.of());
  private static final byte[] CHECKPOINT = {1, 2, 3};

  private static StoredCheckpoint stored(String stoppedFor, Membership founders) {
    return new StoredCheckpoint(7, CHECKPOINT, stoppedFor, founders);
  }

  @Test
  void aGroupsFirstStartRunsOnceItsFoundersAreRecorded() {
    StartVerdict v = StartVerdict.of("g", StoredCheckpoint.NONE, THREE, false);
    assertTrue(v.mayRun());
    assertEquals(List.of(new Founded(THREE)), v.toRecord());
  }

  @Test
  void aStartWithTheMembersItBeganWithRunsAndRecordsNothing() {
    StartVerdict v = StartVerdict.of("g", stored("", THREE), THREE, false);
    assertTrue(v.mayRun());
    assertEquals(List.of(), v.toRecord());
  }

  @Test
  void otherMembersThanItBeganWithKeepItDownAndAResumptionCannotLiftThat() {
    for (boolean resume : new boolean[] {false, true}) {
      StartVerdict v = StartVerdict.of("g", stored(resume ? "diverged" : "", THREE), FOUR, resume);
      assertFalse(v.mayRun());
      assertFalse(v.resumable());
      assertEquals(List.of(), v.toRecord());
      assertTrue(v.reason().contains("configured members (voters [1, 2, 3, 4], learners []) differ from those it began"
          + " with on this node (voters [1, 2, 3], learners [])"), v.reason());
      assertEquals("start the node again with the members the group began with", v.remedy());
    }
  }

  @Test
  void aRecordedStopKeepsItDownUntilAnOperatorResumesIt() {
    StartVerdict down = StartVerdict.of("orders", stored("checksum mismatch at instance 9", THREE), THREE, false);
    assertFalse(down.mayRun());
    assertTrue(down.resumable());
    assertEquals("checksum mismatch at instance 9", down.reason());
    assertTrue(down.remedy().contains("POST /admin/groups/orders/resume"), down.remedy());

    StartVerdict resumed = StartVerdict.of("orders", stored("checksum mismatch at instance 9", THREE), THREE, true);
    assertTrue(resumed.mayRun());
    assertEquals(List.of(new StopMark("")), resumed.toRecord());
  }

  @Test
  void aResumedGroupWhoseFoundersWereNeverRecordedRecordsThemToo() {
    StartVerdict v = StartVerdict.of("g", stored("diverged", null), THREE, true);
    assertTrue(v.mayRun());
    assertEquals(List.of(new StopMark(""), new Founded(THREE)), v.toRecord());
  }
}
