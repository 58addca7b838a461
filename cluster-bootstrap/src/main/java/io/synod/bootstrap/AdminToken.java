package io.synod.bootstrap;

import io.synod.bootstrap.tls.PrivateFiles;
import io.synod.bootstrap.tls.TlsFilesException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credential a standalone node's state-changing admin routes ask for ({@link AdminGuard}):
 * {@code synod.node.http.admin-token} if set, otherwise the token in {@code
 * <data-dir>/admin-token}, made at the node's first start (32 random bytes in hex, one line,
 * readable and writable by the file's owner only from the moment it exists) and read at later
 * starts. A token file that group or others may read or write refuses start, as a bad key does.
 * The token is never shown: not in a message, not in a log; the node logs where it is.
 */
final class AdminToken {

  static final String KEY = "synod.node.http.admin-token";
  /** The token file's name in the data directory. */
  static final String FILE = "admin-token";

  private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);

  /** The token's SHA-256: compared in constant time whatever the length of what is presented. */
  private final byte[] digest;

  private AdminToken(String token) {
    this.digest = sha256(token);
  }

  /**
   * The token of a node whose HTTP settings are {@code http} and whose data directory is {@code
   * dataDir}; makes the token file if it is needed and missing.
   *
   * @throws InvalidConfigException if the token file cannot be made or read, holds no usable token,
   *     or may be read or written by others than its owner
   */
  static AdminToken resolve(NodeConfig.Http http, Path dataDir) {
    if (!http.adminToken().isEmpty()) {
      LOG.info("the HTTP admin routes ask for the token set in {}", KEY);
      return new AdminToken(http.adminToken());
    }
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      String token = read(file);
      LOG.info("the HTTP admin routes ask for the token in {} (send it as 'Authorization: Bearer <token>')", file);
      return new AdminToken(token);
    }
    String token = create(file);
    LOG.info("made a token for the HTTP admin routes in {}, readable by its owner only (send it as "
        + "'Authorization: Bearer <token>')", file);
    return new AdminToken(token);
  }

  /** Whether {@code presented} is the token, compared in constant time. */
  boolean matches(String presented) {
    return MessageDigest.isEqual(digest, sha256(presented));
  }

  /** The token in {@code file}, which only its owner may read and write. */
  private static String read(Path file) {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new InvalidConfigException(file + " is not a regular file; the node keeps its admin token there (remove"
            + " it to have a new token made, or set " + KEY + ")");
      }
      String shared = PrivateFiles.sharedWithOthers(file);
      if (!shared.isEmpty()) {
        throw new InvalidConfigException(file + " (the admin token) may be read or written by others than its owner ("
            + shared + "); run 'chmod 600 " + file + "', or set " + KEY);
      }
      String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
      String problem = NodeConfig.tokenProblem(token);
      if (problem != null) {
        throw new InvalidConfigException(file + " holds no usable admin token: it " + problem + "; remove the file "
            + "to have a new token made at the next start, or set " + KEY);
      }
      return token;
    } catch (IOException | TlsFilesException e) {
      throw new InvalidConfigException(file + ": cannot read the admin token (" + e + ")");
    }
  }

  /**
   * Makes {@code file} with a new token: written to a temporary file that is the owner's only from
   * its creation, forced to disk, then moved into place, so that the token is never readable by
   * others, not even for a moment, and a crash leaves no half-written file.
   */
  private static String create(Path file) {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String token = HexFormat.of().formatHex(random);
    try {
      PrivateFiles.write(file, (token + "\n").getBytes(StandardCharsets.US_ASCII));
      return token;
    } catch (TlsFilesException e) {
      throw new InvalidConfigException(e.getMessage() + "; make the data directory writable, or set " + KEY);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM, which every Java platform must provide", e);
    }
  }
}
