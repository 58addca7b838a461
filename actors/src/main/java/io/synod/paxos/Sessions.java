package io.synod.paxos;

import io.synod.paxos.Applied.Outcome;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The exactly-once table: per client session, the results of its latest {@code sessionWindow}
 * applied commands (a command seen before gets its first result again; one below the window is not
 * applied), and the expiry of sessions. It changes only as instances are applied in log order, and
 * decides from the log alone, so every replica holds the same table at every instance; it is part
 * of every {@link Checkpoint}.
 *
 * <p><b>Expiry.</b> The log's time is the highest {@link Value#stamp} of the values applied so far
 * (it never goes back, whatever the clocks of successive leaders). Before an instance's commands are
 * applied, every session none of whose commands was applied for more than {@code
 * sessionExpiryMillis} of that time expires; and when a new session would make more than {@code
 * maxSessions}, the least recently used one expires (sessions are kept in the order of their last
 * use, which is log order).
 *
 * <p><b>What an expired session leaves.</b> Only one number: {@link #expiredThrough}, the highest
 * sequence any expired session had applied. A command whose session the table does not hold is
 * refused ({@link Outcome#SESSION_EXPIRED}, not applied) if its sequence is at or below it: it may
 * belong to a session that expired after applying it, and the table can no longer tell. Above it,
 * the command cannot have been applied before (every sequence an expired session applied is at or
 * below it), so it opens a session. Clients start each session's sequences at their wall-clock time
 * in nanoseconds, so a new session starts above what every session expired before it applied; one
 * whose clock lags is refused once, and the refusal tells it where to start. A session opened so
 * remembers the number as it was then: its own sequences at or below it are refused too. Membership
 * changes are the exception: applying one again changes nothing ({@link Membership#apply}), so one
 * of a session the table cannot vouch for is applied and answered without the table.
 */
final class Sessions {

  /**
   * A session's entry takes at least its id, three sequences and times, and its result count; a
   * result its sequence and length.
   */
  private static final int SESSION_MIN_BYTES = 8 + 8 + 8 + 8 + 4;
  private static final int RESULT_MIN_BYTES = 8 + 4;

  private final int window;
  private final long expiryMillis;
  private final int maxSessions;
  /** The highest stamp of the values applied: the log's time, in milliseconds. */
  private long logTime;
  /** The highest sequence any expired session applied: see the class comment. */
  private long expiredThrough;
  /** How many sessions the log has expired so far. */
  private long expired;
  /** The sessions, least recently used first. */
  private final LinkedHashMap<Long, Session> byClient = new LinkedHashMap<>();

  private static final class Session {
    /** Sequences at or below this may belong to an earlier session of this client id, which expired. */
    long openedAbove;
    /** Every sequence at or below this was applied and forgotten, or is refused. */
    long floor;
    /** The log's time when a command of this session was last applied or answered. */
    long lastUsed;
    final TreeMap<Long, byte[]> results = new TreeMap<>();

    /** The highest sequence this session applied (or refused below its window). */
    long highest() {
      return results.isEmpty() ? floor : Math.max(floor, results.lastKey());
    }
  }

  Sessions(Tuning tuning) {
    this.window = tuning.sessionWindow();
    this.expiryMillis = tuning.sessionExpiryMillis();
    this.maxSessions = tuning.maxSessions();
  }

  /**
   * The next instance to apply is stamped {@code stamp}: the log's time becomes the higher of the
   * two, and the sessions idle for longer than the expiry expire. Called once per instance, before
   * its commands, whatever they are (a no-op too).
   *
   * @return how many sessions expired
   */
  int advance(long stamp) {
    logTime = Math.max(logTime, stamp);
    int count = 0;
    Iterator<Session> lru = byClient.values().iterator();
    while (lru.hasNext()) {
      Session s = lru.next();
      if (logTime - s.lastUsed <= expiryMillis) {
        break; // the rest were used later still
      }
      expire(lru, s);
      count++;
    }
    return count;
  }

  Applied apply(long instance, ClientCommand command, StateMachine stateMachine) {
    return apply(instance, command, () -> stateMachine.apply(instance, command.payload()));
  }

  /** As above, {@code result} giving the command's result if it is to be applied now. */
  Applied apply(long instance, ClientCommand command, Supplier<byte[]> result) {
    long sequence = command.sequence();
    Session s = byClient.get(command.clientId());
    boolean opened = false;
    if (s == null && sequence > expiredThrough) {
      s = new Session();
      s.openedAbove = expiredThrough;
      s.floor = expiredThrough;
      byClient.put(command.clientId(), s);
      opened = true;
    } else if (s == null || sequence <= s.openedAbove) {
      if (command.membershipChange()) {
        return new Applied(instance, command.clientId(), sequence, Outcome.APPLIED, answer(instance, command, result));
      }
      return Applied.sessionExpired(instance, command.clientId(), sequence, expiredThrough);
    }
    touch(command.clientId(), s);
    Applied applied = applyIn(s, instance, command, result);
    if (opened && byClient.size() > maxSessions) {
      Iterator<Session> lru = byClient.values().iterator();
      expire(lru, lru.next()); // not the one just opened: it was used last
    }
    return applied;
  }

  private Applied applyIn(Session s, long instance, ClientCommand command, Supplier<byte[]> result) {
    long sequence = command.sequence();
    byte[] earlier = s.results.get(sequence);
    if (earlier != null) {
      return new Applied(instance, command.clientId(), sequence, Outcome.DUPLICATE, earlier);
    }
    if (sequence <= s.floor) {
      return new Applied(instance, command.clientId(), sequence, Outcome.BELOW_WINDOW, null);
    }
    byte[] answer = answer(instance, command, result);
    s.results.put(sequence, answer);
    if (s.results.size() > window) {
      s.floor = s.results.pollFirstEntry().getKey();
    }
    return new Applied(instance, command.clientId(), sequence, Outcome.APPLIED, answer);
  }

  private static byte[] answer(long instance, ClientCommand command, Supplier<byte[]> result) {
    byte[] answer = result.get();
    if (answer == null) {
      throw new IllegalStateException("state machine returned null for command " + command + " at instance " + instance);
    }
    return answer;
  }

  /** {@code s} was used now: it becomes the most recently used. */
  private void touch(long clientId, Session s) {
    s.lastUsed = logTime;
    byClient.remove(clientId);
    byClient.put(clientId, s);
  }

  /** Forgets {@code s}, which {@code at} just returned: every sequence it applied is refused from now on. */
  private void expire(Iterator<Session> at, Session s) {
    expiredThrough = Math.max(expiredThrough, s.highest());
    at.remove();
    expired++;
  }

  /** The log's time: the highest stamp of the values applied, in milliseconds since the epoch. */
  long logTime() {
    return logTime;
  }

  /** Every sequence at or below this, of a session the table does not hold, is refused. */
  long expiredThrough() {
    return expiredThrough;
  }

  /** How many sessions the table holds. */
  int size() {
    return byClient.size();
  }

  /** How many sessions the log has expired so far (up to the instance applied last). */
  long expired() {
    return expired;
  }

  /**
   * The table as bytes (big-endian): {@code logTime:8 expiredThrough:8 expired:8 count:4}, then per
   * session, least recently used first, {@code clientId:8 openedAbove:8 floor:8 lastUsed:8
   * results:4} and per result, sequences ascending, {@code sequence:8 length:4 bytes}.
   */
  byte[] encode() {
    Wire.Writer w = new Wire.Writer().writeLong(logTime).writeLong(expiredThrough).writeLong(expired)
        .writeInt(byClient.size());
    for (Map.Entry<Long, Session> e : byClient.entrySet()) {
      Session s = e.getValue();
      w.writeLong(e.getKey()).writeLong(s.openedAbove).writeLong(s.floor).writeLong(s.lastUsed)
          .writeInt(s.results.size());
      for (Map.Entry<Long, byte[]> r : s.results.entrySet()) {
        w.writeLong(r.getKey()).writeBytes(r.getValue());
      }
    }
    return w.toByteArray();
  }

  /**
   * The table {@link #encode} wrote. It comes from a checkpoint, perhaps a peer's: every count is
   * checked against the bytes that remain before anything is built, a client listed twice is
   * refused (not merged), sessions must come least recently used first and none used after the
   * log's time, each session's sequences must ascend above its floor, and its floor must not be
   * below where it opened.
   *
   * @throws IllegalArgumentException naming the defect and its byte offset
   */
  static Sessions decode(byte[] bytes, Tuning tuning) {
    Sessions s = new Sessions(tuning);
    Wire.Reader r = new Wire.Reader(bytes, bytes == null ? 0 : bytes.length, "session table");
    s.logTime = nonNegative(r, "the log's time");
    s.expiredThrough = nonNegative(r, "the expired sequences' bound");
    s.expired = nonNegative(r, "the count of expired sessions");
    int sessions = r.readCount(SESSION_MIN_BYTES, "sessions");
    Set<Long> seen = new HashSet<>();
    long lastUsed = 0;
    for (int i = 0; i < sessions; i++) {
      int at = r.position();
      long clientId = r.readLong();
      if (!seen.add(clientId)) {
        throw new IllegalArgumentException("session table: client " + clientId + " at byte " + at + " is listed twice");
      }
      Session session = new Session();
      session.openedAbove = r.readLong();
      session.floor = r.readLong();
      session.lastUsed = r.readLong();
      if (session.floor < session.openedAbove) {
        throw new IllegalArgumentException("session table: client " + clientId + " at byte " + at + " has floor "
            + session.floor + " below where it opened, " + session.openedAbove);
      }
      if (session.lastUsed < lastUsed || session.lastUsed > s.logTime) {
        throw new IllegalArgumentException("session table: client " + clientId + " at byte " + at + " was last used at "
            + session.lastUsed + ", not between the session before it (" + lastUsed + ") and the log's time ("
            + s.logTime + "): sessions come least recently used first");
      }
      lastUsed = session.lastUsed;
      int n = r.readCount(RESULT_MIN_BYTES, "results of client " + clientId);
      long previous = session.floor;
      for (int j = 0; j < n; j++) {
        int sequenceAt = r.position();
        long sequence = r.readLong();
        if (sequence <= previous) {
          throw new IllegalArgumentException("session table: sequence " + sequence + " of client " + clientId
              + " at byte " + sequenceAt + " is not above " + previous + " (sequences ascend above the floor)");
        }
        previous = sequence;
        session.results.put(sequence, r.readBytes());
      }
      s.byClient.put(clientId, session);
    }
    r.expectEnd();
    return s;
  }

  private static long nonNegative(Wire.Reader r, String what) {
    int at = r.position();
    long v = r.readLong();
    if (v < 0) {
      throw new IllegalArgumentException("session table: " + what + " at byte " + at + " is negative: " + v);
    }
    return v;
  }
}
