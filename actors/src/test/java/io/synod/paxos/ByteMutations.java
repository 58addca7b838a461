package io.synod.paxos;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How the fuzz tests damage well-formed bytes: a bit flip, a truncation, an extension with random
 * bytes, a count or length inflated past what remains (or to a hostile value), or a splice of the
 * bytes' own pieces. Shared by the serializer's and the checkpoint's fuzz tests.
 */
public final class ByteMutations {

  /** Counts and lengths that have hurt decoders elsewhere: the extremes, -1, and just too large. */
  public static final int[] HOSTILE_INTS = {Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0x7FFF_FFF0, 1 << 24};

  private ByteMutations() {}

  /** One mutation of {@code in}, chosen by {@code random}; {@code in} is left as it was. */
  public static byte[] mutate(byte[] in, SplittableRandom random) {
    byte[] b = in.clone();
    if (b.length < 5) {
      return Arrays.copyOf(b, b.length + 1 + random.nextInt(4));
    }
    switch (random.nextInt(5)) {
      case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
      case 1 -> b = Arrays.copyOf(b, 1 + random.nextInt(b.length - 1));
      case 2 -> {
        b = Arrays.copyOf(b, b.length + 1 + random.nextInt(16));
        for (int i = in.length; i < b.length; i++) {
          b[i] = (byte) random.nextInt();
        }
      }
      case 3 -> {
        int at = random.nextInt(b.length - 3);
        int remaining = b.length - at - 4;
        int[] claims = {HOSTILE_INTS[random.nextInt(HOSTILE_INTS.length)], remaining + 1,
            remaining + 1 + random.nextInt(64), remaining / (1 + random.nextInt(24)) + 1, random.nextInt()};
        ByteBuffer.wrap(b).putInt(at, claims[random.nextInt(claims.length)]);
      }
      default -> {
        int length = 1 + random.nextInt(Math.min(16, b.length - 1));
        System.arraycopy(in, random.nextInt(b.length - length + 1), b, random.nextInt(b.length - length + 1), length);
      }
    }
    return b;
  }
}
