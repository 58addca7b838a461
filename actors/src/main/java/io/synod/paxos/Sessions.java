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

  /** A client's entry takes at least its id, floor and result count; a result its sequence and length. */
  private static final int CLIENT_MIN_BYTES = 8 + 8 + 4;
  private static final int RESULT_MIN_BYTES = 8 + 4;

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

  Applied apply(long instance, ClientCommand command, StateMachine stateMachine) {
    return apply(instance, command, () -> stateMachine.apply(instance, command.payload()));
  }

  /** As above, {@code result} giving the command's result if it is to be applied now. */
  Applied apply(long instance, ClientCommand command, java.util.function.Supplier<byte[]> result) {
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

  /**
   * The table {@link #encode} wrote. It comes from a checkpoint, perhaps a peer's: every count is
   * checked against the bytes that remain before anything is built, and clients and sequences must
   * ascend as {@link #encode} writes them (a client or sequence listed twice is refused, not merged).
   *
   * @throws IllegalArgumentException naming the defect and its byte offset
   */
  static Sessions decode(byte[] bytes, int window) {
    Sessions s = new Sessions(window);
    Wire.Reader r = new Wire.Reader(bytes, bytes == null ? 0 : bytes.length, "session table");
    int clients = r.readCount(CLIENT_MIN_BYTES, "clients");
    for (int i = 0; i < clients; i++) {
      int at = r.position();
      long clientId = r.readLong();
      if (!s.byClient.isEmpty() && clientId <= s.byClient.lastKey()) {
        throw new IllegalArgumentException("session table: client " + clientId + " at byte " + at + " follows client "
            + s.byClient.lastKey() + " (clients ascend, each once)");
      }
      Session session = new Session();
      session.floor = r.readLong();
      int n = r.readCount(RESULT_MIN_BYTES, "results of client " + clientId);
      for (int j = 0; j < n; j++) {
        int sequenceAt = r.position();
        long sequence = r.readLong();
        if (!session.results.isEmpty() && sequence <= session.results.lastKey()) {
          throw new IllegalArgumentException("session table: sequence " + sequence + " of client " + clientId
              + " at byte " + sequenceAt + " follows sequence " + session.results.lastKey() + " (sequences ascend)");
        }
        session.results.put(sequence, r.readBytes());
      }
      s.byClient.put(clientId, session);
    }
    r.expectEnd();
    return s;
  }
}
