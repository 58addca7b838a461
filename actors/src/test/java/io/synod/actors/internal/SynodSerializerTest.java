package io.synod.actors.internal;

import static io.synod.actors.internal.WireSamples.assertSameContent;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Ballot;
import io.synod.paxos.Message;
import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Value;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The binary format round-trips every message and record, and names what is wrong with bad bytes. */
class SynodSerializerTest {

  private final SynodSerializer serializer = new SynodSerializer(null);

  @Test
  void everyPermittedTypeHasASample() {
    Map<Class<?>, List<Object>> samples = WireSamples.byType();
    List<String> missing = new ArrayList<>();
    for (Class<?> type : WireSamples.permittedTypes()) {
      if (!samples.containsKey(type)) {
        missing.add(type.getName());
      }
    }
    assertEquals(List.of(), missing, "add samples for these types to WireSamples (and a codec to SynodSerializer)");
    assertEquals(41, WireSamples.permittedTypes().size(),
        "24 messages, 3 acceptor records and 14 actor-level types today");
  }

  @Test
  void everySampleRoundTripsWithItsContent() throws NotSerializableException {
    for (Object sample : WireSamples.all()) {
      byte[] bytes = serializer.toBinary(sample);
      Object decoded = serializer.decode(bytes, serializer.manifest(sample));
      assertSameContent(sample, decoded);
      assertArrayEquals(bytes, serializer.toBinary(decoded), "re-encoding " + sample + " changed its bytes");
      assertEquals(SynodSerializer.FORMAT_VERSION, bytes[0], "format version byte of " + sample);
    }
  }

  @Test
  void manifestsAreShortAndDistinctPerType() {
    Map<String, Class<?>> seen = new HashMap<>();
    for (Object sample : WireSamples.all()) {
      String manifest = serializer.manifest(sample);
      assertTrue(manifest.length() <= 2, "manifest " + manifest + " of " + sample.getClass().getSimpleName());
      Class<?> previous = seen.putIfAbsent(manifest, sample.getClass());
      assertTrue(previous == null || previous == sample.getClass(),
          "manifest " + manifest + " used by " + previous + " and " + sample.getClass());
    }
    assertEquals(41, seen.size(),
        "24 messages, 3 acceptor records, a group envelope and a batch of them, a stamp, 3 ticket messages and a node"
        + " heartbeat, 7 checkpoint and snapshot types");
  }

  @Test
  void identifierIsFixed() {
    // Stored with every journal event: changing it makes existing journals unreadable.
    assertEquals(4716, serializer.identifier());
  }

  @Test
  void prepareHasTheDocumentedLayout() {
    byte[] bytes = serializer.toBinary(new Prepare(3, new Ballot(5, 2), 9));
    ByteBuffer b = ByteBuffer.wrap(bytes);
    assertEquals(1 + 4 + 12 + 8, bytes.length);
    assertEquals(1, b.get());
    assertEquals(3, b.getInt());
    assertEquals(5, b.getLong());
    assertEquals(2, b.getInt());
    assertEquals(9, b.getLong());
    assertEquals("PR", serializer.manifest(new Prepare(3, new Ballot(5, 2), 9)));
  }

  @Test
  void valueChecksumTravelsUnchangedEvenWhenItDoesNotMatch() throws NotSerializableException {
    Accept accept = new Accept(1, WireSamples.MID, List.of(new Proposal(4, WireSamples.CORRUPT)), -1);
    Accept decoded = (Accept) serializer.decode(serializer.toBinary(accept), "AC");
    Value value = decoded.proposals().get(0).value();
    assertEquals(0xDEADBEEF, value.crc());
    assertTrue(!value.isIntact(), "the receiving core must still see the corruption");
  }

  @Test
  void chosenEndsWithItsChainMark() throws NotSerializableException {
    Chosen chosen = new Chosen(1, List.of(), 3, new Message.ChainMark(0x0102_0304_0506_0708L, 0x0A0B_0C0D));
    byte[] bytes = serializer.toBinary(chosen);
    ByteBuffer tail = ByteBuffer.wrap(bytes, bytes.length - 12, 12);
    assertEquals(0x0102_0304_0506_0708L, tail.getLong());
    assertEquals(0x0A0B_0C0D, tail.getInt());
    assertEquals(chosen.chain(), ((Chosen) serializer.decode(bytes, "CH")).chain());
  }

