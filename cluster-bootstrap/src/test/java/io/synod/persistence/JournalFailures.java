package io.synod.persistence;

/** The journal's fail-stop as its writes report it, for tests outside this package. */
public final class JournalFailures {

  private JournalFailures() {}

  public static JournalFailedException failed(String message, Throwable cause) {
    return new JournalFailedException(message, cause);
  }
}
