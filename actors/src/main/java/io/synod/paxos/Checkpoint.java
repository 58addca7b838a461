package io.synod.paxos;

import java.util.zip.CRC32;

/**
 * A learner's state at a point of the log: the state machine's snapshot, the exactly-once session
 * table and the group's membership after applying every instance below {@code nextInstance}.
 * {@link #encode} gives the form that is stored and shipped to lagging peers, with a CRC32 that
 * {@link #decode} checks. A checkpoint of version 1 (before membership changes) has no membership:
 * {@code null}, the group's initial one.
 */
public record Checkpoint(long nextInstance, byte[] state, byte[] sessions, Membership membership) {

  private static final int VERSION = 2;

  /** A checkpoint of a group whose membership never changed. */
  public Checkpoint(long nextInstance, byte[] state, byte[] sessions) {
    this(nextInstance, state, sessions, null);
  }

  public Checkpoint {
    if (nextInstance < 0) {
      throw new IllegalArgumentException("checkpoint nextInstance must be >= 0, got " + nextInstance);
    }
    if (state == null || sessions == null) {
      throw new IllegalArgumentException("checkpoint state and sessions must not be null");
    }
  }

  public byte[] encode() {
    Wire.Writer w = new Wire.Writer().writeByte(VERSION).writeLong(nextInstance).writeBytes(state).writeBytes(sessions)
        .writeBytes(membership == null ? new byte[0] : membership.encode());
    byte[] body = w.toByteArray();
    CRC32 crc = new CRC32();
    crc.update(body, 0, body.length);
    return w.writeInt((int) crc.getValue()).toByteArray();
  }

  /**
   * The checkpoint {@link #encode} wrote, perhaps on another node: every length is checked against
   * the bytes that remain before it is copied, so a crafted checkpoint (even with a valid checksum)
   * is refused rather than allocated. Its session table is decoded by the learner that installs it
   * ({@link Learner#checkInstallable}).
   *
   * @throws IllegalArgumentException if the bytes are truncated, overrun, of an unknown version, or
   *     fail their checksum, naming the defect and its byte offset
   */
  public static Checkpoint decode(byte[] bytes) {
    if (bytes == null || bytes.length < 4) {
      throw new IllegalArgumentException("checkpoint: " + (bytes == null ? "no" : bytes.length) + " bytes is too short");
    }
    int bodyLength = bytes.length - 4;
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bodyLength);
    int stored = Value.readInt(bytes, bodyLength);
    if ((int) crc.getValue() != stored) {
      throw new IllegalArgumentException("checkpoint: crc32 " + Long.toHexString(crc.getValue()) + " does not match stored "
          + Integer.toHexString(stored));
    }
    Wire.Reader r = new Wire.Reader(bytes, bodyLength, "checkpoint");
    int version = r.readByte();
    if (version != 1 && version != VERSION) {
      throw new IllegalArgumentException("checkpoint: unknown version " + version);
    }
    long next = r.readLong();
    byte[] state = r.readBytes();
    byte[] sessions = r.readBytes();
    int membershipAt = r.position() + 4;
    byte[] membership = version == 1 ? new byte[0] : r.readBytes();
    r.expectEnd();
    return new Checkpoint(next, state, sessions, membership.length == 0 ? null : membership(membership, membershipAt));
  }

  private static Membership membership(byte[] bytes, int at) {
    try {
      return Membership.decode(bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("checkpoint: the membership at byte " + at + " does not decode: "
          + e.getMessage(), e);
    }
  }
}
