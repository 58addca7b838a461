package io.synod.samples.bench;

import io.synod.actors.Codec;
import io.synod.actors.ReplicatedStateMachine;
import io.synod.actors.SynodGroup;
import io.synod.bootstrap.GroupType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The benchmark's groups: commands are opaque bytes of the size being measured; the state machine
 * only counts them and answers one byte, so that the benchmark measures replication, not the
 * application.
 */
public final class BenchType implements GroupType {

  static final Codec<byte[]> BYTES = Codec.of(b -> b, b -> b);

  /** Counts applied commands. */
  static final class Counting implements ReplicatedStateMachine<byte[], byte[]> {
    private long applied;

    @Override
    public byte[] apply(long instance, byte[] command) {
      applied++;
      return new byte[] {1};
    }

    @Override
    public byte[] read(byte[] query) {
      return ByteBuffer.allocate(8).putLong(applied).array();
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
      out.write(ByteBuffer.allocate(8).putLong(applied).array());
    }

    @Override
    public void restore(InputStream in) throws IOException {
      byte[] b = in.readNBytes(8);
      if (b.length != 8) {
        throw new IOException("a benchmark snapshot is 8 bytes, got " + b.length);
      }
      applied = ByteBuffer.wrap(b).getLong();
    }
  }

  @Override
  public SynodGroup<byte[], byte[]> define(String groupId) {
    return SynodGroup.of(groupId, BYTES, BYTES, Counting::new);
  }
}
