package io.synod.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A size-limited tmpfs mounted for one test, to fill up: {@link #fillUp} takes every free byte with
 * a filler file, {@link #freeSpace} gives it back. Mounting needs root on Linux (CI runs as root);
 * {@link #canMount} says whether this machine can.
 */
final class SmallFileSystem implements AutoCloseable {

  private final Path root;
  private final Path filler;

  private SmallFileSystem(Path root) {
    this.root = root;
    this.filler = root.resolve("filler");
  }

  static boolean canMount() {
    return System.getProperty("os.name").toLowerCase().contains("linux") && "root".equals(System.getProperty("user.name"));
  }

  static String why() {
    return "mounting a small tmpfs needs root on Linux (CI runs so); here: " + System.getProperty("os.name") + " as "
        + System.getProperty("user.name");
  }

  static SmallFileSystem mount(Path at, long bytes) throws IOException, InterruptedException {
    Files.createDirectories(at);
    run("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", at.toString());
    return new SmallFileSystem(at);
  }

  Path root() {
    return root;
  }

  /** Writes a filler file until the file system is full. */
  void fillUp() throws IOException {
    byte[] block = new byte[64 << 10];
    try (var out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left")) {
        throw full;
      }
    }
  }

  void freeSpace() throws IOException {
    Files.deleteIfExists(filler);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run("umount", "-l", root.toString());
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish within 30 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + new String(p.getInputStream().readAllBytes()));
    }
  }
}
