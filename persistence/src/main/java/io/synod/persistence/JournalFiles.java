package io.synod.persistence;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Makes the journal's files durable, for its writer thread: it collects the files a write round
 * touched (the cycle file it wrote to, the one a roll wrote its end-of-file mark into) and forces
 * each of them, and, when one of them is new, Chronicle's metadata file and the directory too, so
 * that a new file's name survives as well as its bytes. Every force goes through {@link DiskSync}.
 */
final class JournalFiles implements AutoCloseable {

  private final Path dir;
  private final Path metadata;
  private final Set<File> touched = new LinkedHashSet<>();
  /** Files whose directory entry is known durable. */
  private final Set<File> known = new HashSet<>();
  /** The channel of the file forced last, kept open: most rounds force the same file. */
  private File open;
  private FileChannel channel;

  JournalFiles(Path dir, String metadataFile) {
    this.dir = dir;
    this.metadata = dir.resolve(metadataFile);
  }

  /** A record of the current round went to {@code file}, or the round wrote into it otherwise. */
  void touched(File file) {
    if (file != null) {
      touched.add(file);
    }
  }

  /** Forces every file the round touched (and the directory, if one is new); starts a new round. */
  void forceTouched() throws IOException {
    boolean newFile = false;
    for (File f : touched) {
      force(f);
      newFile |= known.add(f);
    }
    touched.clear();
    if (newFile) {
      forceMetadata();
      forceDirectory();
    }
  }

  /** Forces every cycle file in the directory, the metadata file and the directory (at recovery). */
  void forceAll() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.cq4")) {
      for (Path f : files) {
        force(f.toFile());
        known.add(f.toFile());
      }
    }
    forceMetadata();
    forceDirectory();
  }

  /** {@code file} was deleted: forget it (the caller forces the directory). */
  void deleted(File file) throws IOException {
    known.remove(file);
    touched.remove(file);
    if (file.equals(open)) {
      closeChannel();
    }
  }

  void forceDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      DiskSync.of(dir).force(dir, d);
    } catch (IOException e) {
      throw new IOException("cannot force the directory " + dir + " to disk: " + e.getMessage(), e);
    }
  }

  private void forceMetadata() throws IOException {
    if (Files.exists(metadata)) {
      try (FileChannel m = FileChannel.open(metadata, StandardOpenOption.WRITE)) {
        DiskSync.of(dir).force(metadata, m);
      } catch (IOException e) {
        throw new IOException("cannot force " + metadata + " to disk: " + e.getMessage(), e);
      }
    }
  }

  private void force(File file) throws IOException {
    try {
      if (!file.equals(open)) {
        closeChannel();
        channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE);
        open = file;
      }
      DiskSync.of(dir).force(file.toPath(), channel);
    } catch (IOException e) {
      throw new IOException("cannot force " + file + " to disk: " + e.getMessage(), e);
    }
  }

  private void closeChannel() throws IOException {
    if (channel != null) {
      FileChannel c = channel;
      channel = null;
      open = null;
      c.close();
    }
  }

  @Override
  public void close() throws IOException {
    closeChannel();
  }
}
