package io.synod.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.synod.actors.GroupClient;
import io.synod.actors.StateDigest;
import io.synod.actors.internal.Stamped;
import io.synod.actors.internal.Ticket;
import io.synod.actors.internal.TicketExchange;
import io.synod.bootstrap.tls.ClusterCertificates;
import io.synod.bootstrap.tls.TlsFiles;
import io.synod.paxos.Membership;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only members talk to members, shown against rogue processes on 127.0.0.1. Nodes 1 and 3 of a
 * three-node cluster run over mutual TLS with their own certificates (node 2 stays down, so that a
 * rogue can stand at its address), a client increments the counter through node 1 all along, and
 * rogues send node 3 what a member could (a forwarded membership change, TransferLeadership,
 * TimeoutNow, a conflicting Accept and Chosen, SnapshotRequest, a remote PoisonPill to the gateway):
 * one over plain TCP, one over TLS without a certificate, one with a certificate from another CA,
 * one with node 2's certificate at another address (none of them gets a connection through which
 * to send: node 3 refuses the first three at the handshake, and will not connect back to the
 * fourth, so Artery's handshake never completes), and one with node 2's genuine certificate at node 2's address
 * claiming to be node 1 (each message is dropped and counted). Then the admin API is attacked
 * ({@link AdminAttacks}). After each, the membership and the leader must be what they were; at the
 * end every replica's state digest must agree and the client must have lost nothing. Prints {@code
 * SECURITY-SUMMARY rogue_attempts=<n> accepted=<n> admin_unauthorized=<n> changed=<n>}, where
 * {@code accepted} counts rogue messages not shown refused (no connection, or a refusal counted by
 * the node, or for the PoisonPill a gateway still alive) and {@code changed} counts checks that
 * found the membership, the leader, the replicas or the client's writes changed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityTest {

  private static final Duration T = Duration.ofSeconds(30);
  private static final String TOKEN = "security-test-admin-token-0123456789";

  @TempDir
  static Path dir;

  private static TlsFiles tls;
  private static final List<Integer> ports = new ArrayList<>();
  private static int httpPort;
  private static RunningNode one;
  private static RunningNode three;
  private static Membership membership;
  private static int leader;
  private static final AtomicBoolean writing = new AtomicBoolean(true);
  private static final AtomicLong acknowledged = new AtomicLong();
  private static final AtomicLong failed = new AtomicLong();
  private static Thread writer;

  private static int attempts;
  private static int accepted;
  private static int adminUnauthorized;
  private static int changed;

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  static void startNodesOneAndThree() throws Exception {
    for (int i = 0; i < 3; i++) {
      ports.add(freePort());
    }
    httpPort = freePort();
    tls = ClusterCertificates.create(dir.resolve("tls"), Map.of(1, "127.0.0.1", 2, "127.0.0.1", 3, "127.0.0.1"),
        Duration.ofDays(2));
    one = RunningNode.start(node(1, ""));
    three = RunningNode.start(node(3, "http { port = " + httpPort + ", admin-token = \"" + TOKEN + "\" }"));
    GroupClient<Long, Long> counter = one.client("counter");
    counter.propose(0L).toCompletableFuture().get(60, TimeUnit.SECONDS);
    membership = counter.membership().toCompletableFuture().get(30, TimeUnit.SECONDS);
    // Node 1 leads (the rogues claim to be node 1 and attack node 3, which follows): moved there if
    // the election chose node 3, and known to both.
    counter.transferLeadership(1).toCompletableFuture().get(60, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + T.toNanos();
    do {
      leader = three.client("counter").status().toCompletableFuture().get(30, TimeUnit.SECONDS).leader();
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // polling with a deadline
    } while (leader != 1 && System.nanoTime() < deadline);
    assertEquals(1, leader, "node 3 follows node 1");
    writer = new Thread(SecurityTest::writeAllAlong, "security-test-client");
    writer.start();
  }

  private static NodeConfig node(int id, String extra) {
    StringBuilder members = new StringBuilder("synod.cluster.members = [");
    for (int i = 1; i <= 3; i++) {
      members.append("\n  { id = ").append(i).append(", host = \"127.0.0.1\", port = ").append(ports.get(i - 1))
          .append(" }");
    }
    return NodeConfig.from(ConfigFactory.parseString(members + "\n]\n"
        + "synod.cluster.groups = [ { id = \"counter\", type = \"" + CounterType.class.getName() + "\" } ]\n"
        + "synod.cluster.http-services = [ \"" + CounterHttp.class.getName() + "\" ]\n"
        + "synod.cluster.tls.dir = \"" + tls.dir() + "\"\n"
        + "synod.client.request-timeout = 20 s\n"
        // Elections only when asked for: a busy test machine must not move the leadership by itself,
        // so that a change of leader can only be the rogues' doing (TimeoutNow and TransferLeadership
        // act at once, whatever the timeout).
        + "synod.group { election-timeout = 5 s, election-jitter = 1 s, lease = 3 s, heartbeat-interval = 100 ms }\n"
        + "synod.node { id = " + id + ", data-dir = \"" + dir.resolve("data" + id) + "\"\n" + extra + "\n}"));
  }

  /** The client: one increment at a time through node 1, paced, until the test ends. */
  private static void writeAllAlong() {
    GroupClient<Long, Long> counter = one.client("counter");
    while (writing.get()) {
      try {
        counter.propose(1L).toCompletableFuture().get(30, TimeUnit.SECONDS);
        acknowledged.incrementAndGet();
      } catch (Exception e) {
        failed.incrementAndGet();
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // pacing, not synchronisation
    }
  }

  /** Checks the membership and the leader are what they were; counts what changed. */
  private static void unchanged(String after) throws Exception {
    Membership now = three.client("counter").membership().toCompletableFuture().get(30, TimeUnit.SECONDS);
    int leaderNow = one.client("counter").status().toCompletableFuture().get(30, TimeUnit.SECONDS).leader();
    if (!now.equals(membership)) {
      changed++;
    }
    if (leaderNow != leader) {
      changed++;
    }
    assertEquals(membership, now, "the membership after " + after);
    assertEquals(leader, leaderNow, "the leader after " + after);
  }

  private static long refused(String reason) {
    return three.synod().refusedMessages().getOrDefault(reason, 0L);
  }

  /** Whether node 3 counts one more refusal of {@code reason} than {@code before}, within {@link #T}. */
  private static boolean refusalCounted(String reason, long before) {
    long deadline = System.nanoTime() + T.toNanos();
    while (System.nanoTime() < deadline) {
      if (refused(reason) > before) {
        return true;
      }
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // polling with a deadline
    }
    return false;
  }

  @Test
  @Order(1)
  void roguesWithoutAGenuineCertificateOrAddressNeverGetAConnection() throws Exception {
    TlsFiles foreign = ClusterCertificates.create(dir.resolve("foreign-ca"), Map.of(1, "127.0.0.1"),
        Duration.ofDays(2));
    Path empty = dir.resolve("empty.p12");
    KeyStore none = KeyStore.getInstance("PKCS12");
    none.load(null, null);
    try (var out = Files.newOutputStream(empty)) {
      none.store(out, tls.password());
    }
    String password = new String(tls.password());
    long identityBefore = refused("tls-identity");
    // The last one holds node 2's genuine certificate, but not node 2's address: node 3 will not
    // connect back to an address where no node of its cluster is configured.
    for (RogueNode rogue : List.of(RogueNode.plainTcp(), RogueNode.tls(empty, tls.trustStore(), password, 0),
        RogueNode.tls(foreign.nodeStore(1), tls.trustStore(), new String(foreign.password()), 0),
        RogueNode.tls(tls.nodeStore(2), tls.trustStore(), password, 0))) {
      try (rogue) {
        ActorRef gateway = rogue.gateway(three.config().member().address());
        List<RogueNode.Attack> attacks = RogueNode.attacks("counter", 1, 3, body -> RogueNode.forgedStamp(1, body));
        for (RogueNode.Attack a : attacks) {
          rogue.send(gateway, a);
        }
        attempts += attacks.size();
        if (rogue.reaches(gateway, Duration.ofSeconds(5))) {
          accepted += attacks.size();
        }
        unchanged("a rogue without a genuine certificate");
      }
    }
    assertTrue(refused("tls-identity") > identityBefore, "the connection back to the stray address was refused");
    assertEquals(0, accepted);
  }

  @Test
  @Order(2)
  void nodeTwosGenuineCertificateAtNodeTwosAddressCannotSpeakForNodeOne() throws Exception {
    try (RogueNode rogue = RogueNode.tls(tls.nodeStore(2), tls.trustStore(), new String(tls.password()),
        ports.get(1))) {
      rogue.catchGatewayMessages();
      ActorRef gateway = rogue.gateway(three.config().member().address());
      assertTrue(rogue.reaches(gateway, T), "with a genuine certificate the rogue gets a connection");
      // It is node 2 as far as TLS can tell, so node 3 grants it node 2's ticket...
      Ticket nonce = new Ticket(42, 42);
      TicketExchange.Grant grant = null;
      for (int i = 0; i < 10 && grant == null; i++) {
        rogue.requestTicket(gateway, 2, nonce);
        grant = rogue.caught(TicketExchange.Grant.class, Duration.ofSeconds(3));
        grant = grant != null && grant.nonce().equals(nonce) && grant.issuer() == 3 ? grant : null;
      }
      assertNotNull(grant, "node 3 granted node 2's ticket to node 2's address");
      // ... and asking for node 1's sends node 1's ticket to node 1, not here.
      rogue.requestTicket(gateway, 1, new Ticket(43, 43));
      Ticket ticket2 = grant.ticket();
      List<List<RogueNode.Attack>> rounds = List.of(
          RogueNode.attacks("counter", 1, 3, body -> RogueNode.forgedStamp(1, body)),
          RogueNode.attacks("counter", 1, 3, body -> new Stamped(2, ticket2, body)));
      List<String> reasons = List.of("wrong-ticket", "sender-mismatch");
      for (int r = 0; r < rounds.size(); r++) {
        for (RogueNode.Attack a : rounds.get(r)) {
          attempts++;
          boolean refusedIt;
          if (a.message() instanceof org.apache.pekko.actor.PoisonPill) {
            rogue.send(gateway, a);
            refusedIt = rogue.reaches(gateway, T); // untrusted mode dropped it: the gateway lives
          } else {
            long before = refused(reasons.get(r));
            rogue.send(gateway, a);
            refusedIt = refusalCounted(reasons.get(r), before);
          }
          if (!refusedIt) {
            accepted++;
          }
          assertTrue(refusedIt, a.name() + " as node 1 (" + reasons.get(r) + ") was not refused");
          unchanged(a.name() + " as node 1");
        }
      }
      for (TicketExchange.Grant g = rogue.caught(TicketExchange.Grant.class, Duration.ofSeconds(1)); g != null;
          g = rogue.caught(TicketExchange.Grant.class, Duration.ofSeconds(1))) {
        assertTrue(!g.nonce().equals(new Ticket(43, 43)), "node 1's ticket reached the rogue");
      }
    }
  }

  @Test
  @Order(3)
  void theAdminApiTakesNothingWithoutTheToken() throws Exception {
    // Each attack would move the leadership to node 3, or change the membership by node 3.
    AdminAttacks.Result result = AdminAttacks.attack(URI.create("http://127.0.0.1:" + httpPort), "counter", TOKEN, 3);
    adminUnauthorized += result.unauthorized();
    assertEquals(result.attempts(), result.unauthorized(), "every hostile admin request refused");
    unchanged("the admin attacks");
  }

  @AfterAll
  static void finish() throws Exception {
    try {
      if (writer != null) {
        writing.set(false);
        writer.join(TimeUnit.SECONDS.toMillis(60));
        checkReplicas();
      }
    } finally {
      System.out.println("SECURITY-SUMMARY rogue_attempts=" + attempts + " accepted=" + accepted
          + " admin_unauthorized=" + adminUnauthorized + " changed=" + changed);
      List<RunningNode> nodes = new ArrayList<>();
      for (RunningNode n : new RunningNode[] {one, three}) {
        if (n != null) {
          nodes.add(n);
        }
      }
      nodes.parallelStream().forEach(RunningNode::close);
    }
  }

  /** Both replicas reach the same state, and it counts every acknowledged increment once. */
  private static void checkReplicas() throws Exception {
    GroupClient<Long, Long> counter = one.client("counter");
    long value = counter.propose(0L).toCompletableFuture().get(60, TimeUnit.SECONDS);
    if (failed.get() != 0 || value != acknowledged.get()) {
      changed++;
    }
    assertEquals(0, failed.get(), "the group served the client throughout");
    assertEquals(acknowledged.get(), value, "every acknowledged increment counted once");
    long deadline = System.nanoTime() + T.toNanos();
    StateDigest a;
    StateDigest b;
    do {
      a = one.client("counter").digest().toCompletableFuture().get(30, TimeUnit.SECONDS);
      b = three.client("counter").digest().toCompletableFuture().get(30, TimeUnit.SECONDS);
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // polling with a deadline
    } while (a.appliedThrough() != b.appliedThrough() && System.nanoTime() < deadline);
    if (a.crc32() != b.crc32() || a.appliedThrough() != b.appliedThrough()) {
      changed++;
    }
    assertEquals(a.appliedThrough(), b.appliedThrough());
    assertEquals(a.crc32(), b.crc32(), "the replicas' states agree");
  }
}
