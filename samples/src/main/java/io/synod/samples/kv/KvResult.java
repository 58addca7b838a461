package io.synod.samples.kv;

import io.synod.actors.Codec;
import java.nio.ByteBuffer;

/**
 * The answer to a {@link KvCommand}: {@code ok} (a get found the key, a delete removed one, a
 * compare-and-set matched; always true for a put) and the key's value after the command, or null
 * if it has none.
 */
public record KvResult(boolean ok, byte[] value) {

  /** A flag byte (bit 0 ok, bit 1 has a value), then the value. */
  public static final Codec<KvResult> CODEC = Codec.of(
      r -> {
        byte[] v = r.value() == null ? new byte[0] : r.value();
        return ByteBuffer.allocate(1 + v.length).put((byte) ((r.ok() ? 1 : 0) | (r.value() != null ? 2 : 0))).put(v)
            .array();
      },
      b -> {
        if (b.length < 1 || (b[0] & ~3) != 0 || (b[0] & 2) == 0 && b.length != 1) {
          throw new IllegalArgumentException("not a key-value result: " + b.length + " bytes");
        }
        byte[] v = (b[0] & 2) != 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : null;
        return new KvResult((b[0] & 1) != 0, v);
      });
}
