package io.synod.samples.election;

import io.synod.actors.Codec;
import java.nio.ByteBuffer;

/**
 * The replicated record of the master's job: how many runs the log holds, and which node ran the
 * last one (-1 before the first).
 */
public record JobRecord(long runs, int lastRunner) {

  public static final JobRecord NONE = new JobRecord(0, -1);

  /** The runs as 8 big-endian bytes, then the last runner as 4. */
  public static final Codec<JobRecord> CODEC = Codec.of(
      r -> ByteBuffer.allocate(12).putLong(r.runs()).putInt(r.lastRunner()).array(),
      b -> {
        if (b.length != 12) {
          throw new IllegalArgumentException("not a job record: " + b.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(b);
        return new JobRecord(in.getLong(), in.getInt());
      });
}
