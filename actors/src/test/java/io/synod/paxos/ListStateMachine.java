package io.synod.paxos;

import java.util.ArrayList;
import java.util.List;

/**
 * The tests' replicated state machine: it appends each command's payload to a list and answers
 * with the list's new size, so a result tells which application produced it. A read answers the
 * list joined by commas.
 */
final class ListStateMachine implements StateMachine {

  final List<String> applied = new ArrayList<>();
  int applyCalls;

  @Override
  public byte[] apply(long instance, byte[] command) {
    applyCalls++;
    applied.add(Fixtures.string(command));
    return Fixtures.bytes(Integer.toString(applied.size()));
  }

  @Override
  public byte[] read(byte[] query) {
    return Fixtures.bytes(Fixtures.string(query) + ":" + String.join(",", applied));
  }

  @Override
  public byte[] snapshot() {
    Wire.Writer w = new Wire.Writer().writeInt(applied.size());
    for (String s : applied) {
      w.writeBytes(Fixtures.bytes(s));
    }
    return w.toByteArray();
  }

  @Override
  public void restore(byte[] snapshot) {
    Wire.Reader r = new Wire.Reader(snapshot, snapshot.length, "list snapshot");
    applied.clear();
    int n = r.readInt();
    for (int i = 0; i < n; i++) {
      applied.add(Fixtures.string(r.readBytes()));
    }
    r.expectEnd();
  }
}
