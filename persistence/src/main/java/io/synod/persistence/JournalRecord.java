package io.synod.persistence;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * One record of the journal, stored as one Chronicle Queue document. An {@link Events} record
 * holds a whole {@code AtomicWrite}, so it is all-or-nothing across a crash.
 *
 * <p>Layout (big-endian): {@code magic:4 version:1 type:1 round:8 syncedThrough:8
 * persistenceId:str}, then for {@code EVENTS} {@code count:4} and per event {@code seqNr:8
 * manifest:str writerUuid:str timestamp:8 serializerId:4 serializerManifest:str payload:bytes}; for
 * {@code DELETED_TO} {@code toSequenceNr:8 highestSequenceNr:8}; for {@code VOID} {@code
 * fromIndex:8 toIndex:8}; for {@code SYNCED} nothing more; finally {@code crc32:4} over everything
 * before it. A {@code str} or {@code bytes} is a 4-byte length and the bytes.
 *
 * <p>{@code round} is the number of the writer's sync round that wrote the record (for the log).
 * {@code syncedThrough} is the queue index of the last record that a completed force had made
 * durable when this record was written, -1 if none: every record up to it was acknowledged or could
 * have been, so recovery treats damage at or before it as damage, never as a torn write (see {@link
 * JournalRecovery}). Version 1 records (before {@code syncedThrough} existed) decode with -1.
 */
sealed interface JournalRecord {

  int MAGIC = 0x53594E44; // "SYND"
  byte VERSION = 2;
  byte EVENTS = 1;
  byte DELETED_TO = 2;
  byte VOID = 3;
  byte SYNCED = 4;

  long round();

  long syncedThrough();

  /** One event as stored: its payload already serialized by Pekko serialization. */
  record StoredEvent(
      long sequenceNr, String manifest, String writerUuid, long timestamp, int serializerId, String serializerManifest,
      byte[] payload) {}

  /** An atomic write of events of one persistence id. */
  record Events(long round, long syncedThrough, String persistenceId, List<StoredEvent> events)
      implements JournalRecord {}

  /** Every event of {@code persistenceId} up to {@code toSequenceNr} is deleted. */
  record DeletedTo(long round, long syncedThrough, String persistenceId, long toSequenceNr, long highestSequenceNr)
      implements JournalRecord {}

  /**
   * Records from queue index {@code fromIndex} up to {@code toIndex} (exclusive) are a torn tail
   * that recovery dropped; later recoveries must ignore them too.
   */
  record Voided(long round, long syncedThrough, long fromIndex, long toIndex) implements JournalRecord {}

  /**
   * Says only what its {@code syncedThrough} says: written at a clean shutdown and after the
   * writer has been idle, so that the last round before them counts as acknowledged too.
   */
  record Synced(long round, long syncedThrough) implements JournalRecord {}

  /** The same record as written in round {@code round} with {@code syncedThrough}. */
  static JournalRecord stamped(JournalRecord r, long round, long syncedThrough) {
    if (r instanceof Events e) {
      return new Events(round, syncedThrough, e.persistenceId(), e.events());
    } else if (r instanceof DeletedTo d) {
      return new DeletedTo(round, syncedThrough, d.persistenceId(), d.toSequenceNr(), d.highestSequenceNr());
    } else if (r instanceof Voided v) {
      return new Voided(round, syncedThrough, v.fromIndex(), v.toIndex());
    }
    return new Synced(round, syncedThrough);
  }

  /** A record that cannot be trusted: its checksum, magic or structure is wrong. */
  final class Corrupt extends Exception {
    Corrupt(String message) {
      super(message);
    }
  }

