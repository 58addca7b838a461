package io.synod.persistence;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serialization$;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Pekko Persistence snapshot-store plugin ({@code synod.persistence.snapshot-store}): one file
 * per snapshot, named {@code snapshot-<persistenceId>-<sequenceNr>-<timestamp>}, holding the
 * serialized snapshot and a CRC32. A save writes a temporary file, forces it, renames it into place
 * atomically and forces the directory, so a crash leaves either the whole snapshot or none. A load
 * tries the newest matching snapshot first and skips, with a WARN, any that fails its checksum; if
 * every matching snapshot fails, the load fails (an actor must not recover as if it had none).
 *
 * <p>File layout (big-endian): {@code magic:4 version:1 serializerId:4 manifestLength:4 manifest
 * payloadLength:4 payload crc32:4}, the checksum over everything before it.
 */
public final class FileSnapshotStore extends SnapshotStore {

  private static final Logger log = LoggerFactory.getLogger(FileSnapshotStore.class);
  private static final int MAGIC = 0x53594E53; // "SYNS"
  private static final byte VERSION = 1;
  private static final String PREFIX = "snapshot-";
  private static final String TEMP_SUFFIX = ".tmp";

  private final Path dir;
  private final Serialization serialization;
  private final Executor io;

  public FileSnapshotStore(Config config, String configPath) {
    String d = config.getString("dir");
    if (d.isBlank()) {
      throw new IllegalArgumentException(configPath + ".dir must be set to the snapshot directory");
    }
    this.dir = Path.of(d).toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(configPath + ".dir: cannot create snapshot directory " + dir, e);
    }
    this.serialization = SerializationExtension.get(context().system());
    this.io = context().dispatcher()::execute;
  }

  private record Entry(Path file, SnapshotMetadata metadata) {}

  private <T> Future<T> async(Supplier<T> work) {
    return FutureConverters.asScala(CompletableFuture.supplyAsync(work, io));
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return async(() -> {
      List<Entry> candidates = matching(persistenceId, criteria);
      candidates.sort(Comparator.comparingLong((Entry e) -> e.metadata().sequenceNr())
          .thenComparingLong(e -> e.metadata().timestamp()).reversed());
      List<Exception> unusable = new ArrayList<>();
      for (Entry e : candidates) {
        try {
          return Optional.of(SelectedSnapshot.create(e.metadata(), read(e.file())));
        } catch (Exception ex) { // Try.get() of a failed deserialization may throw a checked exception
          log.warn("snapshot {} cannot be used ({}); trying an older one", e.file(), ex.getMessage());
          unusable.add(new IOException(e.file() + ": " + ex.getMessage(), ex));
        }
      }
      if (!unusable.isEmpty()) {
        // "No snapshot" would make the actor replay from its first event: if events were deleted
        // because a snapshot covered them, its state would silently lack them. Fail the recovery.
        IllegalStateException failure = new IllegalStateException("none of the " + unusable.size()
            + " snapshot(s) of " + persistenceId + " matching " + criteria + " in " + dir + " can be used: "
            + unusable.stream().map(Exception::getMessage).toList());
        unusable.forEach(failure::addSuppressed);
        throw failure;
      }
      return Optional.empty();
    });
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    return async(() -> {
      Path target = dir.resolve(fileName(metadata));
      Path temp = dir.resolve(fileName(metadata) + TEMP_SUFFIX);
      try {
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
          ByteBuffer b = ByteBuffer.wrap(encode(snapshot));
          while (b.hasRemaining()) {
            ch.write(b);
          }
          ch.force(true);
        }
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          throw new IOException("the file system under " + dir + " cannot rename atomically", e);
        }
        forceDirectory();
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot save snapshot " + target, e);
      }
    });
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    return async(() -> {
      try {
        boolean gone = false;
        for (Entry e : list(metadata.persistenceId())) {
          // Pekko may pass a timestamp of 0 meaning "whatever timestamp it has".
          if (e.metadata().sequenceNr() == metadata.sequenceNr()
              && (metadata.timestamp() == 0 || e.metadata().timestamp() == metadata.timestamp())) {
            gone |= Files.deleteIfExists(e.file());
          }
        }
        if (gone) {
          forceDirectory();
        }
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete snapshot " + metadata, e);
      }
    });
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return async(() -> {
      try {
        List<Entry> doomed = matching(persistenceId, criteria);
        for (Entry e : doomed) {
          Files.deleteIfExists(e.file());
        }
        if (!doomed.isEmpty()) {
          forceDirectory();
        }
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete snapshots of " + persistenceId, e);
      }
    });
  }

  // ---- files ----

  private static String fileName(SnapshotMetadata m) {
    return PREFIX + URLEncoder.encode(m.persistenceId(), StandardCharsets.UTF_8) + "-" + m.sequenceNr() + "-"
        + m.timestamp();
  }

  private List<Entry> matching(String persistenceId, SnapshotSelectionCriteria c) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : list(persistenceId)) {
      SnapshotMetadata m = e.metadata();
      if (m.sequenceNr() <= c.maxSequenceNr() && m.timestamp() <= c.maxTimestamp()
          && m.sequenceNr() >= c.minSequenceNr() && m.timestamp() >= c.minTimestamp()) {
        out.add(e);
      }
    }
    return out;
  }

  private List<Entry> list(String persistenceId) {
    String prefix = PREFIX + URLEncoder.encode(persistenceId, StandardCharsets.UTF_8) + "-";
    List<Entry> out = new ArrayList<>();
    // Not a glob: an encoded persistence id may contain '*', which a glob would take as a wildcard.
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(dir, f -> f.getFileName().toString().startsWith(prefix))) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(TEMP_SUFFIX)) {
          continue; // a save that did not finish
        }
        String[] parts = name.substring(prefix.length()).split("-");
        if (parts.length != 2) {
          continue; // another persistence id whose encoded name starts like ours
        }
        try {
          out.add(new Entry(f, new SnapshotMetadata(persistenceId, Long.parseLong(parts[0]), Long.parseLong(parts[1]))));
        } catch (NumberFormatException e) {
          log.warn("ignoring {} in the snapshot directory: not a snapshot file name", f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list snapshot directory " + dir, e);
    }
    return out;
  }

  private byte[] encode(Object snapshot) {
    // Inside the transport information, as Pekko's own plugins serialize: a serializer that writes
    // an ActorRef takes the ActorSystem from it and throws without. (read needs no such wrapper:
    // Serialization.deserialize sets the information itself.)
    return Serialization$.MODULE$.withTransportInformation(serialization.system(), () -> {
      Serializer serializer = serialization.findSerializerFor(snapshot);
      byte[] manifest = Serializers.manifestFor(serializer, snapshot).getBytes(StandardCharsets.UTF_8);
      return frame(serializer.identifier(), manifest, serializer.toBinary(snapshot));
    });
  }

  private static byte[] frame(int serializerId, byte[] manifest, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 1 + 4 + 4 + manifest.length + 4 + payload.length + 4);
    b.putInt(MAGIC).put(VERSION).putInt(serializerId);
    b.putInt(manifest.length).put(manifest);
    b.putInt(payload.length).put(payload);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  private Object read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < 4 + 1 + 4 + 4 + 4 + 4) {
      throw new IOException("file of " + bytes.length + " bytes is too short");
    }
    int body = bytes.length - 4;
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, body);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (b.getInt(body) != (int) crc.getValue()) {
      throw new IOException("crc32 mismatch");
    }
    if (b.getInt() != MAGIC || b.get() != VERSION) {
      throw new IOException("not a snapshot file of this version");
    }
    int serializerId = b.getInt();
    byte[] manifest = lengthPrefixed(b, body, "manifest");
    byte[] payload = lengthPrefixed(b, body, "payload");
    if (b.position() != body) {
      throw new IOException((body - b.position()) + " unexpected bytes after the payload, at byte " + b.position());
    }
    return serialization.deserialize(payload, serializerId, new String(manifest, StandardCharsets.UTF_8)).get();
  }

  /**
   * A length, then that many bytes, which must lie before {@code end}: checked before allocating, so
   * a damaged length (even under a valid checksum) is refused rather than allocated.
   */
  private static byte[] lengthPrefixed(ByteBuffer b, int end, String field) throws IOException {
    int at = b.position();
    int n = b.getInt();
    if (n < 0 || n > end - b.position()) {
      throw new IOException(field + " length " + n + " at byte " + at + " overruns the " + end + "-byte frame");
    }
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }

  private void forceDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
