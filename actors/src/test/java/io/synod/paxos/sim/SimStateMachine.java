package io.synod.paxos.sim;

import io.synod.paxos.StateMachine;

/**
 * A deterministic state machine whose whole state is a count of applied commands and a rolling
 * hash of them, in order: equal hashes at equal prefixes mean equal states.
 */
final class SimStateMachine implements StateMachine {

  private long count;
  private long hash = 0x9E3779B97F4A7C15L;

  @Override
  public byte[] apply(long instance, byte[] command) {
    count++;
    long h = hash;
    for (byte b : command) {
      h = (h ^ b) * 0x100000001B3L;
    }
    hash = Long.rotateLeft(h, 17) ^ count;
    return encode(count, hash);
  }

  @Override
  public byte[] read(byte[] query) {
    return encode(count, hash);
  }

  @Override
  public byte[] snapshot() {
    return encode(count, hash);
  }

  @Override
  public void restore(byte[] snapshot) {
    count = decodeFirst(snapshot);
    hash = decodeSecond(snapshot);
  }

  long hash() {
    return hash;
  }

  static byte[] encode(long a, long b) {
    byte[] out = new byte[16];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (a >>> (56 - 8 * i));
      out[8 + i] = (byte) (b >>> (56 - 8 * i));
    }
    return out;
  }

  static long decodeFirst(byte[] b) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  static long decodeSecond(byte[] b) {
    long v = 0;
    for (int i = 8; i < 16; i++) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }
}