  static byte[] encode(JournalRecord r) {
    Writer w = new Writer();
    w.buf.putInt(MAGIC);
    w.buf.put(VERSION);
    if (r instanceof Events e) {
      w.header(EVENTS, r);
      w.str(e.persistenceId());
      w.ensure(4);
      w.buf.putInt(e.events().size());
      for (StoredEvent ev : e.events()) {
        w.ensure(8);
        w.buf.putLong(ev.sequenceNr());
        w.str(ev.manifest());
        w.str(ev.writerUuid());
        w.ensure(12);
        w.buf.putLong(ev.timestamp());
        w.buf.putInt(ev.serializerId());
        w.str(ev.serializerManifest());
        w.bytes(ev.payload());
      }
    } else if (r instanceof DeletedTo d) {
      w.header(DELETED_TO, r);
      w.str(d.persistenceId());
      w.ensure(16);
      w.buf.putLong(d.toSequenceNr());
      w.buf.putLong(d.highestSequenceNr());
    } else if (r instanceof Voided v) {
      w.header(VOID, r);
      w.str("");
      w.ensure(16);
      w.buf.putLong(v.fromIndex());
      w.buf.putLong(v.toIndex());
    } else if (r instanceof Synced) {
      w.header(SYNCED, r);
      w.str("");
    } else {
      throw new IllegalArgumentException("unknown journal record " + r);
    }
    CRC32 crc = new CRC32();
    crc.update(w.buf.array(), 0, w.buf.position());
    w.ensure(4);
    w.buf.putInt((int) crc.getValue());
    byte[] out = new byte[w.buf.position()];
    System.arraycopy(w.buf.array(), 0, out, 0, out.length);
    return out;
  }

  static JournalRecord decode(byte[] bytes) throws Corrupt {
    if (bytes.length < 4 + 1 + 1 + 8 + 4 + 4) {
      throw new Corrupt("record of " + bytes.length + " bytes is too short");
    }
    int body = bytes.length - 4;
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, body);
    int stored = ByteBuffer.wrap(bytes, body, 4).getInt();
    if ((int) crc.getValue() != stored) {
      throw new Corrupt("crc32 " + Long.toHexString(crc.getValue()) + " does not match stored " + Integer.toHexString(stored));
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 0, body);
    try {
      if (b.getInt() != MAGIC) {
        throw new Corrupt("bad magic");
      }
      byte version = b.get();
      if (version != VERSION && version != 1) {
        throw new Corrupt("unknown record version " + version);
      }
      byte type = b.get();
      long round = b.getLong();
      long syncedThrough = version == 1 ? -1 : b.getLong();
      String pid = str(b);
      JournalRecord r;
      if (type == EVENTS) {
        int count = b.getInt();
        if (count < 0) {
          throw new Corrupt("negative event count " + count);
        }
        List<StoredEvent> events = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
          events.add(new StoredEvent(b.getLong(), str(b), str(b), b.getLong(), b.getInt(), str(b), bytes(b)));
        }
        r = new Events(round, syncedThrough, pid, events);
      } else if (type == DELETED_TO) {
        r = new DeletedTo(round, syncedThrough, pid, b.getLong(), b.getLong());
      } else if (type == VOID) {
        r = new Voided(round, syncedThrough, b.getLong(), b.getLong());
      } else if (type == SYNCED && version != 1) {
        r = new Synced(round, syncedThrough);
      } else {
        throw new Corrupt("unknown record type " + type);
      }
      if (b.hasRemaining()) {
        throw new Corrupt(b.remaining() + " trailing bytes");
      }
      return r;
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new Corrupt("truncated or malformed record: " + e);
    }
  }

  private static String str(ByteBuffer b) throws Corrupt {
    return new String(bytes(b), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer b) throws Corrupt {
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) {
      throw new Corrupt("length " + n + " at byte " + (b.position() - 4) + " overruns the record");
    }
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }

  /** A growable big-endian buffer. */
  final class Writer {
    ByteBuffer buf = ByteBuffer.allocate(256);

    void header(byte type, JournalRecord r) {
      ensure(17);
      buf.put(type);
      buf.putLong(r.round());
      buf.putLong(r.syncedThrough());
    }

    void ensure(int n) {
      if (buf.remaining() < n) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
        buf.flip();
        bigger.put(buf);
        buf = bigger;
      }
    }

    void str(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    void bytes(byte[] v) {
      ensure(4 + v.length);
      buf.putInt(v.length);
      buf.put(v);
    }
  }
}
