package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.synod.paxos.AcceptorRecord.AcceptedValues;
import io.synod.paxos.ByteMutations;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.CorruptValueException;
import io.synod.paxos.Membership;
import io.synod.paxos.Message;
import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.CatchUpReply;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.Forward;
import io.synod.paxos.Message.LocalAccepted;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Value;
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
import java.util.function.Function;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile bytes in, a {@link NotSerializableException} out, or a message whose values the
 * receiving role refuses with a {@link CorruptValueException} when it checks them ({@link
 * Value#verify}); nothing else may escape (no {@link OutOfMemoryError}, {@link
 * NegativeArraySizeException}, {@link IndexOutOfBoundsException}...), nothing hangs, and whatever
 * decodes re-encodes to exactly the same bytes (the format is canonical).
 *
 * <p>Inputs: random bytes; every truncation and single-bit flip (2,048 random flips of a larger
 * encoding) of every sample encoding ({@link WireSamples}: every message, also inside a {@link
 * GroupEnvelope} and a {@link GroupBatch});
 * each encoding under every other manifest; counts and lengths at known offsets set to claim far
 * more than the bytes hold; values with a valid checksum whose batch claims a huge command count or
 * a length past its end; and a seeded loop of stacked mutations (bit flips, truncations, count
 * inflation, splices, values re-sealed with a valid checksum after damage). {@code
 * -Dsynod.fuzz.seed=N} replays a seed; the seed and the command are printed first.
 */
class SynodSerializerFuzzTest {

  private static final long SEED = Long.getLong("synod.fuzz.seed", 0x5EED_5AD0L);
  private static final String REPLAY = "mvn -B -q -pl actors -am test -Dtest=SynodSerializerFuzzTest"
      + " -Dsurefire.failIfNoSpecifiedTests=false -Dsynod.fuzz.seed=" + SEED;
  private static final int RANDOM_INPUTS_PER_MANIFEST = 5_000;
  private static final int INT_OVERWRITES_PER_ENCODING = 300;
  private static final int MAX_BIT_FLIPS_PER_ENCODING = 2048;
  private static final int MUTATION_CASES = 200_000;
  /** Counts and lengths no message can hold, or negative: each must be refused, not allocated. */

  private final SynodSerializer serializer = new SynodSerializer(null);
  private long attempts;
  private long refusals;
  private long corruptValues;

  /** What a decode attempt must give. */
  private enum Expect {
    /** A refusal, or a message (whose values may be corrupt). */
    ANY,
    /** A NotSerializableException naming the manifest and a byte offset. */
    REFUSED,
    /** A message: the damage is inside a value, which travels as it is. */
    CARRIED
  }

  /** A sample's manifest and encoding. */
  private record Encoded(String manifest, byte[] bytes, Object sample) {}

  /** A value as it sits in a decoded message: what its receiving role verifies. */
  private record Nested(String group, long instance, int sender, Value value) {}

  @BeforeAll
  static void printSeed() {
    System.out.println("SynodSerializerFuzzTest: seed " + SEED + "; replay: " + REPLAY);
  }

  private List<Encoded> encodings() {
    List<Encoded> all = new ArrayList<>();
    for (Object sample : WireSamples.all()) {
      all.add(new Encoded(serializer.manifest(sample), serializer.toBinary(sample), sample));
    }
    return all;
  }

  // ---- random and exhaustive garbage ----

