package io.synod.actors.internal;

import io.synod.actors.Codec;
import io.synod.actors.RuntimeGroup;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The group catalog's binary format: its commands (the log), its results, and its state (the
 * checkpoints). Each starts with a format version byte, then a tag byte naming the kind; strings
 * are Java's modified UTF-8 with a 2-byte length, numbers big-endian. Decoding checks every count
 * against the bytes that remain before allocating, and refuses trailing bytes, an unknown version
 * or tag, and any field a {@link RuntimeGroup} refuses, with an {@link IllegalArgumentException}.
 */
final class CatalogCodec {

  static final int FORMAT = 1;

  /** The commands of the catalog's log and its queries. */
  static final Codec<CatalogCommand> COMMANDS = Codec.of(CatalogCodec::encode, CatalogCodec::decodeCommand);

  /** Its results. */
  static final Codec<CatalogResult> RESULTS = Codec.of(CatalogCodec::encode, CatalogCodec::decodeResult);

  private static final int CREATE = 'C';
  private static final int REMOVE = 'R';
  private static final int VERSION = 'V';
  private static final int EVERYTHING = 'E';
  private static final int CREATED = 'c';
  private static final int REMOVED = 'r';
  private static final int REFUSED = 'x';
  private static final int VERSION_IS = 'v';
  private static final int WHOLE = 'w';
  private static final int STATE = 'S';

  private CatalogCodec() {}

  // ---- encoding ----

  static byte[] encode(CatalogCommand c) {
    return write(out -> {
      if (c instanceof CatalogCommand.Create create) {
        out.writeByte(CREATE);
        out.writeUTF(create.group());
        out.writeUTF(create.type());
        writeInts(out, create.members());
      } else if (c instanceof CatalogCommand.Remove remove) {
        out.writeByte(REMOVE);
        out.writeUTF(remove.group());
      } else {
        out.writeByte(c == CatalogCommand.Version.INSTANCE ? VERSION : EVERYTHING);
      }
    });
  }

  static byte[] encode(CatalogResult r) {
    return write(out -> {
      if (r instanceof CatalogResult.Created c) {
        out.writeByte(CREATED);
        writeGroup(out, c.group());
        out.writeLong(c.version());
      } else if (r instanceof CatalogResult.Removed removed) {
        out.writeByte(REMOVED);
        writeGroup(out, removed.group());
        out.writeLong(removed.version());
      } else if (r instanceof CatalogResult.Refused refused) {
        out.writeByte(REFUSED);
        out.writeByte(refused.why().ordinal());
        out.writeUTF(refused.reason());
      } else if (r instanceof CatalogResult.VersionIs v) {
        out.writeByte(VERSION_IS);
        out.writeLong(v.version());
      } else {
        out.writeByte(WHOLE);
        writeState(out, ((CatalogResult.Whole) r).state());
      }
    });
  }

  static byte[] encode(CatalogState s) {
    return write(out -> {
      out.writeByte(STATE);
      writeState(out, s);
    });
  }

  private static void writeState(DataOutputStream out, CatalogState s) throws IOException {
    out.writeLong(s.version());
    out.writeLong(s.nextIncarnation());
    out.writeInt(s.groups().size());
    for (RuntimeGroup g : s.groups().values()) {
      writeGroup(out, g);
    }
    out.writeInt(s.removed().size());
    for (RuntimeGroup g : s.removed()) {
      writeGroup(out, g);
    }
  }

  private static void writeGroup(DataOutputStream out, RuntimeGroup g) throws IOException {
    out.writeUTF(g.id());
    out.writeUTF(g.type());
    writeInts(out, g.members());
    out.writeLong(g.incarnation());
  }

