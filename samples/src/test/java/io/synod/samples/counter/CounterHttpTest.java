package io.synod.samples.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.samples.LocalNodesTest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The counter's HTTP API on three standalone nodes started in this JVM from the demo's cluster file. */
class CounterHttpTest extends LocalNodesTest {

  @Test
  void incrementsOnAnyNodeAreSeenByReadsOnEveryNode() throws Exception {
    assertEquals("5", nodes.send(0, "POST", "/counter/increment?by=5").body().strip());
    assertEquals("3", nodes.send(1, "POST", "/counter/increment?by=-2").body().strip());
    for (int node = 0; node < 3; node++) {
      HttpResponse<String> r = nodes.send(node, "GET", "/counter");
      assertEquals(200, r.statusCode());
      assertEquals("3", r.body().strip(), "node " + (node + 1) + " reads every acknowledged increment");
    }
    HttpResponse<String> status = nodes.send(2, "GET", "/status");
    assertEquals(200, status.statusCode());
    assertTrue(status.body().contains("\"node\":3") && status.body().contains("\"id\":\"counter\""), status.body());
    // Groups nobody has written to yet may still be electing (or node 3 not yet have heard the winner's heartbeat).
    long leadersBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (status.body().contains("\"leader\":-1") && System.nanoTime() < leadersBy) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      status = nodes.send(2, "GET", "/status");
    }
    assertFalse(status.body().contains("\"leader\":-1"), "every group has a leader: " + status.body());
    assertTrue(status.body().contains("\"chosenThrough\":") && status.body().contains("\"checkpoint\":")
        && status.body().contains("\"lag\":"), status.body());
    // Once every node has applied the same instances, their state checksums agree.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<String> digests = digests();
    while (digests.stream().distinct().count() > 1 && System.nanoTime() < until) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a node may not have applied the last instance yet
      digests = digests();
    }
    assertEquals(1, digests.stream().distinct().count(), "every node's groups, instances and checksums: " + digests);
    assertTrue(digests.get(0).contains("\"id\":\"counter\",\"appliedThrough\":") && digests.get(0).contains(
        "\"crc32\":"), digests.get(0));
  }

  /** Each node's GET /digest, without the node's own id. */
  private List<String> digests() throws Exception {
    List<String> all = new ArrayList<>();
    for (int node = 0; node < 3; node++) {
      String body = nodes.send(node, "GET", "/digest").body();
      assertTrue(body.startsWith("{\"node\":" + (node + 1) + ","), body);
      all.add(body.substring(body.indexOf("\"groups\"")));
    }
    return all;
  }

  @Test
  void badRequestsGetA4xxAndChangeNothing() throws Exception {
    HttpResponse<String> notANumber = nodes.send(0, "POST", "/counter/increment?by=lots");
    assertEquals(400, notANumber.statusCode());
    assertTrue(notANumber.body().contains("whole number"), notANumber.body());
    assertEquals(400, nodes.send(0, "POST", "/counter/increment").statusCode());
    assertEquals(404, nodes.send(0, "GET", "/nothing/here").statusCode());
    assertEquals(413, nodes.send(0, "POST", "/counter/increment?by=1", "x".repeat(100_000)).statusCode(),
        "a body over synod.node.http.max-body-bytes");
    assertEquals("0", nodes.send(1, "GET", "/counter").body().strip(), "nothing was applied");
  }
}
