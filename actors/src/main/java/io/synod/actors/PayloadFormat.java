package io.synod.actors;

/**
 * How a group's log holds an application's command and its result (the core sees only bytes): a
 * kind byte, then the codec's bytes. {@link GroupClient} frames commands and reads results; the
 * adapter of the application's {@link ReplicatedStateMachine} on every replica reads commands and
 * frames results. Both sides of one format, so they share it here; an application never needs it.
 */
public final class PayloadFormat {

  /** A command's kind: apply it. */
  public static final byte COMMAND = 1;
  /**
   * A command's kind: a read through the log, as earlier builds sent a read made without a lease.
   * Reads now use a read index and write nothing; logs written before still hold these, and every
   * replica applies them alike (answering the read, changing nothing).
   */
  public static final byte READ = 2;
  /** A result's kind: the state machine's answer, in the result codec's bytes. */
  public static final byte OK = 1;
  /** A result's kind: a UTF-8 description of what the state machine or a codec threw. */
  public static final byte FAILED = 2;

  private PayloadFormat() {}

  /** {@code kind}, then {@code body}. */
  public static byte[] frame(byte kind, byte[] body) {
    byte[] framed = new byte[body.length + 1];
    framed[0] = kind;
    System.arraycopy(body, 0, framed, 1, body.length);
    return framed;
  }
}
