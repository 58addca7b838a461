package io.synod.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.bootstrap.AdminAttacks.Answer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP admin API's credential and guards on one in-process node (group "counter" with node 1
 * voting; node 2 has an address but does not run, so that it can be added as a learner): the token
 * file, the 401s, 415s and 405s that change nothing, the Host check, and 500s that show an id
 * instead of the exception's text.
 */
class AdminHttpAccessTest {

  private static final Pattern LEADER = Pattern.compile("\"id\":\"counter\",\"leader\":(-?\\d+)");
  private static final String MEMBERS = "/admin/groups/counter/members";

  @TempDir
  Path dir;

  private int httpPort;

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Node 1's file, with {@code extra} HOCON laid over it. */
  private Path nodeFile(String extra) throws Exception {
    httpPort = freePort();
    return Files.writeString(dir.resolve("node1.conf"), String.join("\n",
        "synod.cluster.members = [ { id = 1, host = \"127.0.0.1\", port = " + freePort() + " },"
            + " { id = 2, host = \"127.0.0.1\", port = " + freePort() + " } ]",
        "synod.cluster.groups = [ { id = \"counter\", type = \"" + CounterType.class.getName()
            + "\", members = [1] } ]",
        "synod.cluster.insecure = on", // the admin API's tests: Artery's TLS has its own
        "synod.node { id = 1, data-dir = \"" + dataDir() + "\", http.port = " + httpPort + " }",
        extra));
  }

  private Path dataDir() {
    return dir.resolve("data");
  }

