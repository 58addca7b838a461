package io.synod.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the journal makes a file (or its directory) durable: {@link FileChannel#force} in
 * production. It is the one seam where tests inject disk faults (see the test class {@code
 * DiskFaults}): a force that fails, one that stalls, and the file images a power-loss test keeps
 * at every completed force. Nothing outside tests installs an override.
 */
interface DiskSync {

  DiskSync REAL = (file, channel) -> channel.force(true);

  /** Forces {@code channel}, open on {@code file}, to disk. */
  void force(Path file, FileChannel channel) throws IOException;

  /** Replacements by journal directory (absolute, normalized), looked up at every force. */
  Map<Path, DiskSync> OVERRIDES = new ConcurrentHashMap<>();

  static DiskSync of(Path journalDir) {
    return OVERRIDES.getOrDefault(journalDir, REAL);
  }
}
