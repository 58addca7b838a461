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
   * @throws IllegalArgumentException if the bytes are truncated, of an unknown version, or fail
   *     their checksum
   */
  public static Checkpoint decode(byte[] bytes) {
    if (bytes.length < 4) {
      throw new IllegalArgumentException("checkpoint: " + bytes.length + " bytes is too short");
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
    byte[] membership = version == 1 ? new byte[0] : r.readBytes();
    Checkpoint c = new Checkpoint(next, state, sessions, membership.length == 0 ? null : Membership.decode(membership));
    r.expectEnd();
    return c;
  }
}