  @Test
  void aChainMarkItsRecordRefusesIsRefusedWithItsOffset() {
    byte[] bytes = serializer.toBinary(new Chosen(1, List.of(), 3, new Message.ChainMark(0, 9)));
    ByteBuffer.wrap(bytes).putLong(bytes.length - 12, -1); // the chain before instance 0 is 0, not 9
    NotSerializableException e = assertThrows(NotSerializableException.class, () -> serializer.decode(bytes, "CH"));
    assertEquals("Chosen (manifest CH): invalid field before byte " + bytes.length + " of " + bytes.length
        + ": the chain before instance 0 is 0, got 9", e.getMessage());
  }

  @Test
  void aStoredCheckpointOfThisBuildReadsBackWithItsChain() throws NotSerializableException {
    StoredCheckpoint stored = new StoredCheckpoint(42, WireSamples.CHECKPOINT.encode());
    StoredCheckpoint back = (StoredCheckpoint) serializer.decode(serializer.toBinary(stored), "KS");
    io.synod.paxos.Checkpoint c = io.synod.paxos.Checkpoint.decode(back.encoded());
    assertEquals(42, c.nextInstance());
    assertEquals(0x8BAD_F00D, c.chain());
    assertEquals(new Message.ChainMark(41, 0x8BAD_F00D), c.chainMark());
    assertEquals(WireSamples.CHECKPOINT.membership(), c.membership());
  }

  @Test
  void aStoredCheckpointKeepsTheGroupsStopAndFounders() throws Exception {
    StoredCheckpoint stopped = new StoredCheckpoint(42, WireSamples.CHECKPOINT.encode(), "checksum mismatch at 7",
        WireSamples.CHECKPOINT.membership());
    StoredCheckpoint back = (StoredCheckpoint) serializer.decode(serializer.toBinary(stopped), "KS");
    assertEquals("checksum mismatch at 7", back.stoppedFor());
    assertEquals(WireSamples.CHECKPOINT.membership(), back.founders());
    assertEquals(42, back.nextInstance());
    assertEquals("", ((StoredCheckpoint) serializer.decode(serializer.toBinary(StoredCheckpoint.NONE), "KS"))
        .stoppedFor());
  }

  @Test
  void chosenEntryWithoutValueRoundTripsAsNull() throws NotSerializableException {
    Chosen chosen = new Chosen(1, List.of(new ChosenEntry(2, WireSamples.MID, null)), 3);
    Chosen decoded = (Chosen) serializer.decode(serializer.toBinary(chosen), "CH");
    assertNull(decoded.entries().get(0).value());
  }

  @Test
  void groupNamesDecodeAsUtf8WhetherAsciiOrNotAndInvalidBytesAreRefused() throws Exception {
    for (String group : List.of("bench-7", "grüße-グループ")) {
      GroupEnvelope envelope = new GroupEnvelope(group, 2, new Message.WakeUp(2));
      assertEquals(envelope, serializer.decode(serializer.toBinary(envelope), serializer.manifest(envelope)));
    }
    GroupEnvelope one = new GroupEnvelope("x", 2, new Message.WakeUp(2));
    byte[] bytes = serializer.toBinary(one);
    int at = -1;
    for (int i = 0; i < bytes.length && at < 0; i++) {
      at = bytes[i] == 'x' ? i : -1;
    }
    bytes[at] = (byte) 0xFF; // not UTF-8 at all
    NotSerializableException e = assertThrows(NotSerializableException.class,
        () -> serializer.decode(bytes, serializer.manifest(one)));
    assertTrue(e.getMessage().contains("group is not valid UTF-8"), e.getMessage());
  }

