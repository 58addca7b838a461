package io.synod.bootstrap.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The one password that protects every store of a TLS directory, kept in its file {@code
 * password} (one line, owner-only). It is drawn from a {@link SecureRandom} at the first run and
 * read back at every later one: the CA store must open with it, and the node stores kept from
 * earlier runs were sealed with it.
 */
final class StorePassword {

  static final String FILE = "password";
  /** 32 random bytes: 256 bits, printed as 43 URL-safe Base64 characters (no quoting needed in HOCON). */
  private static final int BYTES = 32;

  private StorePassword() {}

  /** Whether {@code dir} already has a password file. */
  static boolean exists(Path dir) {
    return Files.exists(dir.resolve(FILE));
  }

  /** Draws a new password and writes it to {@code dir/password}. */
  static char[] create(Path dir, SecureRandom random) {
    byte[] bytes = new byte[BYTES];
    random.nextBytes(bytes);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    PrivateFiles.write(dir.resolve(FILE), (password + "\n").getBytes(StandardCharsets.US_ASCII));
    return password.toCharArray();
  }

  /** Reads the password of {@code dir}: the first line of its password file. */
  static char[] read(Path dir) {
    Path file = dir.resolve(FILE);
    String first;
    try {
      first = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
    } catch (IOException e) {
      throw new TlsFilesException(file + ": cannot read the stores' password (" + e + ")");
    }
    if (first.isEmpty()) {
      throw new TlsFilesException(file + ": the first line, the stores' password, is empty");
    }
    return first.toCharArray();
  }
}
