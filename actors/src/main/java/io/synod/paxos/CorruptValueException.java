package io.synod.paxos;

/**
 * A value whose bytes no longer match the checksum it was proposed with, or that is not a command
 * batch at all (a count or length its bytes cannot hold). The role that detects it changes no
 * state; the message that carried it must be treated as lost, and the error reported.
 */
public final class CorruptValueException extends RuntimeException {

  private final String group;
  private final long instance;
  private final int sender;

  public CorruptValueException(String group, long instance, int sender, int expectedCrc, int actualCrc) {
    super("corrupt value in group '" + group + "' instance " + instance + " from node " + sender
        + ": crc32 " + Integer.toHexString(actualCrc) + ", expected " + Integer.toHexString(expectedCrc));
    this.group = group;
    this.instance = instance;
    this.sender = sender;
  }

  /** A value whose checksum holds but whose bytes are not a well-formed batch: {@code problem} says why. */
  public CorruptValueException(String group, long instance, int sender, String problem) {
    super("corrupt value in group '" + group + "' instance " + instance + " from node " + sender + ": " + problem);
    this.group = group;
    this.instance = instance;
    this.sender = sender;
  }

  public String group() {
    return group;
  }

  public long instance() {
    return instance;
  }

  public int sender() {
    return sender;
  }
}
