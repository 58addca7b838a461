package io.synod.bootstrap;

import io.synod.actors.Codec;
import io.synod.actors.ReplicatedStateMachine;
import io.synod.actors.SynodGroup;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A counter group type for the bootstrap tests: a command adds its amount, the result is the value. */
public final class CounterType implements GroupType {

  static final class Counter implements ReplicatedStateMachine<Long, Long> {
    private long value;

    @Override
    public Long apply(long instance, Long amount) {
      value += amount;
      return value;
    }

    @Override
    public Long read(Long query) {
      return value;
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
      new DataOutputStream(out).writeLong(value);
    }

    @Override
    public void restore(InputStream in) throws IOException {
      value = new DataInputStream(in).readLong();
    }
  }

  @Override
  public SynodGroup<?, ?> define(String groupId) {
    return SynodGroup.of(groupId, Codec.int64(), Codec.int64(), Counter::new);
  }
}
