package io.synod.actors;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a group's commands or results become bytes and back. Every node of a group must use the same
 * codec: the bytes are what is replicated, stored and compared. {@link #decode} throws {@link
 * IllegalArgumentException} for bytes that are not a valid encoding.
 */
public interface Codec<T> {

  byte[] encode(T value);

  T decode(byte[] bytes);

  /** A codec from two functions. */
  static <T> Codec<T> of(Function<T, byte[]> encode, Function<byte[], T> decode) {
    Objects.requireNonNull(encode, "encode");
    Objects.requireNonNull(decode, "decode");
    return new Codec<>() {
      @Override
      public byte[] encode(T value) {
        return encode.apply(value);
      }

      @Override
      public T decode(byte[] bytes) {
        return decode.apply(bytes);
      }
    };
  }

  /** UTF-8 strings; malformed input is refused rather than replaced. */
  static Codec<String> utf8() {
    return of(s -> s.getBytes(StandardCharsets.UTF_8), b -> {
      try {
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new IllegalArgumentException("not valid UTF-8: " + b.length + " bytes", e);
      }
    });
  }

  /** A {@code long} as 8 big-endian bytes. */
  static Codec<Long> int64() {
    return of(v -> ByteBuffer.allocate(8).putLong(v).array(), b -> {
      if (b.length != 8) {
        throw new IllegalArgumentException("a long takes 8 bytes, got " + b.length);
      }
      return ByteBuffer.wrap(b).getLong();
    });
  }
}