  private Path tokenFile() {
    return dataDir().resolve(AdminToken.FILE);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  private Answer send(String method, String path, String... headers) throws Exception {
    return AdminAttacks.send(base(), method, path, AdminAttacks.hostOf(base()), List.of(headers), "");
  }

  private Answer sendWithToken(String token, String method, String path) throws Exception {
    return send(method, path, "Authorization: Bearer " + token);
  }

  private String membership() throws Exception {
    Answer a = send("GET", MEMBERS);
    assertEquals(200, a.status(), a.body());
    return a.body().strip();
  }

  /** The counter's leader as node 1 sees it, once it knows one (within 30 s). */
  private int leader() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Matcher m = LEADER.matcher(send("GET", "/status").body());
      assertTrue(m.find());
      int leader = Integer.parseInt(m.group(1));
      if (leader > 0 || System.nanoTime() > deadline) {
        return leader;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  @Test
  void stateChangingAdminRequestsWithoutTheRightTokenOrAsAFormAreRefusedAndChangeNothing() throws Exception {
    try (RunningNode node = RunningNode.start(NodeConfig.load(nodeFile("")))) {
      String token = Files.readString(tokenFile()).strip();
      assertEquals(1, leader());
      String before = membership();
      assertEquals("{\"group\":\"counter\",\"epoch\":0,\"voters\":[1],\"learners\":[],\"catchingUp\":[]}", before);

      Answer none = send("POST", MEMBERS + "?id=2&role=learner");
      assertEquals(401, none.status(), none.body());
      assertEquals("Bearer realm=\"synod\"", none.headers().get("www-authenticate"));
      assertTrue(none.body().contains("Authorization: Bearer <token>"), none.body());
      assertEquals(1, none.body().strip().lines().count(), none.body());
      assertEquals(401, sendWithToken(token + "0", "POST", MEMBERS + "?id=2&role=learner").status());
      assertEquals(401, send("DELETE", MEMBERS + "/1").status(), "a removal without the token");
      assertEquals(405, sendWithToken(token, "GET", "/admin/groups/counter/leader?to=2").status());
      Answer form = AdminAttacks.send(base(), "POST", MEMBERS + "?id=2&role=learner", AdminAttacks.hostOf(base()),
          List.of("Authorization: Bearer " + token, "Content-Type: application/x-www-form-urlencoded"), "id=2");
      assertEquals(415, form.status(), form.body());
      assertTrue(form.body().contains("application/x-www-form-urlencoded"), form.body());

      AdminAttacks.Result attacks = AdminAttacks.attack(base(), "counter", token, 2);
      assertTrue(attacks.attempts() >= 10, attacks.toString());
      assertEquals(attacks.attempts(), attacks.unauthorized(), "every hostile request is refused: " + attacks);
      assertEquals(before, membership(), "nothing changed");
      assertEquals(1, leader(), "nothing changed");

      Answer added = sendWithToken(token, "POST", MEMBERS + "?id=2&role=learner");
      assertEquals(200, added.status(), added.body());
      assertTrue(added.body().contains("\"voters\":[1],\"learners\":[2]"), added.body());
      assertEquals(added.body().strip(), membership());
      Answer removed = sendWithToken(token, "DELETE", MEMBERS + "/2");
      assertEquals(200, removed.status(), removed.body());
      assertTrue(removed.body().contains("\"voters\":[1],\"learners\":[]"), removed.body());
      Answer leader = sendWithToken(token, "POST", "/admin/groups/counter/leader?to=1");
      assertEquals(200, leader.status(), leader.body());
      assertEquals(401, send("POST", "/admin/groups/counter/resume").status(), "a resumption without the token");
      Answer resume = sendWithToken(token, "POST", "/admin/groups/counter/resume");
      assertEquals(409, resume.status(), resume.body());
      assertTrue(resume.body().contains("it did not stop, so there is nothing to resume"), resume.body());
    }
  }

  @Test
  void theTokenFileIsMadeForItsOwnerOnlyAtTheFirstStartAndReusedAtTheNext() throws Exception {
    Path file = nodeFile("");
    String first;
    try (RunningNode node = RunningNode.start(NodeConfig.load(file))) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile())));
      first = Files.readString(tokenFile());
      assertTrue(first.matches("[0-9a-f]{64}\n"), "32 random bytes in hex, one line: " + first);
      try (var leftovers = Files.list(dataDir())) {
        assertEquals(List.of(), leftovers.filter(p -> p.getFileName().toString().contains(".tmp")).toList());
      }
    }
    try (RunningNode again = RunningNode.start(NodeConfig.load(file))) {
      assertEquals(first, Files.readString(tokenFile()), "the same token at the next start");
      assertEquals(1, leader());
      assertEquals(200, sendWithToken(first.strip(), "POST", MEMBERS + "?id=2&role=learner").status());
    }
  }

  @Test
  void aTokenFileGroupOrOthersMayReadRefusesStartWithExitCode2NamingTheFileAndTheFix() throws Exception {
    Path file = nodeFile("");
    Files.createDirectories(dataDir());
    Files.writeString(tokenFile(), "0123456789abcdef0123456789abcdef\n");
    for (String perms : List.of("rw-r-----", "rw----r--", "rw--w----")) {
      Files.setPosixFilePermissions(tokenFile(), PosixFilePermissions.fromString(perms));
      InvalidConfigException e = assertThrows(InvalidConfigException.class,
          () -> RunningNode.start(NodeConfig.load(file)).close());
      assertTrue(e.getMessage().contains(tokenFile().toString()) && e.getMessage().contains(perms)
          && e.getMessage().contains("chmod 600") && e.getMessage().contains("synod.node.http.admin-token"),
          e.getMessage());
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = NodeLauncher.run(new String[] {file.toString()}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(NodeLauncher.INVALID_CONFIG, code);
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(message.contains(tokenFile().toString()), message);
    assertEquals(1, message.strip().lines().count(), message);

    Files.writeString(tokenFile(), "short\n");
    Files.setPosixFilePermissions(tokenFile(), PosixFilePermissions.fromString("rw-------"));
    InvalidConfigException bad = assertThrows(InvalidConfigException.class,
        () -> RunningNode.start(NodeConfig.load(file)).close());
    assertTrue(bad.getMessage().contains(tokenFile() + " holds no usable admin token"), bad.getMessage());
    assertFalse(bad.getMessage().contains("short"), "the token is never shown: " + bad.getMessage());
  }

  @Test
  void aRequestForAForeignHostIsRefusedOnEveryRoute() throws Exception {
    String token = "configured-token-0123456789";
    Path file = nodeFile("synod.node.http { admin-token = \"" + token + "\", allowed-hosts = [\"Node1.Example\"] }");
    try (RunningNode node = RunningNode.start(NodeConfig.load(file))) {
      assertFalse(Files.exists(tokenFile()), "a configured token needs no file");
      for (String host : List.of("evil.example", "evil.example:" + httpPort, "127.0.0.2:" + httpPort, "node2.example")) {
        Answer status = AdminAttacks.send(base(), "GET", "/status", host, List.of(), "");
        assertEquals(403, status.status(), host + ": " + status.body());
        assertTrue(status.body().contains("synod.node.http.allowed-hosts"), status.body());
        assertEquals(1, status.body().strip().lines().count(), status.body());
        Answer admin = AdminAttacks.send(base(), "POST", MEMBERS + "?id=2&role=learner", host,
            List.of("Authorization: Bearer " + token), "");
        assertEquals(403, admin.status(), host + ": " + admin.body());
      }
      // Without a Host header Pekko refuses the request itself, before any route (HostCheck would too).
      Answer noHost = AdminAttacks.sendRaw(base(), "GET /status HTTP/1.0\r\n\r\n", new byte[0]);
      assertEquals(400, noHost.status(), "no Host header: " + noHost);
      Answer noHost11 = AdminAttacks.send(base(), "POST", MEMBERS + "?id=2&role=learner", null,
          List.of("Authorization: Bearer " + token), "");
      assertEquals(400, noHost11.status(), "no Host header: " + noHost11);
      for (String host : List.of("127.0.0.1:" + httpPort, "localhost:" + httpPort, "LOCALHOST", "[::1]:" + httpPort,
          "node1.example:80", "NODE1.example")) {
        Answer status = AdminAttacks.send(base(), "GET", "/status", host, List.of(), "");
        assertEquals(200, status.status(), host + ": " + status.body());
      }
      assertEquals(1, leader());
      String before = membership();
      AdminAttacks.Result attacks = AdminAttacks.attack(base(), "counter", token, 2);
      assertEquals(attacks.attempts(), attacks.unauthorized(), attacks.toString());
      assertEquals(before, membership(), "nothing changed");
      assertEquals(200, sendWithToken(token, "POST", MEMBERS + "?id=2&role=learner").status(), "the configured token");
    }
  }

  @Test
  void anUnexpectedFailureIsA500WithAnIdTheLogHasAndNotTheExceptionsText() throws Exception {
    Path file = nodeFile("synod.cluster.http-services = [\"" + FailingHttp.class.getName() + "\"]");
    try (RunningNode node = RunningNode.start(NodeConfig.load(file))) {
      for (String route : List.of("/fail/throw", "/fail/future", "/fail/answer")) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        Answer a;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
          a = send("GET", route);
        } finally {
          System.setErr(stderr);
        }
        assertEquals(500, a.status(), route + ": " + a.body());
        Matcher id = Pattern.compile("internal error \\(id ([0-9a-f]{8})\\); the node's log has the details")
            .matcher(a.body().strip());
        assertTrue(id.matches(), route + ": " + a.body());
        assertFalse(a.body().contains(FailingHttp.SECRET), a.body());
        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("ERROR") && logged.contains("internal error (id " + id.group(1) + ")")
            && logged.contains(FailingHttp.SECRET), "the log has the id and the exception: " + logged);
      }
      assertEquals(404, send("GET", "/nope").status(), "Pekko's own answers stay");
      String chunk = "x".repeat(0x8000);
      String chunked = ("8000\r\n" + chunk + "\r\n").repeat(3) + "0\r\n\r\n"; // 96 KiB, length not announced
      Answer tooLarge = AdminAttacks.sendRaw(base(), "POST /fail/body HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n", chunked.getBytes(StandardCharsets.US_ASCII));
      assertEquals(413, tooLarge.status(), "a body over the limit, found while it streams in: " + tooLarge);
    }
  }
}
