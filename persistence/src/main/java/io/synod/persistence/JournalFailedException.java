package io.synod.persistence;

/**
 * The journal failed and stopped (fail-stop): a write or a force to disk failed, so nothing it
 * wrote since its last completed force can be trusted, and it acknowledges nothing more in this
 * process. Every write waiting then and every later one fails with this exception; the message
 * names the journal's directory, the file and the first failure, which is also the cause. Only a
 * restart of the process, whose recovery re-reads what is really on disk, brings it back.
 */
public final class JournalFailedException extends IllegalStateException {

  JournalFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