  @Test
  void unknownManifestIsRefusedByName() {
    NotSerializableException e = assertThrows(NotSerializableException.class,
        () -> serializer.decode(new byte[] {1}, "ZZ"));
    assertTrue(e.getMessage().contains("'ZZ'"), e.getMessage());
  }

  @Test
  void unknownFormatVersionIsRefused() {
    byte[] bytes = serializer.toBinary(new Prepare(3, WireSamples.MID, 9));
    bytes[0] = 2;
    NotSerializableException e = assertThrows(NotSerializableException.class, () -> serializer.decode(bytes, "PR"));
    assertEquals("Prepare (manifest PR): unknown format version 2 at byte 0; this node reads version 1", e.getMessage());
  }

  @Test
  void overlongLengthIsRefusedBeforeAllocating() {
    byte[] bytes = serializer.toBinary(new ClientRead(1, 2, new byte[] {5, 6}));
    ByteBuffer.wrap(bytes).putInt(13, Integer.MAX_VALUE);
    NotSerializableException e = assertThrows(NotSerializableException.class, () -> serializer.decode(bytes, "CR"));
    assertEquals("ClientRead (manifest CR): length 2147483647 at byte 13 overruns the 19-byte message", e.getMessage());
  }

  @Test
  void overlongListCountIsRefusedBeforeAllocating() {
    byte[] bytes = serializer.toBinary(new Accept(1, WireSamples.MID, List.of(), -1));
    ByteBuffer.wrap(bytes).putInt(17, Integer.MAX_VALUE);
    NotSerializableException e = assertThrows(NotSerializableException.class, () -> serializer.decode(bytes, "AC"));
    assertTrue(e.getMessage().startsWith("Accept (manifest AC): count 2147483647 at byte 17 overruns the 29-byte message"),
        e.getMessage());
  }

  @Test
  void truncationAndTrailingBytesAreRefused() {
    byte[] bytes = serializer.toBinary(new Prepare(3, WireSamples.MID, 9));
    NotSerializableException cut = assertThrows(NotSerializableException.class,
        () -> serializer.decode(Arrays.copyOf(bytes, bytes.length - 1), "PR"));
    assertEquals("Prepare (manifest PR): truncated: a long at byte 17 needs 8 bytes, the message has 24", cut.getMessage());
    NotSerializableException extra = assertThrows(NotSerializableException.class,
        () -> serializer.decode(Arrays.copyOf(bytes, bytes.length + 2), "PR"));
    assertEquals("Prepare (manifest PR): 2 trailing bytes after byte 25 of 27", extra.getMessage());
  }

  @Test
  void fieldsTheCoreRejectsAreRefusedWithTheCoresReason() {
    byte[] bytes = serializer.toBinary(new Prepare(3, WireSamples.MID, 9));
    ByteBuffer.wrap(bytes).putLong(17, -4);
    NotSerializableException e = assertThrows(NotSerializableException.class, () -> serializer.decode(bytes, "PR"));
    assertEquals("Prepare (manifest PR): invalid field before byte 25 of 25: fromInstance must be >= 0, got -4",
        e.getMessage());
    assertTrue(e.getCause() instanceof IllegalArgumentException);
  }

  @Test
  void invalidFlagIsRefused() {
    byte[] bytes = serializer.toBinary(new Chosen(1, List.of(new ChosenEntry(2, WireSamples.MID, null)), 3));
    bytes[1 + 4 + 4 + 8 + 12] = 2;
    NotSerializableException e = assertThrows(NotSerializableException.class, () -> serializer.decode(bytes, "CH"));
    assertEquals("Chosen (manifest CH): flag 2 at byte 29 is neither 0 nor 1", e.getMessage());
  }

  @Test
  void objectsOutsideTheProtocolAreNotSerialized() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> serializer.toBinary("hello"));
    assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
  }

  @Test
  void missingValueOutsideChosenEntryIsRefusedAtEncoding() {
    Accept accept = new Accept(1, WireSamples.MID, List.of(new Proposal(4, null)), -1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> serializer.toBinary(accept));
    assertEquals("Proposal for instance 4 has no value; only a ChosenEntry may omit it", e.getMessage());
  }
}
