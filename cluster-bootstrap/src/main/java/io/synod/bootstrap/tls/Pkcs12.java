package io.synod.bootstrap.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;

/**
 * PKCS12 stores as bytes and files, with the JDK's own {@code KeyStore} (the format Pekko's and the
 * JDK's TLS read, and keytool and openssl too): reading a store names the file when it is missing,
 * damaged or sealed with another password.
 */
final class Pkcs12 {

  private Pkcs12() {}

  /** A new, empty PKCS12 store. */
  static KeyStore empty() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("this JVM cannot make a PKCS12 store", e);
    }
  }

  /** {@code store} sealed with {@code password}, as the bytes of a .p12 file. */
  static byte[] encode(KeyStore store, char[] password) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      store.store(out, password);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot encode a PKCS12 store", e);
    }
    return out.toByteArray();
  }

  /** Reads the PKCS12 store {@code file} with {@code password}. */
  static KeyStore read(Path file, char[] password) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      return store;
    } catch (NoSuchFileException e) {
      throw new TlsFilesException(file + ": no such file");
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new TlsFilesException(file + ": does not open with the password in " + StorePassword.FILE
            + " beside it (was it made with another one?)", e);
      }
      throw new TlsFilesException(file + ": cannot read it as a PKCS12 store (" + e.getMessage() + ")", e);
    } catch (GeneralSecurityException e) {
      throw new TlsFilesException(file + ": cannot read it as a PKCS12 store (" + e + ")", e);
    }
  }
}
