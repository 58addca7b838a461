package io.synod.samples.election;

import io.synod.actors.Codec;
import java.nio.ByteBuffer;

/** What the election group's log records: a run of the master's job, or a question. */
public sealed interface ElectionCommand {

  /** Node {@code node} ran the job as master; the result is the log's record after it. */
  record JobRan(int node) implements ElectionCommand {}

  /** Changes nothing; the result is the record. */
  record Get() implements ElectionCommand {}

  /** One tag byte (1 job ran, 2 get), then for a run the node as 4 big-endian bytes. */
  Codec<ElectionCommand> CODEC = Codec.of(c -> c instanceof JobRan r
          ? ByteBuffer.allocate(5).put((byte) 1).putInt(r.node()).array()
          : new byte[] {2},
      b -> {
        if (b.length == 5 && b[0] == 1) {
          return new JobRan(ByteBuffer.wrap(b, 1, 4).getInt());
        }
        if (b.length == 1 && b[0] == 2) {
          return new Get();
        }
        throw new IllegalArgumentException("not an election command: " + b.length + " bytes");
      });
}
