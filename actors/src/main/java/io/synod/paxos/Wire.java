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

  static final class Reader {
    private final byte[] buf;
    private final int end;
    private final String what;
    private int pos;

    Reader(byte[] buf, int end, String what) {
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
      int n = readInt();
      if (n < 0) {
        throw new IllegalArgumentException(what + ": negative length " + n + " at byte " + (pos - 4));
      }
      need(n);
      byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return b;
    }

    int position() {
      return pos;
    }

    void expectEnd() {
      if (pos != end) {
        throw new IllegalArgumentException(what + ": " + (end - pos) + " unexpected trailing bytes");
      }
    }

    private void need(int n) {
      if (pos + n > end) {
        throw new IllegalArgumentException(what + ": truncated, needs " + n + " bytes at byte " + pos + " of " + end);
      }
    }
  }
}
