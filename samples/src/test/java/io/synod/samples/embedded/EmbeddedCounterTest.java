package io.synod.samples.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.synod.actors.GroupClient;
import io.synod.samples.counter.CounterCommand;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding example's guardian: Synod started from configuration, a counter group spawned in an application. */
class EmbeddedCounterTest {

  @TempDir
  Path dir;

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void theApplicationsCounterGroupCommitsAndReads() throws Exception {
    CompletableFuture<GroupClient<CounterCommand, Long>> client = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(EmbeddedCounter.guardian(client), "app",
        EmbeddedCounter.config(dir, freePort()));
    try {
      GroupClient<CounterCommand, Long> counter = client.get(30, TimeUnit.SECONDS);
      assertEquals(2L, counter.propose(new CounterCommand.Increment(2)).toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertEquals(5L, counter.propose(new CounterCommand.Increment(3)).toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertEquals(5L, counter.read(new CounterCommand.Get()).toCompletableFuture().get(30, TimeUnit.SECONDS));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
