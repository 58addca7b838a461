package io.synod.paxos;

import java.util.Arrays;

/** Big-endian encoding for the core's own byte formats (snapshots, sessions), with bounds checks. */
final class Wire {

  private Wire() {}

  static final class Writer {
    private byte[] buf = new byte[64];
    private int size;

    Writer writeByte(int v) {
      ensure(1);
      buf[size++] = (byte) v;
      return this;
    }

    Writer writeInt(int v) {
      ensure(4);
      Value.writeInt(buf, size, v);
      size += 4;
      return this;
    }

    Writer writeLong(long v) {
      ensure(8);
      Value.writeLong(buf, size, v);
      size += 8;
      return this;
    }

    Writer writeBytes(byte[] b) {
      writeInt(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
      return this;
    }

    int size() {
      return size;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }

    private void ensure(int n) {
      if (size + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
      }
    }
  }

  /**
   * A bounds-checked reader over {@code buf[0, end)}. Every length and count is checked against the
   * bytes that remain before anything is allocated for it, and every failure is an {@link
   * IllegalArgumentException} naming what is read ({@code what}) and the byte offset.
   */
  static final class Reader {
    private final byte[] buf;
    private final int end;
    private final String what;
    private int pos;

    Reader(byte[] buf, int end, String what) {
      if (buf == null || end < 0 || end > buf.length) {
        throw new IllegalArgumentException(what + ": no bytes to read, or end " + end + " outside them");
      }
      this.buf = buf;
      this.end = end;
      this.what = what;
    }

    int readByte() {
      need(1);
      return buf[pos++];
    }

    int readInt() {
      need(4);
      int v = Value.readInt(buf, pos);
      pos += 4;
      return v;
    }

    long readLong() {
      need(8);
      long v = Value.readLong(buf, pos);
      pos += 8;
      return v;
    }

    byte[] readBytes() {
      int at = pos;
      int n = readInt();
      if (n < 0 || n > remaining()) {
        throw new IllegalArgumentException(what + ": length " + n + " at byte " + at + " overruns the " + remaining()
            + " bytes that follow it");
      }
      byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return b;
    }

    /**
     * A count of elements that each take at least {@code minElementBytes}: checked against the
     * bytes that remain, so a caller may size a collection by it.
     */
    int readCount(int minElementBytes, String elements) {
      int at = pos;
      int n = readInt();
      if (n < 0 || n > remaining() / minElementBytes) {
        throw new IllegalArgumentException(what + ": " + n + " " + elements + " at byte " + at + " cannot fit in the "
            + remaining() + " bytes that follow (each takes at least " + minElementBytes + ")");
      }
      return n;
    }

    int position() {
      return pos;
    }

    int remaining() {
      return end - pos;
    }

    void expectEnd() {
      if (pos != end) {
        throw new IllegalArgumentException(what + ": " + (end - pos) + " unexpected trailing bytes after byte " + pos);
      }
    }

    private void need(int n) {
      // Not pos + n > end: that overflows for a length near Integer.MAX_VALUE.
      if (n > end - pos) {
        throw new IllegalArgumentException(what + ": truncated, needs " + n + " bytes at byte " + pos + " of " + end);
      }
    }
  }
}