  private static void writeInts(DataOutputStream out, List<Integer> ints) throws IOException {
    out.writeInt(ints.size());
    for (int i : ints) {
      out.writeInt(i);
    }
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] write(Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  // ---- decoding ----

  static CatalogCommand decodeCommand(byte[] bytes) {
    return read(bytes, "catalog command", in -> {
      int tag = in.readByte();
      return switch (tag) {
        case CREATE -> new CatalogCommand.Create(in.readUTF(), in.readUTF(), readInts(in));
        case REMOVE -> new CatalogCommand.Remove(in.readUTF());
        case VERSION -> CatalogCommand.Version.INSTANCE;
        case EVERYTHING -> CatalogCommand.Everything.INSTANCE;
        default -> throw new IllegalArgumentException("unknown tag " + tag);
      };
    });
  }

  static CatalogResult decodeResult(byte[] bytes) {
    return read(bytes, "catalog result", in -> {
      int tag = in.readByte();
      return switch (tag) {
        case CREATED -> new CatalogResult.Created(readGroup(in), in.readLong());
        case REMOVED -> new CatalogResult.Removed(readGroup(in), in.readLong());
        case REFUSED -> {
          int why = in.readByte();
          if (why < 0 || why >= CatalogResult.Why.values().length) {
            throw new IllegalArgumentException("unknown refusal " + why);
          }
          yield new CatalogResult.Refused(CatalogResult.Why.values()[why], in.readUTF());
        }
        case VERSION_IS -> new CatalogResult.VersionIs(in.readLong());
        case WHOLE -> new CatalogResult.Whole(readState(in));
        default -> throw new IllegalArgumentException("unknown tag " + tag);
      };
    });
  }

  static CatalogState decodeState(byte[] bytes) {
    return read(bytes, "catalog state", in -> {
      int tag = in.readByte();
      if (tag != STATE) {
        throw new IllegalArgumentException("unknown tag " + tag);
      }
      return readState(in);
    });
  }

  private static CatalogState readState(DataInputStream in) throws IOException {
    long version = in.readLong();
    long next = in.readLong();
    SortedMap<String, RuntimeGroup> groups = new TreeMap<>();
    int n = count(in, MIN_GROUP_BYTES);
    for (int i = 0; i < n; i++) {
      RuntimeGroup g = readGroup(in);
      if (groups.put(g.id(), g) != null) {
        throw new IllegalArgumentException("group '" + g.id() + "' is listed twice");
      }
    }
    int m = count(in, MIN_GROUP_BYTES);
    List<RuntimeGroup> removed = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      removed.add(readGroup(in));
    }
    return new CatalogState(version, next, groups, removed);
  }

  /** An id and a type (2-byte length and at least one byte each), the member count, one member, the incarnation. */
  private static final int MIN_GROUP_BYTES = 3 + 3 + 4 + 4 + 8;

  private static RuntimeGroup readGroup(DataInputStream in) throws IOException {
    return new RuntimeGroup(in.readUTF(), in.readUTF(), readInts(in), in.readLong());
  }

  private static List<Integer> readInts(DataInputStream in) throws IOException {
    int n = count(in, 4);
    List<Integer> ints = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ints.add(in.readInt());
    }
    return ints;
  }

  /** A count, checked against the bytes that remain, each element taking at least {@code minBytes}. */
  private static int count(DataInputStream in, int minBytes) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available() / minBytes) {
      throw new IllegalArgumentException("count " + n + " overruns the " + in.available() + " bytes that remain");
    }
    return n;
  }

  private interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  private static <T> T read(byte[] bytes, String what, Reader<T> reader) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalArgumentException("unknown format version " + format + "; this node reads " + FORMAT);
      }
      T value = reader.read(in);
      if (in.available() > 0) {
        throw new IllegalArgumentException(in.available() + " trailing bytes");
      }
      return value;
    } catch (IOException e) { // truncated, or a string that is not modified UTF-8
      throw new IllegalArgumentException(what + " of " + bytes.length + " bytes is malformed: " + e, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " of " + bytes.length + " bytes is malformed: " + e.getMessage(), e);
    }
  }
}
