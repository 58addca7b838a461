package io.synod.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.synod.persistence.JournalInspector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Groups created and removed at runtime on three standalone node processes, over HTTP as an
 * operator does: a counter group is created, incremented, removed (its checkpoints and acceptor
 * snapshots leave every node's disk, and its journal streams hold no event, read from a stopped
 * node's journal), created again (it starts at 0), and a node restarted meanwhile runs it again.
 * Bad requests get a 4xx and a reason. Bounded in time; every child process is killed at the end.
 */
class RuntimeGroupsProcessTest {

  private static final Duration REQUEST = Duration.ofSeconds(15);
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final Pattern INCARNATION = Pattern.compile("\"incarnation\":(\\d+)");

  @TempDir
  Path dir;

  private NodeProcesses nodes;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST).build();

  @AfterEach
  void killAll() {
    if (nodes != null) {
      nodes.close();
    }
  }

  private HttpResponse<String> send(int node, String method, String path, boolean withToken) {
    try {
      HttpRequest.Builder r = HttpRequest.newBuilder(nodes.uri(node, path)).timeout(REQUEST)
          .method(method, HttpRequest.BodyPublishers.noBody());
      if (withToken) {
        r.header("Authorization", "Bearer " + nodes.adminToken());
      }
      return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("node " + node + " did not answer " + method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> admin(int node, String method, String path) {
    return send(node, method, path, true);
  }

  /** The body of a 200 answer; any other fails the test with the answer. */
  private static String ok(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.request().method() + " " + r.uri() + ": " + r.body());
    return r.body().strip();
  }

  private static long incarnation(String body) {
    Matcher m = INCARNATION.matcher(body);
    assertTrue(m.find(), body);
    return Long.parseLong(m.group(1));
  }

  private long counterOn(int node) {
    return Long.parseLong(ok(send(node, "GET", "/counter?group=orders&stale=true", false)));
  }

  /** Node {@code node}'s snapshot files (acceptor snapshots and checkpoints) of life {@code incarnation} of "orders". */
  private long snapshotFiles(int node, long incarnation) {
    long n = 0;
    for (String id : persistenceIds(node, incarnation)) {
      String prefix = "snapshot-" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "-";
      try (Stream<Path> files = Files.list(dir.resolve("data" + node).resolve("snapshots"))) {
        n += files.filter(f -> f.getFileName().toString().startsWith(prefix)).count();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return n;
  }

  private static List<String> persistenceIds(int node, long incarnation) {
    return List.of("synod-acceptor|orders@" + node + "#" + incarnation,
        "synod-checkpoint|orders@" + node + "#" + incarnation);
  }

  @Test
  void aGroupCreatedOverHttpIsUsedRemovedWithItsDataCreatedAgainEmptyAndBackAfterARestart() throws Exception {
    Path cluster = dir.resolve("cluster.conf");
    Files.writeString(cluster, String.join("\n",
        "synod.cluster {",
        "  groups = [{ id = \"counter\", type = \"io.synod.samples.counter.CounterType\" }]",
        "  group-types { counter = \"io.synod.samples.counter.CounterType\" }",
        "  http-services = [\"io.synod.samples.counter.CounterService\"]",
        "}",
        // Checkpoints and acceptor snapshots after a few commands: the removed life leaves files to delete.
        "synod.group.checkpoint { every-instances = 3, acceptor-snapshot-every = 4 }",
        "synod.catalog.reconcile-interval = 200 ms"));
    nodes = NodeProcesses.start(3, cluster, n -> "", dir, dir.resolve("logs"));
    NodeProcesses.await(DEADLINE, "every node sees a leader of the catalog", () -> nodes.leaderSeenBy(http, 1,
        "synod-catalog") > 0 && nodes.leaderSeenBy(http, 2, "synod-catalog") > 0
        && nodes.leaderSeenBy(http, 3, "synod-catalog") > 0);

    long first = incarnation(ok(admin(1, "POST", "/admin/groups/orders?type=counter&members=1,2,3")));
    for (int i = 1; i <= 6; i++) {
      assertEquals(String.valueOf(i), ok(send(i % 3 + 1, "POST", "/counter/increment?by=1&group=orders", false)));
    }
    for (int n = 1; n <= 3; n++) {
      int node = n;
      NodeProcesses.await(DEADLINE, "node " + node + " applies 6 and stores checkpoints and acceptor snapshots",
          () -> counterOn(node) == 6 && snapshotFiles(node, first) >= 2);
    }
    badRequestsGetA4xxNamingTheProblem();

    assertEquals(first, incarnation(ok(admin(2, "DELETE", "/admin/groups/orders"))));
    // Answered once node 3 has carried out every change so far, the removal and its deletions included.
    assertEquals("{\"groups\":[]}", ok(send(3, "GET", "/admin/groups", false)));
    for (int n = 1; n <= 3; n++) {
      int node = n;
      NodeProcesses.await(DEADLINE, "node " + node + " deletes the removed group's snapshot files",
          () -> snapshotFiles(node, first) == 0);
      assertEquals(404, send(node, "GET", "/counter?group=orders", false).statusCode(), "node " + node);
    }
    nodes.kill(3);
    for (String id : persistenceIds(3, first)) {
      JournalInspector.Contents journal = JournalInspector.contents(ConfigFactory.parseString(
          "synod.persistence.journal.dir = \"" + dir.resolve("data3").resolve("journal") + "\"")
          .withFallback(ConfigFactory.load()), id);
      assertEquals(0, journal.events(), id + " still holds events: " + journal);
      assertTrue(journal.highestSequenceNr() > 0, id + " had events: " + journal);
    }

    long second = incarnation(ok(admin(1, "POST", "/admin/groups/orders?type=counter&members=1,2,3")));
    assertTrue(second > first, "a new life: incarnation " + second + " after " + first);
    // Node 1 answered once it runs the new life; node 2 starts it once its replica of the catalog applies it.
    NodeProcesses.await(DEADLINE, "node 2 runs the new life",
        () -> send(2, "GET", "/counter?group=orders", false).statusCode() == 200);
    assertEquals("0", ok(send(2, "GET", "/counter?group=orders", false)), "the new life starts empty");
    assertEquals("1", ok(send(2, "POST", "/counter/increment?by=1&group=orders", false)));

    nodes.start(3);
    NodeProcesses.await(DEADLINE, "the restarted node 3 runs the group again and applies its increment", () -> {
      String value = nodes.get(http, 3, "/counter?group=orders&stale=true", REQUEST);
      return value != null && value.strip().equals("1");
    });
    assertEquals("2", ok(send(3, "POST", "/counter/increment?by=1&group=orders", false)));
    String listed = ok(send(3, "GET", "/admin/groups", false));
    assertEquals("{\"groups\":[{\"group\":\"orders\",\"type\":\"counter\",\"members\":[1,2,3],\"incarnation\":" + second
        + "}]}", listed);
    System.out.println("RUNTIME-GROUPS-SUMMARY first=" + first + " second=" + second + " restarted=node3");
  }

  private void badRequestsGetA4xxNamingTheProblem() {
    HttpResponse<String> noType = admin(1, "POST", "/admin/groups/other");
    assertEquals(400, noType.statusCode(), noType.body());
    assertTrue(noType.body().contains("?type=NAME, one of [counter]"), noType.body());
    HttpResponse<String> unknownType = admin(1, "POST", "/admin/groups/other?type=queue");
    assertEquals(400, unknownType.statusCode(), unknownType.body());
    assertTrue(unknownType.body().contains("unknown group type 'queue'"), unknownType.body());
    HttpResponse<String> badMembers = admin(2, "POST", "/admin/groups/other?type=counter&members=1,two");
    assertEquals(400, badMembers.statusCode(), badMembers.body());
    HttpResponse<String> strangers = admin(2, "POST", "/admin/groups/other?type=counter&members=1,7");
    assertEquals(400, strangers.statusCode(), strangers.body());
    assertTrue(strangers.body().contains("lists node 7"), strangers.body());
    HttpResponse<String> exists = admin(3, "POST", "/admin/groups/orders?type=counter");
    assertEquals(409, exists.statusCode(), exists.body());
    assertTrue(exists.body().contains("it exists already"), exists.body());
    HttpResponse<String> configured = admin(3, "DELETE", "/admin/groups/counter");
    assertEquals(409, configured.statusCode(), configured.body());
    assertTrue(configured.body().contains("is configured in synod.cluster.groups"), configured.body());
    HttpResponse<String> unknown = admin(1, "DELETE", "/admin/groups/nope");
    assertEquals(404, unknown.statusCode(), unknown.body());
    HttpResponse<String> noToken = send(1, "DELETE", "/admin/groups/orders", false);
    assertEquals(401, noToken.statusCode(), noToken.body());
    assertEquals(6, counterOn(1), "nothing changed");
  }
}
