package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.synod.Synod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.event.Logging;
import org.junit.jupiter.api.Test;

/**
 * Synod's start refuses a transport that does not authenticate its peers, naming what is missing,
 * unless told {@code synod.insecure = on}: then it starts and says so at WARN.
 */
class TransportSecurityTest {

  private static final Duration T = Duration.ofSeconds(30);

  /** An actor system with Artery over plain TCP on a free loopback port, plus {@code extra}. */
  private static ActorSystem plainTcp(String name, String extra) throws IOException {
    Path dir = Files.createTempDirectory("synod-transport-");
    return ActorSystem.create(name, ConfigFactory.parseString(String.join("\n",
            "pekko.actor.provider = remote",
            "pekko.remote.artery.transport = tcp",
            "pekko.remote.artery.canonical { hostname = \"127.0.0.1\", port = 0 }",
            "pekko.remote.warn-about-direct-use = off",
            "pekko.loglevel = WARNING",
            "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
            "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
            "synod.persistence.journal.dir = \"" + dir.resolve("journal") + "\"",
            "synod.persistence.snapshot-store.dir = \"" + dir.resolve("snapshots") + "\"",
            extra))
        .withFallback(ConfigFactory.load()));
  }

  private static void stop(ActorSystem system) {
    system.terminate();
    Await.result(system.getWhenTerminated(), T);
  }

  @Test
  void plainTcpWithoutUntrustedModeIsRefusedNamingWhatIsMissingAndTheOptOut() throws IOException {
    ActorSystem system = plainTcp("synod-plain", "");
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Synod.start(Adapter.toTyped(system), 0, Map.of(0, Adapter.toTyped(system).address())));
      String m = e.getMessage();
      assertTrue(m.contains("pekko.remote.artery.transport is tcp, not tls-tcp")
          && m.contains("pekko.remote.artery.untrusted-mode is off") && m.contains("synod.insecure = on"), m);
    } finally {
      stop(system);
    }
  }

  @Test
  void toldInsecureSynodStartsAndWarnsThatAnyProcessCanActAsAMember() throws IOException {
    ActorSystem system = plainTcp("synod-insecure", "synod.insecure = on\npekko.remote.artery.untrusted-mode = on");
    try {
      TestProbe<Logging.Warning> warnings = TestProbe.create(Adapter.toTyped(system));
      system.getEventStream().subscribe(Adapter.toClassic(warnings.getRef()), Logging.Warning.class);
      Synod.start(Adapter.toTyped(system), 0, Map.of(0, Adapter.toTyped(system).address()));
      Logging.Warning warning = warnings.fishForMessage(T, "Synod's warning about the transport",
          w -> String.valueOf(w.message()).contains("INSECURE")
              ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
      String m = String.valueOf(warning.message());
      assertTrue(m.contains("not tls-tcp") && !m.contains("untrusted-mode is off"), m);
    } finally {
      stop(system);
    }
  }
}
