package io.synod.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The operator's HTTP API on three standalone nodes in this JVM: handing leadership over, and bad requests. */
class AdminHttpTest extends LocalNodesTest {

  private static final Pattern COUNTER_LEADER = Pattern.compile("\"id\":\"counter\",\"leader\":(-?\\d+)");

  /** The counter group's leader as node {@code node} (0-based) sees it, -1 for none. */
  private int leaderSeenBy(int node) throws Exception {
    Matcher m = COUNTER_LEADER.matcher(nodes.send(node, "GET", "/status").body());
    assertTrue(m.find());
    return Integer.parseInt(m.group(1));
  }

  @Test
  void leadershipMovesToTheNamedNodeAskedAtAnyNode() throws Exception {
    assertEquals("1", nodes.send(0, "POST", "/counter/increment?by=1").body().strip()); // a leader exists
    int leader = leaderSeenBy(0);
    int target = leader % 3 + 1; // the next node id, 1-based
    int askedAt = target % 3; // 0-based index of the node after the target: not the target
    HttpResponse<String> r = nodes.send(askedAt, "POST", "/admin/groups/counter/leader?to=" + target);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("{\"group\":\"counter\",\"leader\":" + target + "}", r.body().strip());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (leaderSeenBy(target - 1) != target && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the target itself may learn of its win a moment later
    }
    assertEquals(target, leaderSeenBy(target - 1));
    assertEquals("2", nodes.send(leader - 1, "POST", "/counter/increment?by=1").body().strip(),
        "the old leader's node still serves the group, through the new leader");
  }

  @Test
  void badRequestsGetA4xxNamingTheProblemAndChangeNothing() throws Exception {
    assertEquals("1", nodes.send(0, "POST", "/counter/increment?by=1").body().strip());
    int leader = leaderSeenBy(0);
    HttpResponse<String> notAMember = nodes.send(0, "POST", "/admin/groups/counter/leader?to=9");
    assertEquals(400, notAMember.statusCode());
    assertTrue(notAMember.body().contains("node 9 is not a member of group 'counter'"), notAMember.body());
    HttpResponse<String> notANumber = nodes.send(0, "POST", "/admin/groups/counter/leader?to=two");
    assertEquals(400, notANumber.statusCode());
    assertTrue(notANumber.body().contains("?to=ID"), notANumber.body());
    assertEquals(400, nodes.send(0, "POST", "/admin/groups/counter/leader").statusCode());
    HttpResponse<String> unknownGroup = nodes.send(0, "POST", "/admin/groups/nope/leader?to=2");
    assertEquals(404, unknownGroup.statusCode());
    assertTrue(unknownGroup.body().contains("runs no group 'nope'"), unknownGroup.body());
    assertEquals(405, nodes.send(0, "GET", "/admin/groups/counter/leader?to=2").statusCode());
    assertEquals(leader, leaderSeenBy(0), "nothing changed");
  }
}