  @Test
  void garbageIsRefusedWithNotSerializableExceptionAndNeverHangs() {
    Map<String, List<byte[]>> byManifest = new LinkedHashMap<>();
    for (Encoded e : encodings()) {
      byManifest.computeIfAbsent(e.manifest(), k -> new ArrayList<>()).add(e.bytes());
    }
    long start = System.nanoTime();
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> garbage(byManifest), "fuzzing hung; replay: " + REPLAY);
    System.out.printf("SynodSerializerFuzzTest: %d decode attempts (%d refused, %d corrupt values) over %d manifests"
        + " in %d ms, seed %d%n", attempts, refusals, corruptValues, byManifest.size(),
        (System.nanoTime() - start) / 1_000_000, SEED);
    assertTrue(attempts >= 100_000, "only " + attempts + " decode attempts");
  }

  private void garbage(Map<String, List<byte[]>> byManifest) {
    SplittableRandom random = new SplittableRandom(SEED);
    List<String> manifests = List.copyOf(byManifest.keySet());
    for (String manifest : manifests) {
      for (int i = 0; i < RANDOM_INPUTS_PER_MANIFEST; i++) {
        byte[] bytes = new byte[random.nextInt(201)];
        random.nextBytes(bytes);
        if (bytes.length > 0 && random.nextBoolean()) {
          bytes[0] = SynodSerializer.FORMAT_VERSION; // get past the version check half of the time
        }
        check(bytes, manifest, Expect.ANY, "random bytes");
      }
      for (byte[] valid : byManifest.get(manifest)) {
        for (int length = 0; length < valid.length; length++) {
          check(Arrays.copyOf(valid, length), manifest, Expect.REFUSED, "truncated to " + length);
        }
        check(Arrays.copyOf(valid, valid.length + 1 + random.nextInt(8)), manifest, Expect.REFUSED, "extended");
        // Every bit of a small encoding; as many random ones of a large one (a batch of batches).
        boolean every = valid.length * 8 <= MAX_BIT_FLIPS_PER_ENCODING;
        for (int i = 0; i < Math.min(valid.length * 8, MAX_BIT_FLIPS_PER_ENCODING); i++) {
          int bit = every ? i : random.nextInt(valid.length * 8);
          byte[] flipped = valid.clone();
          flipped[bit / 8] ^= (byte) (1 << (bit % 8));
          check(flipped, manifest, Expect.ANY, "bit " + bit + " flipped");
        }
        // A random int written anywhere hits lengths and counts with values a bit flip rarely makes.
        for (int i = 0; i < INT_OVERWRITES_PER_ENCODING && valid.length >= 4; i++) {
          byte[] mutated = valid.clone();
          ByteBuffer.wrap(mutated).putInt(random.nextInt(valid.length - 3), random.nextInt());
          check(mutated, manifest, Expect.ANY, "random int written");
        }
        // Valid bytes under every other manifest: type confusion must be refused or canonical too.
        for (String other : manifests) {
          check(valid, other, Expect.ANY, "bytes of " + manifest);
        }
      }
    }
  }

  // ---- counts and lengths that claim more than the bytes hold ----

  /**
   * A count or length of {@code sample}'s encoding, at {@code offset} (after the version byte),
   * whose true value is {@code original}; {@code wrap} also tries it with the message enveloped and
   * batched, where it sits deeper.
   */
  private record Field(String name, Object sample, int offset, int original, boolean wrap) {}

  private static List<Field> countsAndLengths() {
    List<Proposal> proposals = List.of(new Proposal(7, WireSamples.BATCH), new Proposal(8, Value.noop()));
    List<AcceptedValue> accepted = List.of(new AcceptedValue(5, WireSamples.MID, WireSamples.BATCH));
    Message accept = new Accept(2, WireSamples.MID, proposals, 3);
    Message promise = new Promise(2, WireSamples.MID, accepted, 0);
    Message chosen = new Chosen(2, List.of(new ChosenEntry(1, WireSamples.MID, WireSamples.BATCH)), 3);
    Message catchUp = new CatchUpReply(2, proposals, 9);
    Message local = new LocalAccepted(2, accepted);
    Message forward = new Forward(1, WireSamples.BATCH.commands(), 2);
    Message read = new Message.ClientRead(1, 5, WireSamples.bytes("get x"));
    Message readAt = new Message.ReadAt(1, 7, 8, WireSamples.bytes("q"));
    Message acked = new Message.Accepted(1, WireSamples.MID, List.of(1L, 2L), -1, 0);
    Message progress = new Message.LearnerProgress(1, 4, new Membership(1, List.of(1, 2), List.of(3)));
    int batchBytes = WireSamples.BATCH.size();
    GroupEnvelope envelope = new GroupEnvelope("g", 2, accept);
    // Offsets follow the documented layout: version:1, then each field (from:4, ballot:12, ...).
    return List.of(
        new Field("Accept proposal count", accept, 17, 2, true),
        new Field("Accept value length", accept, 29, batchBytes, true),
        new Field("Promise accepted count", promise, 17, 1, true),
        new Field("Promise value length", promise, 41, batchBytes, true),
        new Field("Chosen entry count", chosen, 5, 1, true),
        new Field("Chosen value length", chosen, 30, batchBytes, true),
        new Field("CatchUpReply entry count", catchUp, 5, 2, true),
        new Field("CatchUpReply value length", catchUp, 17, batchBytes, true),
        new Field("LocalAccepted entry count", local, 5, 1, true),
        new Field("LocalAccepted value length", local, 29, batchBytes, true),
        new Field("Forward command count", forward, 5, 3, true),
        new Field("Forward payload length", forward, 25, 7, true),
        new Field("ClientRead query length", read, 13, 5, true),
        new Field("ReadAt query length", readAt, 21, 1, true),
        new Field("Accepted instance count", acked, 17, 2, true),
        new Field("LearnerProgress membership length", progress, 13, 33, true),
        new Field("LearnerProgress voter count", progress, 13 + 4 + 9, 2, true),
        new Field("GroupEnvelope group length", envelope, 1, 1, false),
        new Field("GroupEnvelope manifest length", envelope, 18, 2, false),
        new Field("GroupEnvelope message length", envelope, 24, new SynodSerializer(null).toBinary(accept).length, false),
        new Field("GroupBatch envelope count", new GroupBatch(List.of(envelope, envelope)), 1, 2, false),
        new Field("AcceptedValues proposal count", new AcceptedValues(WireSamples.MID, proposals), 13, 2, false),
        new Field("AcceptorSnapshot record count", new AcceptorSnapshot(List.of(new AcceptedValues(WireSamples.MID,
            proposals))), 1, 1, false),
        new Field("SnapshotChunk bytes length", new SnapshotChunk("g", 2, 9, 10, 6, new byte[] {1, 2, 3, 4}),
            1 + 5 + 8 + 4 + 8 + 4 + 4, 4, false),
        new Field("SnapshotRequest group length", new SnapshotRequest("g", 2, 0), 1, 1, false),
        new Field("StoredCheckpoint length", new StoredCheckpoint(3, WireSamples.bytes("cp")), 9, 2, false));
  }

  @Test
  void countsAndLengthsThatClaimMoreThanTheBytesHoldAreRefusedAtEveryDepth() {
    int cases = 0;
    for (Field f : countsAndLengths()) {
      List<Object> carriers = new ArrayList<>(List.of(f.sample()));
      if (f.wrap()) {
        Message m = (Message) f.sample();
        carriers.add(new GroupEnvelope("orders-eu", m.from(), m));
        carriers.add(new GroupBatch(List.of(new GroupEnvelope("g", m.from(), new Message.LeaderSeen(m.from(),
            WireSamples.MID)), new GroupEnvelope("orders-eu", m.from(), m))));
      }
      byte[] alone = serializer.toBinary(f.sample());
      assertEquals(f.original(), ByteBuffer.wrap(alone).getInt(f.offset()),
          f.name() + ": the test's offset does not match the format");
      for (Object carrier : carriers) {
        byte[] bytes = serializer.toBinary(carrier);
        int at = indexOf(bytes, alone) + f.offset();
        int remaining = bytes.length - at - 4;
        for (int claim : new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, -1, remaining + 1}) {
          byte[] hostile = bytes.clone();
          ByteBuffer.wrap(hostile).putInt(at, claim);
          String refusal = check(hostile, serializer.manifest(carrier), Expect.REFUSED,
              f.name() + " = " + claim + " in a " + carrier.getClass().getSimpleName());
          assertTrue(refusal.contains("byte"), "the refusal names no offset: " + refusal);
          cases++;
        }
      }
    }
    assertTrue(cases >= 150, "only " + cases + " cases");
  }

  // ---- values with a valid checksum and a hostile inside ----

  /** A real batch with {@code v} written at {@code offset}, sealed with a checksum that matches. */
  private static Value craftedValue(int offset, int v) {
    byte[] b = Value.of(List.of(new ClientCommand(1, 1, WireSamples.bytes("abc")), new ClientCommand(2, 3, new byte[0])))
        .bytes().clone();
    ByteBuffer.wrap(b).putInt(offset, v);
    return Value.fromWire(b, Value.checksum(b));
  }

  @Test
  void craftedValuesWithValidChecksumsTravelAsTheyAreAndFailTheirCheckNotTheirDecoding() {
    // A batch is version:1 stamp:8 count:4, then per command clientId:8 sequence:8 length:4 payload.
    Map<String, Value> crafted = new LinkedHashMap<>();
    crafted.put("a count of Integer.MAX_VALUE", craftedValue(9, Integer.MAX_VALUE));
    crafted.put("a negative count", craftedValue(9, -1));
    crafted.put("a length of a mebibyte", craftedValue(13 + 16, 1 << 20));
    crafted.put("a length of Integer.MAX_VALUE (membership bit off)", craftedValue(13 + 16, Integer.MAX_VALUE));
    crafted.put("a length of Integer.MIN_VALUE (membership bit, length 0) and bytes left over",
        craftedValue(13 + 16, Integer.MIN_VALUE));
    List<Function<Value, Message>> carriers = List.of(
        v -> new Accept(2, WireSamples.MID, List.of(new Proposal(3, Value.noop()), new Proposal(4, v)), 1),
        v -> new Promise(2, WireSamples.MID, List.of(new AcceptedValue(4, WireSamples.MID, v)), 0),
        v -> new Chosen(2, List.of(new ChosenEntry(3, WireSamples.MID, null), new ChosenEntry(4, WireSamples.MID, v)), 5),
        v -> new CatchUpReply(2, List.of(new Proposal(4, v)), 5),
        v -> new LocalAccepted(2, List.of(new AcceptedValue(4, WireSamples.MID, v))));
    int cases = 0;
    for (Map.Entry<String, Value> c : crafted.entrySet()) {
      for (Function<Value, Message> carrier : carriers) {
        Message m = carrier.apply(c.getValue());
        for (Object o : List.of(m, new GroupEnvelope("orders-eu", 2, m),
            new GroupBatch(List.of(new GroupEnvelope("g", 2, new Message.LeaderSeen(2, WireSamples.MID)),
                new GroupEnvelope("orders-eu", 2, m))))) {
          String what = m.getClass().getSimpleName() + " carrying a value with " + c.getKey() + " in a "
              + o.getClass().getSimpleName();
          Object decoded = decode(serializer.toBinary(o), serializer.manifest(o), what);
          List<Nested> hostile = nestedValues(decoded).stream().filter(n -> n.value().equals(c.getValue())).toList();
          assertEquals(1, hostile.size(), what + ": the crafted value must arrive as it was sent");
          Nested n = hostile.get(0);
          CorruptValueException e = assertThrowsCorrupt(n, what);
          assertEquals(4, e.instance(), what);
          assertEquals(2, e.sender(), what);
          assertTrue(e.getMessage().contains("cannot fit") || e.getMessage().contains("claims")
              || e.getMessage().contains("trailing"), what + ": " + e.getMessage());
          if (o instanceof GroupEnvelope || o instanceof GroupBatch) {
            assertEquals("orders-eu", e.group(), what);
          }
          cases++;
        }
      }
    }
    assertEquals(5 * 5 * 3, cases);
  }

  private static CorruptValueException assertThrowsCorrupt(Nested n, String what) {
    try {
      n.value().verify(n.group(), n.instance(), n.sender());
    } catch (CorruptValueException e) {
      return e;
    }
    return fail(what + ": the crafted value passed its check");
  }

  // ---- seeded stacked mutations ----

  /** Where a value's bytes lie in an encoding: its checksum follows them. */
  private record Span(int from, int length) {}

  @Test
  void seededMutationsEndInARefusalOrInValuesThatFailOnlyTheirCheck() {
    List<Encoded> samples = encodings();
    Map<Encoded, List<Span>> spans = new LinkedHashMap<>();
    for (Encoded e : samples) {
      spans.put(e, valueSpans(e));
    }
    SplittableRandom random = new SplittableRandom(SEED ^ 0x6D75_7461_7465L);
    long start = System.nanoTime();
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < MUTATION_CASES; i++) {
        int k = random.nextInt(samples.size());
        Encoded e = samples.get(k);
        List<Span> values = spans.get(e);
        if (!values.isEmpty() && random.nextInt(4) == 0) {
          // Damage inside one value, then a checksum that matches: only the value's check can tell.
          byte[] bytes = e.bytes().clone();
          Span s = values.get(random.nextInt(values.size()));
          damageValue(bytes, s, random);
          check(bytes, e.manifest(), Expect.CARRIED, "case " + i + ": a re-sealed value in sample " + k);
        } else {
          byte[] bytes = e.bytes();
          int mutations = 1 + random.nextInt(3);
          for (int m = 0; m < mutations; m++) {
            bytes = ByteMutations.mutate(bytes, random);
          }
          check(bytes, e.manifest(), Expect.ANY, "case " + i + ": " + mutations + " mutations of sample " + k);
        }
      }
    }, "fuzzing hung; replay: " + REPLAY);
    System.out.printf("SynodSerializerFuzzTest: %d mutation cases (%d refused, %d corrupt values) in %d ms, seed %d%n",
        MUTATION_CASES, refusals, corruptValues, (System.nanoTime() - start) / 1_000_000, SEED);
    assertTrue(refusals > MUTATION_CASES / 4 && corruptValues > MUTATION_CASES / 50,
        "the mutations should reach both the serializer's checks and the values' (" + refusals + " refusals, "
            + corruptValues + " corrupt values); replay: " + REPLAY);
  }

  /** Damages the value at {@code s} (an inflated count or length, a flip, a random int) and re-seals it. */
  private static void damageValue(byte[] bytes, Span s, SplittableRandom random) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    int end = s.from() + s.length();
    int at = s.length() >= 4 ? s.from() + random.nextInt(s.length() - 3) : -1;
    switch (random.nextInt(4)) {
      case 0 -> {
        if (s.length() >= 5) {
          int[] hostile = ByteMutations.HOSTILE_INTS;
          b.putInt(s.from() + 1, hostile[random.nextInt(hostile.length)]); // the command count
        }
      }
      case 1 -> {
        if (s.length() >= 25) {
          int[] hostile = ByteMutations.HOSTILE_INTS;
          b.putInt(s.from() + 5 + 16, random.nextBoolean() ? s.length() : hostile[random.nextInt(hostile.length)]);
        }
      }
      case 2 -> {
        if (s.length() > 0) {
          bytes[s.from() + random.nextInt(s.length())] ^= (byte) (1 << random.nextInt(8));
        }
      }
      default -> {
        if (at >= 0) {
          b.putInt(at, random.nextInt());
        }
      }
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, s.from(), s.length());
    b.putInt(end, (int) crc.getValue());
  }

  /** Where each value of the sample lies in its encoding ({@code length:4 bytes crc:4}). */
  private List<Span> valueSpans(Encoded e) {
    List<Span> spans = new ArrayList<>();
    for (Nested n : nestedValues(e.sample())) {
      byte[] v = n.value().bytes();
      byte[] pattern = ByteBuffer.allocate(8 + v.length).putInt(v.length).put(v).putInt(n.value().crc()).array();
      for (int at = indexOf(e.bytes(), pattern, 0); at >= 0; at = indexOf(e.bytes(), pattern, at + 1)) {
        Span s = new Span(at + 4, v.length);
        if (!spans.contains(s)) {
          spans.add(s);
        }
      }
    }
    return spans;
  }

  // ---- the checks every case goes through ----

  private Object decode(byte[] bytes, String manifest, String context) {
    try {
      return serializer.decode(bytes, manifest);
    } catch (NotSerializableException e) {
      return fail(context + ": refused " + e.getMessage());
    }
  }

  /**
   * Decodes {@code bytes} as {@code manifest} and checks what comes out against {@code expect}:
   * a refusal must be a {@link NotSerializableException} naming the manifest; a message must
   * re-encode to the same bytes, and each of its values must pass {@link Value#verify} (and then
   * decode) or fail it with a {@link CorruptValueException}. Returns the refusal's message, or null.
   */
  private String check(byte[] bytes, String manifest, Expect expect, String context) {
    attempts++;
    Object decoded;
    try {
      decoded = serializer.decode(bytes, manifest);
    } catch (NotSerializableException e) {
      refusals++;
      if (e.getMessage() == null || !e.getMessage().contains("manifest " + manifest)) {
        fail(context + ": the error does not name manifest " + manifest + ": " + e.getMessage() + "; replay: " + REPLAY);
      }
      if (expect == Expect.CARRIED) {
        fail(context + ": refused " + e.getMessage() + "; replay: " + REPLAY);
      }
      return e.getMessage();
    } catch (Throwable t) {
      throw new AssertionError(t + " escaped decoding " + manifest + " " + HexFormat.of().formatHex(bytes) + " ("
          + context + "); replay: " + REPLAY, t);
    }
    if (expect == Expect.REFUSED) {
      fail(context + ": decoded " + manifest + " " + HexFormat.of().formatHex(bytes) + " as " + decoded + "; replay: "
          + REPLAY);
    }
    assertArrayEquals(bytes, serializer.toBinary(decoded), context + ": decoded " + manifest + " "
        + HexFormat.of().formatHex(bytes) + " does not re-encode to the same bytes; replay: " + REPLAY);
    for (Nested n : nestedValues(decoded)) {
      try {
        n.value().verify(n.group(), n.instance(), n.sender());
      } catch (CorruptValueException e) {
        corruptValues++;
        continue;
      } catch (Throwable t) {
        throw new AssertionError(t + " escaped verifying a value of " + decoded + " (" + context + "); replay: "
            + REPLAY, t);
      }
      List<ClientCommand> commands = n.value().commands(); // verified: it decodes, within its bytes
      assertTrue(commands.size() <= n.value().size() / 20, context + ": " + commands.size() + " commands");
    }
    return null;
  }

  /** The values a decoded object carries, with what their receiving role would name them by. */
  private static List<Nested> nestedValues(Object o) {
    List<Nested> out = new ArrayList<>();
    collect(o, "-", out);
    return out;
  }

  private static void collect(Object o, String group, List<Nested> out) {
    if (o instanceof GroupBatch b) {
      b.envelopes().forEach(e -> collect(e, group, out));
    } else if (o instanceof GroupEnvelope e) {
      collect(e.message(), e.group(), out);
    } else if (o instanceof AcceptorSnapshot s) {
      s.records().forEach(r -> collect(r, group, out));
    } else if (o instanceof AcceptedValues a) {
      a.proposals().forEach(p -> out.add(new Nested(group, p.instance(), -1, p.value())));
    } else if (o instanceof Accept a) {
      a.proposals().forEach(p -> out.add(new Nested(group, p.instance(), a.from(), p.value())));
    } else if (o instanceof CatchUpReply r) {
      r.entries().forEach(p -> out.add(new Nested(group, p.instance(), r.from(), p.value())));
    } else if (o instanceof Promise p) {
      p.accepted().forEach(v -> out.add(new Nested(group, v.instance(), p.from(), v.value())));
    } else if (o instanceof LocalAccepted l) {
      l.entries().forEach(v -> out.add(new Nested(group, v.instance(), l.from(), v.value())));
    } else if (o instanceof Chosen c) {
      c.entries().stream().filter(e -> e.value() != null)
          .forEach(e -> out.add(new Nested(group, e.instance(), c.from(), e.value())));
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    int at = indexOf(haystack, needle, 0);
    assertTrue(at >= 0, "the message's own encoding is not inside its carrier's");
    return at;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    for (int i = from; i <= haystack.length - needle.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}
