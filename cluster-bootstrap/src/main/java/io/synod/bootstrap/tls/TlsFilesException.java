package io.synod.bootstrap.tls;

/**
 * The cluster's TLS files cannot be made or read as asked: the message names the file or value
 * that is wrong and, where there is one, what to do about it.
 */
public final class TlsFilesException extends RuntimeException {
  public TlsFilesException(String message) {
    super(message);
  }

  public TlsFilesException(String message, Throwable cause) {
    super(message, cause);
  }
}
