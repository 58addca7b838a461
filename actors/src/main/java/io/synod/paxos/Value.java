package io.synod.paxos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * What one instance of the log chooses: an encoded batch of {@link ClientCommand}s (empty for a no-op)
 * with the time the leader proposed it ({@link #stamp}), and the CRC32 of those bytes, computed once
 * when the value is proposed. The checksum travels with the value; every receiver calls {@link
 * #verify} before it stores or applies it.
 *
 * <p>Encoding (big-endian): {@code version:1 (2), stamp:8, count:4, then per command clientId:8
 * sequence:8 length:4 payload}; the top bit of {@code length} marks a membership change. Values of
 * version 1, written before values carried a stamp ({@code version:1, count:4, commands}), are still
 * read, with stamp 0: a journal or a peer may hold them.
 */
public final class Value {

  private static final byte VERSION = 2;
  /** The format before the stamp: a journal or a peer may still hold values of it. */
  private static final byte UNSTAMPED = 1;
  private static final int HEADER = 1 + 8 + 4;
  private static final int UNSTAMPED_HEADER = 1 + 4;
  private static final int MEMBERSHIP_BIT = 0x8000_0000;

  /**
   * What a message spends on one entry besides its value's bytes (instance, ballot, checksum,
   * lengths), rounded up: messages are split by their values' bytes plus this per entry, so that
   * many small or empty values (no-ops) cannot add up past the transport's frame either.
   */
  public static final int ENTRY_OVERHEAD_BYTES = 64;
  private static final Value NOOP = encode(List.of(), 0);

  private final byte[] bytes;
  private final int crc;

  private Value(byte[] bytes, int crc) {
    this.bytes = bytes;
    this.crc = crc;
  }

  /** The value that fills a hole in the log: it applies nothing. */
  public static Value noop() {
    return NOOP;
  }

  /** Encodes a batch of commands, unstamped (stamp 0), and computes its checksum. */
  public static Value of(List<ClientCommand> commands) {
    return encode(commands, 0);
  }

  /**
   * Encodes a batch of commands stamped {@code stampMillis}, the proposing leader's wall-clock time
   * in milliseconds since the epoch (0: no time), and computes its checksum. The stamps of the
   * values applied make the log's time, which decides when sessions expire (see {@code Sessions}).
   *
   * @throws IllegalArgumentException if {@code stampMillis} is negative
   */
  public static Value of(List<ClientCommand> commands, long stampMillis) {
    if (stampMillis < 0) {
      throw new IllegalArgumentException("a value's stamp must be >= 0, got " + stampMillis);
    }
    return encode(commands, stampMillis);
  }

  /**
   * A value as it arrived from elsewhere (the network, the journal); call {@link #verify} before
   * trusting it.
   */
  public static Value fromWire(byte[] bytes, int crc) {
    if (bytes == null) {
      throw new IllegalArgumentException("value bytes must not be null");
    }
    return new Value(bytes, crc);
  }

  public static int checksum(byte[] bytes) {
    CRC32 crc32 = new CRC32();
    crc32.update(bytes, 0, bytes.length);
    return (int) crc32.getValue();
  }

  /** True when the bytes still match the checksum computed when the value was proposed. */
  public boolean isIntact() {
    return checksum(bytes) == crc;
  }

  /**
   * Checks the value against its checksum, and that it is a well-formed batch: every count and
   * length inside fits in the bytes that follow it (a crafted value with a valid checksum must not
   * make a receiver allocate what its bytes cannot hold).
   *
   * @throws CorruptValueException naming group, instance and sender on a mismatch or a malformed batch
   */
  public Value verify(String group, long instance, int sender) {
    if (!isIntact()) {
      throw new CorruptValueException(group, instance, sender, crc, checksum(bytes));
    }
    String problem = malformation();
    if (problem != null) {
      throw new CorruptValueException(group, instance, sender, problem);
    }
    return this;
  }

  /**
   * Why the bytes are not a well-formed batch (one that {@link #commands} decodes), or null; walks
   * the headers without allocating.
   */
  private String malformation() {
    int header = header();
    if (header < 0) {
      return "not an encoded command batch (" + bytes.length + " bytes, version " + (bytes.length > 0 ? bytes[0] : -1)
          + ")";
    }
    if (stamp() < 0) {
      return "its stamp " + stamp() + " is negative";
    }
    int count = readInt(bytes, header - 4);
    if (count < 0 || count > (bytes.length - header) / 20) {
      return "a batch of " + count + " commands cannot fit in " + bytes.length + " bytes";
    }
    int p = header;
    for (int i = 0; i < count; i++) {
      if (p + 20 > bytes.length) {
        return "command " + i + " of " + count + " overruns the value at byte " + p;
      }
      long sequence = readLong(bytes, p + 8);
      if (sequence < 1) {
        return "command " + i + " has sequence " + sequence + " (a command's sequence is >= 1)";
      }
      int length = readInt(bytes, p + 16) & ~MEMBERSHIP_BIT;
      p += 20;
      if (length > bytes.length - p) {
        return "command " + i + " claims " + length + " bytes, " + (bytes.length - p) + " remain";
      }
      p += length;
    }
    return p == bytes.length ? null : (bytes.length - p) + " trailing bytes after the commands";
  }

  /**
   * How many bytes come before the first command (the version, the stamp if any, the count), or -1
   * if the bytes are of no known version or too short for its header.
   */
  private int header() {
    int header = bytes.length == 0 ? -1 : bytes[0] == VERSION ? HEADER : bytes[0] == UNSTAMPED ? UNSTAMPED_HEADER : -1;
    return header > bytes.length ? -1 : header;
  }

  /**
   * When the leader proposed this value, in milliseconds since the epoch by its wall clock; 0 for a
   * no-op filling a hole, a value of the format before stamps, or a leader that had no time to give.
   */
  public long stamp() {
    return bytes.length >= HEADER && bytes[0] == VERSION ? readLong(bytes, 1) : 0;
  }

  /** The wire form of the value: do not modify. */
  public byte[] bytes() {
    return bytes;
  }

  public int crc() {
    return crc;
  }

  public int size() {
    return bytes.length;
  }

  /** Whether this value holds no command (a no-op fills a hole in the log), whatever its stamp and version. */
  public boolean isNoop() {
    int header = header();
    return header > 0 && bytes.length == header && readInt(bytes, header - 4) == 0;
  }

  /** The commands of this batch, in proposal order. The value must be intact. */
  public List<ClientCommand> commands() {
    int header = header();
    if (header < 0) {
      throw new IllegalStateException("value is not an encoded command batch (version " + (bytes.length > 0 ? bytes[0] : -1) + ")");
    }
    int count = readInt(bytes, header - 4);
    if (count < 0 || count > (bytes.length - header) / 20) {
      // Checked before allocating: a count its bytes cannot hold is no batch.
      throw new IllegalStateException("a batch of " + count + " commands cannot fit in " + bytes.length + " bytes");
    }
    List<ClientCommand> out = new ArrayList<>(count);
    int p = header;
    for (int i = 0; i < count; i++) {
      if (p + 20 > bytes.length) {
        throw new IllegalStateException("command " + i + " of batch overruns the value at byte " + p);
      }
      long clientId = readLong(bytes, p);
      long sequence = readLong(bytes, p + 8);
      int field = readInt(bytes, p + 16);
      int length = field & ~MEMBERSHIP_BIT;
      p += 20;
      if (length > bytes.length - p) {
        throw new IllegalStateException("command " + i + " of batch overruns the value (length " + length + ")");
      }
      out.add(new ClientCommand(clientId, sequence, Arrays.copyOfRange(bytes, p, p + length), field < 0));
      p += length;
    }
    if (p != bytes.length) {
      throw new IllegalStateException("value has " + (bytes.length - p) + " trailing bytes after its commands");
    }
    return out;
  }

  /**
   * Whether the batch holds a membership change, read from the length fields without copying any
   * payload. The value must be intact; on one that is not, this answers without failing (a length
   * past the end stops the walk), and {@link #verify} says what is wrong.
   */
  public boolean carriesMembershipChange() {
    int header = header();
    if (header < 0) {
      return false;
    }
    int count = readInt(bytes, header - 4);
    int p = header;
    for (int i = 0; i < count && 20 <= bytes.length - p; i++) {
      int field = readInt(bytes, p + 16);
      if (field < 0) {
        return true;
      }
      if (field > bytes.length - p - 20) {
        return false; // not a batch; the int sum below would overflow
      }
      p += 20 + field;
    }
    return false;
  }

  /**
   * The membership after applying this value to {@code before}: each membership change it holds,
   * in order (see {@link Membership#apply}); a change whose payload does not decode changes nothing.
   */
  public Membership membershipAfter(Membership before) {
    if (!carriesMembershipChange()) {
      return before;
    }
    Membership m = before;
    for (ClientCommand c : commands()) {
      if (c.membershipChange()) {
        m = Membership.applyCommand(m, c).membership();
      }
    }
    return m;
  }

  private static Value encode(List<ClientCommand> commands, long stampMillis) {
    int size = HEADER;
    for (ClientCommand c : commands) {
      size += c.encodedSize();
    }
    byte[] out = new byte[size];
    out[0] = VERSION;
    writeLong(out, 1, stampMillis);
    writeInt(out, HEADER - 4, commands.size());
    int p = HEADER;
    for (ClientCommand c : commands) {
      writeLong(out, p, c.clientId());
      writeLong(out, p + 8, c.sequence());
      writeInt(out, p + 16, c.payload().length | (c.membershipChange() ? MEMBERSHIP_BIT : 0));
      p += 20;
      System.arraycopy(c.payload(), 0, out, p, c.payload().length);
      p += c.payload().length;
    }
    return new Value(out, checksum(out));
  }

  static void writeInt(byte[] b, int p, int v) {
    b[p] = (byte) (v >>> 24);
    b[p + 1] = (byte) (v >>> 16);
    b[p + 2] = (byte) (v >>> 8);
    b[p + 3] = (byte) v;
  }

  static void writeLong(byte[] b, int p, long v) {
    writeInt(b, p, (int) (v >>> 32));
    writeInt(b, p + 4, (int) v);
  }

  static int readInt(byte[] b, int p) {
    return ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
  }

  static long readLong(byte[] b, int p) {
    return ((long) readInt(b, p) << 32) | (readInt(b, p + 4) & 0xffffffffL);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Value v && crc == v.crc && Arrays.equals(bytes, v.bytes);
  }

  @Override
  public int hashCode() {
    return crc;
  }

  @Override
  public String toString() {
    if (isNoop() && stamp() == 0) {
      return "Value[noop]";
    }
    return "Value[" + bytes.length + " bytes, crc " + Integer.toHexString(crc)
        + (stamp() == 0 ? "" : ", stamp " + stamp()) + "]";
  }
}
