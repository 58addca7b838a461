package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.synod.Synod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.event.Logging;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Synod keeps its promises, accepts and checkpoints in the plugins of {@code synod.group} (its own
 * journal and snapshot store by default), whatever the actor system's defaults are, which stay the
 * application's; and it runs on a plugin it does not know to fsync only when told to, saying so.
 */
class PersistencePluginsTest {

  private static final Duration T = Duration.ofSeconds(30);
  private static final String INMEM = "pekko.persistence.journal.inmem";
  private static final String SYNOD_JOURNAL = "synod.persistence.journal";

  private final TestCounter.Registry counters = new TestCounter.Registry();
  private Path dir;

  @BeforeEach
  void makeDirectory() throws IOException {
    dir = Files.createTempDirectory("synod-plugins-");
  }

  @AfterEach
  void deleteDirectory() {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  private static Config config(String... lines) {
    return ConfigFactory.parseString(String.join("\n", lines));
  }

  /** An application's own persistent actor, with no plugin id: it persists each note it is given. */
  private record Note(String text, ActorRef<Done> replyTo) {}

  private static final class Notes extends EventSourcedBehavior<Note, String, List<String>> {
    Notes(String id) {
      super(PersistenceId.ofUniqueId(id));
    }

    @Override
    public List<String> emptyState() {
      return new ArrayList<>();
    }

    @Override
    public CommandHandler<Note, String, List<String>> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onAnyCommand((state, note) -> Effect().persist(note.text())
              .thenReply(note.replyTo(), s -> Done.getInstance()));
    }

    @Override
    public EventHandler<List<String>, String> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, text) -> {
        state.add(text);
        return state;
      });
    }
  }

  /** What journal {@code plugin} ("" for the default) holds for {@code persistenceId} on node {@code n}. */
  private static JournalProbe.Contents journal(LocalCluster.Node n, String persistenceId, String plugin) {
    TestProbe<JournalProbe.Contents> contents = TestProbe.create(n.typed());
    Adapter.spawnAnonymous(n.system(), JournalProbe.create(persistenceId, plugin, contents.getRef()));
    return contents.receiveMessage(T);
  }

  private static long files(Path directory) {
    if (!Files.exists(directory)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).count();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory, e);
    }
  }

  @Test
  void synodKeepsToItsOwnJournalAndSnapshotStoreWhateverTheApplicationsDefaults() {
    Path appSnapshots = dir.resolve("app-snapshots");
    Config app = config(
        "pekko.persistence.journal.plugin = \"" + INMEM + "\"",
        "pekko.persistence.snapshot-store.plugin = \"pekko.persistence.snapshot-store.local\"",
        "pekko.persistence.snapshot-store.local.dir = \"" + appSnapshots + "\"",
        "synod.group.checkpoint.every-instances = 3");
    try (LocalCluster cluster = LocalCluster.start(1, app)) {
      LocalCluster.Node n = cluster.node(0);
      GroupClient<Long, Long> client = n.spawn(counters.group("solo", 0), "solo");
      for (long i = 1; i <= 10; i++) {
        assertEquals(i, Await.result(client.propose(1L), T));
      }
      TestProbe<Done> noted = TestProbe.create(n.typed());
      ActorRef<Note> notes = Adapter.spawn(n.system(), (Behavior<Note>) new Notes("app|notes"), "notes");
      notes.tell(new Note("hello", noted.getRef()));
      noted.expectMessage(T, Done.getInstance());

      assertTrue(journal(n, "synod-acceptor|solo@0", SYNOD_JOURNAL).highestSequenceNr() > 0,
          "Synod's acceptor writes to Synod's journal");
      assertEquals(0, journal(n, "synod-acceptor|solo@0", "").highestSequenceNr(),
          "and nothing to the application's default journal");
      assertEquals(1, journal(n, "app|notes", "").events(), "the application's actor writes to its default journal");
      assertEquals(0, journal(n, "app|notes", SYNOD_JOURNAL).highestSequenceNr(), "and not to Synod's");
      Await.until(T, () -> "a checkpoint", () -> Await.result(client.status(), T).checkpoint() > 0);
      assertTrue(files(n.snapshotDir()) > 0, "Synod's checkpoints are in Synod's snapshot store");
      assertEquals(0, files(appSnapshots), "and not in the application's default snapshot store");

      // Synod's state survives a restart (it is on disk); the application's default journal is the
      // in-memory one, as configured, and starts empty.
      cluster.stop(0);
      LocalCluster.Node again = cluster.restart(0);
      GroupClient<Long, Long> after = again.spawn(counters.group("solo", 0), "solo");
      assertEquals(10L, Await.result(after.read(0L), T));
      assertEquals(0, journal(again, "app|notes", "").highestSequenceNr());
    }
  }

  @Test
  void aJournalNotKnownToFsyncIsRefusedAtStartWithoutConsent() {
    IllegalArgumentException inmem = assertThrows(IllegalArgumentException.class,
        () -> LocalCluster.start(1, config("synod.group.journal-plugin-id = \"" + INMEM + "\"")).close());
    for (String named : List.of(INMEM, "synod.group.journal-plugin-id", "synod.group.allow-persistence-without-fsync")) {
      assertTrue(inmem.getMessage().contains(named), "'" + inmem.getMessage() + "' names " + named);
    }
    IllegalArgumentException unsynced = assertThrows(IllegalArgumentException.class,
        () -> LocalCluster.start(1, config("synod.persistence.journal.fsync = off")).close());
    assertTrue(unsynced.getMessage().contains("synod.persistence.journal.fsync = off"), unsynced.getMessage());
  }

  @Test
  void withConsentSynodRunsOnAJournalNotKnownToFsyncAndWarnsAtStart() {
    ActorSystem system = ActorSystem.create("synod-consent", config(
        "synod.group.journal-plugin-id = \"" + INMEM + "\"",
        "synod.group.allow-persistence-without-fsync = on",
        "synod.persistence.snapshot-store.dir = \"" + dir.resolve("snapshots") + "\"",
        "pekko.actor.allow-java-serialization = off",
        "pekko.loglevel = WARNING",
        "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
        "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"")
        .withFallback(ConfigFactory.load()));
    try {
      TestProbe<Logging.Warning> warnings = TestProbe.create(Adapter.toTyped(system));
      system.getEventStream().subscribe(Adapter.toClassic(warnings.getRef()), Logging.Warning.class);
      SynodNode node = Synod.start(Adapter.toTyped(system), 0, Map.of(0, Adapter.toTyped(system).address()));
      Logging.Warning warning = warnings.fishForMessage(T, "Synod's warning about the journal",
          w -> String.valueOf(w.message()).contains(INMEM)
              ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
      assertTrue(String.valueOf(warning.message()).contains("synod.group.allow-persistence-without-fsync = on"),
          "the warning names the setting: " + warning.message());

      SynodGroup<Long, Long> solo = counters.group("solo", 0);
      GroupClient<Long, Long> client = solo.client(node, Adapter.spawn(system, solo.behavior(node), "solo"));
      assertEquals(1L, Await.result(client.propose(1L), T));
    } finally {
      system.terminate();
      Await.result(system.getWhenTerminated(), T);
    }
  }
}
