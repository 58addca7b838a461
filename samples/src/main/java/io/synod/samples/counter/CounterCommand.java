package io.synod.samples.counter;

import io.synod.actors.Codec;
import java.nio.ByteBuffer;

/** What the replicated counter is asked: add an amount, or tell its value. */
public sealed interface CounterCommand {

  /** Adds {@code by} (which may be negative); the result is the value after it. */
  record Increment(long by) implements CounterCommand {}

  /** Changes nothing; the result is the value. */
  record Get() implements CounterCommand {}

  /** One tag byte (1 increment, 2 get), then for an increment its amount as 8 big-endian bytes. */
  Codec<CounterCommand> CODEC = Codec.of(c -> c instanceof Increment i
          ? ByteBuffer.allocate(9).put((byte) 1).putLong(i.by()).array()
          : new byte[] {2},
      b -> {
        if (b.length == 9 && b[0] == 1) {
          return new Increment(ByteBuffer.wrap(b, 1, 8).getLong());
        }
        if (b.length == 1 && b[0] == 2) {
          return new Get();
        }
        throw new IllegalArgumentException("not a counter command: " + b.length + " bytes");
      });
}
