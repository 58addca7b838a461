package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.Test;

/**
 * A client whose session the group expired: the command the group can no longer vouch for fails with
 * {@link SessionExpiredException} and is not applied, once; the client goes on in a new session and
 * its next commands work. The group keeps one session only ({@code max-sessions = 1}), so each new
 * client's first command expires the one before: deterministic, without waiting for time to pass.
 */
class SessionExpiredClientTest {

  private static final Duration T = Duration.ofSeconds(30);

  private final TestCounter.Registry counters = new TestCounter.Registry();

  @Test
  void aClientWhoseSessionExpiredGetsTheExceptionOnceAndThenWorksInANewSession() {
    try (LocalCluster cluster = LocalCluster.start(1, ConfigFactory.parseString("synod.group.max-sessions = 1"))) {
      LocalCluster.Node n = cluster.node(0);
      SynodGroup<Long, Long> def = counters.group("sessions", 0);
      ActorRef<GroupCommand> ref = Adapter.spawn(n.system(), def.behavior(n.synod(), List.of(0), n.synod().settings()),
          "sessions");
      GroupClient<Long, Long> a = def.client(n.synod(), ref);
      assertEquals(1L, Await.result(a.propose(1L), T));
      // Each session numbers its commands from its wall-clock time: b's start above everything a
      // applied, c's above everything b applied.
      GroupClient<Long, Long> b = def.client(n.synod(), ref);
      assertEquals(2L, Await.result(b.propose(1L), T), "b's session makes a's expire");
      GroupClient<Long, Long> c = def.client(n.synod(), ref);
      assertEquals(3L, Await.result(c.propose(1L), T), "c's makes b's expire: the group refuses a's sequences now");

      Throwable refused = Await.failure(a.propose(1L), T);
      assertInstanceOf(SessionExpiredException.class, refused);
      assertTrue(refused.getMessage().contains("was refused, not applied: its session")
          && refused.getMessage().contains("goes on in a new session"), refused.getMessage());
      assertEquals(3, counters.latest(0).applyCalls, "the refused command was not applied");

      assertEquals(4L, Await.result(a.propose(1L), T), "a goes on in a new session");
      assertEquals(5L, Await.result(a.propose(1L), T));
      assertEquals(5, counters.latest(0).applyCalls);
      assertEquals(5L, Await.result(a.read(0L), T));
    }
  }
}
