package io.synod.paxos;

import io.synod.paxos.Applied.Outcome;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exactly-once table: per client, the results of its latest {@code window} applied commands.
 * A command seen before gets its first result again; one older than the window is expired and not
 * applied. It changes only as commands are applied in log order, so every replica holds the same
 * table, and it is part of every {@link Checkpoint}.
 */
final class Sessions {

  private final int window;
  private final TreeMap<Long, Session> byClient = new TreeMap<>();

  private static final class Session {
    /** Every sequence at or below this was applied and forgotten, or is refused. */
    long floor;
    final TreeMap<Long, byte[]> results = new TreeMap<>();
  }

  Sessions(int window) {
    this.window = window;
  }

  Applied apply(long instance, Command command, StateMachine stateMachine) {
    return apply(instance, command, () -> stateMachine.apply(instance, command.payload()));
  }

  /** As above, {@code result} giving the command's result if it is to be applied now. */
  Applied apply(long instance, Command command, java.util.function.Supplier<byte[]> result) {
    Session s = byClient.computeIfAbsent(command.clientId(), id -> new Session());
    byte[] earlier = s.results.get(command.sequence());
    if (earlier != null) {
      return new Applied(instance, command.clientId(), command.sequence(), Outcome.DUPLICATE, earlier);
    }
    if (command.sequence() <= s.floor) {
      return new Applied(instance, command.clientId(), command.sequence(), Outcome.EXPIRED, null);
    }
    byte[] answer = result.get();
    if (answer == null) {
      throw new IllegalStateException("state machine returned null for command " + command + " at instance " + instance);
    }
    s.results.put(command.sequence(), answer);
    if (s.results.size() > window) {
      s.floor = s.results.pollFirstEntry().getKey();
    }
    return new Applied(instance, command.clientId(), command.sequence(), Outcome.APPLIED, answer);
  }

  byte[] encode() {
    Wire.Writer w = new Wire.Writer().writeInt(byClient.size());
    for (Map.Entry<Long, Session> e : byClient.entrySet()) {
      w.writeLong(e.getKey()).writeLong(e.getValue().floor).writeInt(e.getValue().results.size());
      for (Map.Entry<Long, byte[]> r : e.getValue().results.entrySet()) {
        w.writeLong(r.getKey()).writeBytes(r.getValue());
      }
    }
    return w.toByteArray();
  }

  static Sessions decode(byte[] bytes, int window) {
    Sessions s = new Sessions(window);
    Wire.Reader r = new Wire.Reader(bytes, bytes.length, "session table");
    int clients = r.readInt();
    for (int i = 0; i < clients; i++) {
      Session session = new Session();
      long clientId = r.readLong();
      session.floor = r.readLong();
      int n = r.readInt();
      for (int j = 0; j < n; j++) {
        session.results.put(r.readLong(), r.readBytes());
      }
      s.byClient.put(clientId, session);
    }
    r.expectEnd();
    return s;
  }
}
