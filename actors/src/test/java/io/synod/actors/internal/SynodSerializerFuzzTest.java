package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Garbage in, a {@link NotSerializableException} out: random bytes, every truncation and every
 * single-bit flip of valid encodings, random ints written into them, and each valid encoding under
 * every other manifest. A decode either fails that way or yields a message that re-encodes to
 * exactly the same bytes (the format is canonical); nothing else may escape, and the whole run
 * must finish promptly (no hang, no huge allocation). {@code -Dsynod.fuzz.seed=N} replays a seed.
 */
class SynodSerializerFuzzTest {

  private static final long SEED = Long.getLong("synod.fuzz.seed", 0x5EED_5AD0L);
  private static final int RANDOM_INPUTS_PER_MANIFEST = 5_000;
  private static final int INT_OVERWRITES_PER_ENCODING = 300;

  private final SynodSerializer serializer = new SynodSerializer(null);
  private long attempts;
  private long failures;

  @Test
  void garbageIsRefusedWithNotSerializableExceptionAndNeverHangs() {
    Map<String, List<byte[]>> encodings = new LinkedHashMap<>();
    for (Object sample : WireSamples.all()) {
      encodings.computeIfAbsent(serializer.manifest(sample), k -> new ArrayList<>()).add(serializer.toBinary(sample));
    }
    long start = System.nanoTime();
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> fuzz(encodings),
        "fuzzing hung (seed " + SEED + ")");
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("SynodSerializerFuzzTest: %d decode attempts (%d refused) over %d manifests in %d ms, seed %d%n",
        attempts, failures, encodings.size(), millis, SEED);
    assertTrue(attempts >= 100_000, "only " + attempts + " decode attempts");
  }

  private void fuzz(Map<String, List<byte[]>> encodings) {
    SplittableRandom random = new SplittableRandom(SEED);
    List<String> manifests = List.copyOf(encodings.keySet());
    for (String manifest : manifests) {
      for (int i = 0; i < RANDOM_INPUTS_PER_MANIFEST; i++) {
        byte[] bytes = new byte[random.nextInt(201)];
        random.nextBytes(bytes);
        if (bytes.length > 0 && random.nextBoolean()) {
          bytes[0] = SynodSerializer.FORMAT_VERSION; // get past the version check half of the time
        }
        decode(bytes, manifest, false);
      }
      for (byte[] valid : encodings.get(manifest)) {
        for (int length = 0; length < valid.length; length++) {
          decode(Arrays.copyOf(valid, length), manifest, true);
        }
        byte[] longer = Arrays.copyOf(valid, valid.length + 1 + random.nextInt(8));
        decode(longer, manifest, true);
        for (int bit = 0; bit < valid.length * 8; bit++) {
          byte[] flipped = valid.clone();
          flipped[bit / 8] ^= (byte) (1 << (bit % 8));
          decode(flipped, manifest, false);
        }
        // A random int written anywhere hits lengths and counts with values a bit flip rarely makes.
        for (int i = 0; i < INT_OVERWRITES_PER_ENCODING && valid.length >= 4; i++) {
          byte[] mutated = valid.clone();
          ByteBuffer.wrap(mutated).putInt(random.nextInt(valid.length - 3), random.nextInt());
          decode(mutated, manifest, false);
        }
        // Valid bytes under every other manifest: type confusion must be refused or canonical too.
        for (String other : manifests) {
          decode(valid, other, false);
        }
      }
    }
  }

  private void decode(byte[] bytes, String manifest, boolean mustFail) {
    attempts++;
    Object decoded;
    try {
      decoded = serializer.fromBinary(bytes, manifest);
    } catch (NotSerializableException e) {
      failures++;
      if (e.getMessage() == null || !e.getMessage().contains("manifest " + manifest)) {
        fail("error does not name manifest " + manifest + ": " + e.getMessage());
      }
      return;
    } catch (Throwable t) {
      throw new AssertionError(t + " escaped decoding " + manifest + " " + HexFormat.of().formatHex(bytes)
          + " (seed " + SEED + ")", t);
    }
    if (mustFail) {
      fail("decoded a truncated or extended " + manifest + " " + HexFormat.of().formatHex(bytes) + " as " + decoded);
    }
    assertArrayEquals(bytes, serializer.toBinary(decoded),
        "decoded " + manifest + " " + HexFormat.of().formatHex(bytes) + " does not re-encode to the same bytes");
  }
}
