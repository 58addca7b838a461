package io.synod.persistence;

/**
 * The journal found damage in data it had acknowledged. It refuses to go on rather than replay a
 * history with a hole in it; the message names the directory, file and queue index.
 */
public final class JournalCorruptedException extends RuntimeException {

  public JournalCorruptedException(String message) {
    super(message);
  }
}
