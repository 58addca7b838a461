package io.synod.samples.counter;

import io.synod.actors.ReplicatedStateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The replicated counter: one {@code long}, incremented by commands, read by queries. */
public final class CounterMachine implements ReplicatedStateMachine<CounterCommand, Long> {

  private long value;

  @Override
  public Long apply(long instance, CounterCommand command) {
    if (command instanceof CounterCommand.Increment i) {
      value = Math.addExact(value, i.by()); // an overflow is refused, the same on every replica
    }
    return value;
  }

  @Override
  public Long read(CounterCommand query) {
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
