package io.synod.bootstrap.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The TLS directory's file system side: a directory only its owner can enter (rwx------) and files
 * only its owner can read (rw-------). A file is written whole to a temporary file that has those
 * permissions from its creation, forced to disk, then renamed over its name, so a key is never
 * readable by others and never half-written. On a file system without POSIX permissions (Windows)
 * the files are written the same way and their protection is left to the directory's ACL.
 */
public final class PrivateFiles {

  static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

  /** What others may do with a file or directory: none of these may be set. */
  private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private PrivateFiles() {}

  /**
   * Creates {@code dir} rwx------ if it is missing (its parents as usual). An existing directory
   * that others may enter or list is refused rather than changed: it may be a shared one such as
   * /tmp, whose permissions are not ours to take away.
   */
  static void prepareDirectory(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        if (posix(dir)) {
          Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
          Files.setPosixFilePermissions(dir, OWNER_DIRECTORY); // the umask may have cleared a bit
        } else {
          Files.createDirectory(dir);
        }
      }
    } catch (FileAlreadyExistsException e) {
      throw new TlsFilesException(dir + ": cannot create the TLS directory: " + e.getFile()
          + " exists and is not a directory");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      throw new TlsFilesException(dir + ": cannot create the TLS directory (" + e + ")");
    }
    if (posix(dir)) {
      Set<PosixFilePermission> now = permissions(dir);
      if (now.stream().anyMatch(OTHERS::contains)) {
        throw new TlsFilesException(dir + ": the TLS directory is " + PosixFilePermissions.toString(now)
            + ", open to other users; make it rwx------ (chmod 700 " + dir + ") or name a new directory");
      }
    }
    if (!Files.isWritable(dir)) {
      throw new TlsFilesException(dir + ": the TLS directory is not writable");
    }
  }

  /**
   * Writes {@code bytes} as {@code file} (replacing it), owner-only from the first byte on, forced
   * to disk, then moved into place; a crash leaves no half-written file.
   *
   * @throws TlsFilesException naming the file if it cannot
   */
  public static void write(Path file, byte[] bytes) {
    Path dir = file.toAbsolutePath().getParent();
    Path temp = null;
    try {
      temp = posix(dir)
          ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(OWNER_FILE))
          : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      if (posix(dir)) {
        Files.setPosixFilePermissions(temp, OWNER_FILE);
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      temp = null;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      throw new TlsFilesException(file + ": cannot write it (" + e + ")");
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // The write already failed and says so; a leftover temporary file is owner-only.
        }
      }
    }
  }

  /**
   * Takes group and other permissions off an existing {@code file} (one copied in by hand, say);
   * returns whether it had any.
   */
  static boolean makeOwnerOnly(Path file) {
    if (!posix(file)) {
      return false;
    }
    Set<PosixFilePermission> now = permissions(file);
    if (now.stream().noneMatch(OTHERS::contains)) {
      return false;
    }
    Set<PosixFilePermission> owner = EnumSet.copyOf(now);
    owner.removeAll(OTHERS);
    try {
      Files.setPosixFilePermissions(file, owner);
    } catch (IOException | SecurityException e) {
      throw new TlsFilesException(file + ": is " + PosixFilePermissions.toString(now)
          + ", readable by others, and cannot be made owner-only (" + e + ")");
    }
    return true;
  }

  /**
   * The permissions of {@code file} that let others than its owner read or write it ("" if none,
   * or if the file system has no POSIX permissions), e.g. {@code "rw-r--r--"}.
   */
  public static String sharedWithOthers(Path file) {
    if (!posix(file)) {
      return "";
    }
    Set<PosixFilePermission> now = permissions(file);
    return now.stream().anyMatch(OTHERS::contains) ? PosixFilePermissions.toString(now) : "";
  }

  static Set<PosixFilePermission> permissions(Path path) {
    try {
      return Files.getPosixFilePermissions(path);
    } catch (IOException e) {
      throw new TlsFilesException(path + ": cannot read its permissions (" + e + ")");
    }
  }

  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
