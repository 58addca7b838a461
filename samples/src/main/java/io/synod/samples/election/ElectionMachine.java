package io.synod.samples.election;

import io.synod.actors.ReplicatedStateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The election group's state: the record of the master's job runs. */
public final class ElectionMachine implements ReplicatedStateMachine<ElectionCommand, JobRecord> {

  private JobRecord record = JobRecord.NONE;

  @Override
  public JobRecord apply(long instance, ElectionCommand command) {
    if (command instanceof ElectionCommand.JobRan r) {
      record = new JobRecord(record.runs() + 1, r.node());
    }
    return record;
  }

  @Override
  public JobRecord read(ElectionCommand query) {
    return record;
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeLong(record.runs());
    data.writeInt(record.lastRunner());
  }

  @Override
  public void restore(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    record = new JobRecord(data.readLong(), data.readInt());
  }
}
