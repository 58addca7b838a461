package io.synod.samples.kv;

import io.synod.actors.Codec;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** What the key-value store is asked. Values are bytes; keys are strings. */
public sealed interface KvCommand {

  String key();

  record Put(String key, byte[] value) implements KvCommand {}

  record Get(String key) implements KvCommand {}

  record Delete(String key) implements KvCommand {}

  /** Sets {@code value} only if the key's current value is {@code expected}. */
  record CompareAndSet(String key, byte[] expected, byte[] value) implements KvCommand {}

  /** Tag byte (1 put, 2 get, 3 delete, 4 compare-and-set), then the key and the byte fields, each length-prefixed. */
  Codec<KvCommand> CODEC = Codec.of(KvCommand::encode, KvCommand::decode);

  private static byte[] encode(KvCommand c) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(c instanceof Put ? 1 : c instanceof Get ? 2 : c instanceof Delete ? 3 : 4);
      writeBytes(out, c.key().getBytes(StandardCharsets.UTF_8));
      if (c instanceof Put p) {
        writeBytes(out, p.value());
      } else if (c instanceof CompareAndSet s) {
        writeBytes(out, s.expected());
        writeBytes(out, s.value());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static KvCommand decode(byte[] b) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b))) {
      int tag = in.readByte();
      String key = new String(readBytes(in), StandardCharsets.UTF_8);
      KvCommand c = switch (tag) {
        case 1 -> new Put(key, readBytes(in));
        case 2 -> new Get(key);
        case 3 -> new Delete(key);
        case 4 -> new CompareAndSet(key, readBytes(in), readBytes(in));
        default -> throw new IllegalArgumentException("not a key-value command: tag " + tag);
      };
      if (in.available() != 0) {
        throw new IllegalArgumentException("key-value command has " + in.available() + " trailing bytes");
      }
      return c;
    } catch (IOException e) {
      throw new IllegalArgumentException("not a key-value command: " + e, e);
    }
  }

  static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException("length " + n + " overruns the command");
    }
    return in.readNBytes(n);
  }
}
