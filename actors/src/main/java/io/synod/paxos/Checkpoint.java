package io.synod.paxos;

import io.synod.paxos.Message.ChainMark;
import java.util.zip.CRC32;

/**
 * A learner's state at a point of the log: the state machine's snapshot, the exactly-once session
 * table (with what its expiry needs: the log's time, when each session was last used), the group's
 * membership ({@code null}: the group's initial one) and the checksum chain (docs/protocol.md, "The
 * checksum chain") after applying every instance below {@code nextInstance}. {@link #encode} gives
 * the form that is stored and shipped to lagging peers, with a CRC32 that {@link #decode} checks.
 */
public record Checkpoint(long nextInstance, byte[] state, byte[] sessions, Membership membership, int chain) {

  /**
   * The format: 1 had no membership, 2 no chain, 3 a session table without what expiry needs (the
   * log's time, each session's last use). Nothing older is read: a learner must not continue from a
   * chain it does not know, nor from a session table that cannot expire like its peers'.
   */
  private static final int VERSION = 4;

  public Checkpoint {
    if (nextInstance < 0) {
      throw new IllegalArgumentException("checkpoint nextInstance must be >= 0, got " + nextInstance);
    }
    if (state == null || sessions == null) {
      throw new IllegalArgumentException("checkpoint state and sessions must not be null");
    }
    if (nextInstance == 0 && chain != 0) {
      throw new IllegalArgumentException("a checkpoint below instance 0 has chain 0, got "
          + Integer.toHexString(chain));
    }
  }

  /** What this checkpoint asserts of the applied history: the chain through {@code nextInstance - 1}. */
  public ChainMark chainMark() {
    return nextInstance == 0 ? ChainMark.NONE : new ChainMark(nextInstance - 1, chain);
  }

  public byte[] encode() {
    Wire.Writer w = new Wire.Writer().writeByte(VERSION).writeLong(nextInstance).writeBytes(state).writeBytes(sessions)
        .writeBytes(membership == null ? new byte[0] : membership.encode()).writeInt(chain);
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
   * @throws IllegalArgumentException if the bytes are truncated, overrun, of another version, or
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
    if (version == 1 || version == 2) {
      throw new IllegalArgumentException("checkpoint: version " + version + " was written before checkpoints carried"
          + " the checksum chain; this node reads version " + VERSION + " only");
    }
    if (version == 3) {
      throw new IllegalArgumentException("checkpoint: version 3 was written before session tables carried what their"
          + " expiry needs; this node reads version " + VERSION + " only");
    }
    if (version != VERSION) {
      throw new IllegalArgumentException("checkpoint: unknown version " + version);
    }
    long next = r.readLong();
    byte[] state = r.readBytes();
    byte[] sessions = r.readBytes();
    int membershipAt = r.position() + 4;
    byte[] membership = r.readBytes();
    int chain = r.readInt();
    r.expectEnd();
    return new Checkpoint(next, state, sessions, membership.length == 0 ? null : membership(membership, membershipAt),
        chain);
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
