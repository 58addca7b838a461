package io.synod.samples.kv;

import io.synod.actors.ReplicatedStateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** One shard of the replicated key-value store: the keys whose group this is. */
public final class KvMachine implements ReplicatedStateMachine<KvCommand, KvResult> {

  private final TreeMap<String, byte[]> data = new TreeMap<>();

  @Override
  public KvResult apply(long instance, KvCommand command) {
    String k = command.key();
    if (command instanceof KvCommand.Put p) {
      data.put(k, p.value());
      return new KvResult(true, p.value());
    }
    if (command instanceof KvCommand.Delete) {
      return new KvResult(data.remove(k) != null, null);
    }
    if (command instanceof KvCommand.CompareAndSet s) {
      byte[] current = data.get(k);
      if (current != null && Arrays.equals(current, s.expected())) {
        data.put(k, s.value());
        return new KvResult(true, s.value());
      }
      return new KvResult(false, current);
    }
    return read(command);
  }

  private static byte[] read(DataInputStream d) throws IOException {
    int n = d.readInt();
    if (n < 0) {
      throw new IOException("negative length " + n + " in a key-value snapshot");
    }
    byte[] b = d.readNBytes(n);
    if (b.length != n) {
      throw new IOException("key-value snapshot ends inside an entry");
    }
    return b;
  }

  @Override
  public KvResult read(KvCommand query) {
    byte[] v = data.get(query.key());
    return new KvResult(v != null, v);
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(data.size());
    for (Map.Entry<String, byte[]> e : data.entrySet()) {
      KvCommand.writeBytes(d, e.getKey().getBytes(StandardCharsets.UTF_8));
      KvCommand.writeBytes(d, e.getValue());
    }
    d.flush();
  }

  @Override
  public void restore(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    int n = d.readInt();
    data.clear();
    for (int i = 0; i < n; i++) {
      data.put(new String(read(d), StandardCharsets.UTF_8), read(d));
    }
  }
}
