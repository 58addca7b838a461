package io.synod.samples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link NodeStatus} reads a node's /status and says which groups are ready. */
class NodeStatusTest {

  private static final String NODE_1 = "{\"node\":1,\"journalFailure\":null,\"refused\":{},\"groups\":["
      + "{\"id\":\"bench-0\",\"leader\":2,\"appliedThrough\":17,\"chosenThrough\":17,\"checkpoint\":10,\"lag\":0,"
      + "\"state\":\"running\",\"restarts\":0,\"lastFailure\":null,\"restartInMillis\":-1,\"checkpointsRefused\":0,"
      + "\"lastCheckpointRefusal\":\"\"},"
      + "{\"id\":\"bench-1\",\"leader\":-1,\"appliedThrough\":3,\"chosenThrough\":3,\"checkpoint\":0,\"lag\":0,"
      + "\"state\":\"running\",\"restarts\":0,\"lastFailure\":null,\"restartInMillis\":-1,\"checkpointsRefused\":0,"
      + "\"lastCheckpointRefusal\":\"\"},"
      + "{\"id\":\"bench-2\",\"leader\":-1,\"state\":\"stopped\",\"reason\":\"journal failed\"}]}";

  private static final String NODE_2 = "{\"node\":2,\"groups\":[{\"id\":\"bench-0\",\"leader\":2,\"appliedThrough\":17,"
      + "\"state\":\"running\"},{\"id\":\"bench-1\",\"leader\":1,\"appliedThrough\":3,\"state\":\"running\"},"
      + "{\"id\":\"bench-2\",\"leader\":2,\"appliedThrough\":0,\"state\":\"running\"}]}";

  @Test
  void readsEveryGroupsLeaderAppliedInstanceAndState() {
    NodeStatus s = NodeStatus.parse(1, NODE_1);
    assertEquals(List.of(new NodeStatus.Group("bench-0", 2, 17, "running"),
        new NodeStatus.Group("bench-1", -1, 3, "running"), new NodeStatus.Group("bench-2", -1, -1, "stopped")),
        s.groups());
    assertEquals(2, s.withoutLeader());
    assertEquals(Map.of(2, 1), s.leaders());
    assertEquals(Map.of("running", 2, "stopped", 1), s.states());
  }

  @Test
  void summarisesTheNodeAndTheWatchedGroups() {
    assertEquals("node=1 groups=3 without-leader=2 leaders=2:1 states=running:2,stopped:1 "
        + "bench-0:leader=2,applied=17,running bench-9:absent",
        NodeStatus.parse(1, NODE_1).summary(List.of("bench-0", "bench-9")));
    assertEquals("node=3 did not answer /status", NodeStatus.parse(3, null).summary(List.of("bench-0")));
  }

  @Test
  void aGroupIsReadyOnlyWhenEveryNodeSeesALeader() {
    NodeStatus one = NodeStatus.parse(1, NODE_1);
    NodeStatus two = NodeStatus.parse(2, NODE_2);
    assertEquals(2, NodeStatus.notReady(List.of(one, two), 3));
    assertEquals(0, NodeStatus.notReady(List.of(two), 3));
    assertEquals(1, NodeStatus.notReady(List.of(two), 4), "bench-3 is run by no node");
    NodeStatus silent = NodeStatus.parse(3, null);
    assertFalse(silent.answered());
    assertEquals(3, NodeStatus.notReady(List.of(two, silent), 3), "a node that did not answer readies nothing");
  }
}
