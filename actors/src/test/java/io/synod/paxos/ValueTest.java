package io.synod.paxos;

import static io.synod.paxos.Fixtures.GROUP;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.corrupted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Membership.Change;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueTest {

  private static final List<ClientCommand> BATCH = List.of(
      command(7, 1, "put a 1"),
      command(7, 2, ""),
      new ClientCommand(-3, Long.MAX_VALUE, new byte[] {0, -1, 127, -128}));

  @Test
  void commandsSurviveEncodingInProposalOrder() {
    Value v = Value.of(BATCH);
    assertEquals(BATCH, v.commands());
    assertTrue(v.isIntact());
    assertFalse(v.isNoop());
    assertEquals(13 + BATCH.stream().mapToInt(ClientCommand::encodedSize).sum(), v.size());
    assertEquals(0, v.stamp(), "unstamped");
  }

  @Test
  void aStampTravelsWithTheValueUnderItsChecksum() {
    Value v = Value.of(BATCH, 1_700_000_000_123L);
    Value received = Value.fromWire(v.bytes().clone(), v.crc()).verify(GROUP, 4, 2);
    assertEquals(1_700_000_000_123L, received.stamp());
    assertEquals(BATCH, received.commands());
    assertNotEquals(Value.of(BATCH), v, "the same commands proposed at another time are another value");
    assertNotEquals(Value.of(BATCH, 1_700_000_000_124L), v);
    for (int i = 1; i < 9; i++) {
      assertFalse(corrupted(v, i).isIntact(), "a flip in the stamp at byte " + i + " went unnoticed");
    }
  }

  @Test
  void aNegativeStampIsRefusedWhenProposedAndWhenReceived() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Value.of(BATCH, -1));
    assertEquals("a value's stamp must be >= 0, got -1", e.getMessage());
    byte[] b = Value.of(BATCH, 5).bytes().clone();
    Value.writeLong(b, 1, -5);
    CorruptValueException refused = assertThrows(CorruptValueException.class,
        () -> Value.fromWire(b, Value.checksum(b)).verify(GROUP, 3, 2));
    assertTrue(refused.getMessage().contains("its stamp -5 is negative"), refused.getMessage());
  }

  @Test
  void aValueWrittenBeforeStampsIsReadWithStampZero() {
    // version 1: version:1 count:4, then the commands as today
    byte[] current = Value.of(BATCH).bytes();
    byte[] old = new byte[current.length - 8];
    old[0] = 1;
    System.arraycopy(current, 9, old, 1, current.length - 9);
    Value v = Value.fromWire(old, Value.checksum(old)).verify(GROUP, 0, 2);
    assertEquals(BATCH, v.commands());
    assertEquals(0, v.stamp());
    assertFalse(v.carriesMembershipChange());
    byte[] oldNoop = {1, 0, 0, 0, 0};
    assertTrue(Value.fromWire(oldNoop, Value.checksum(oldNoop)).verify(GROUP, 0, 2).isNoop());
  }

  @Test
  void valueFromTheWireEqualsTheProposedOne() {
    Value v = Value.of(BATCH);
    Value received = Value.fromWire(v.bytes().clone(), v.crc());
    assertEquals(v, received);
    assertEquals(v.hashCode(), received.hashCode());
    assertEquals(BATCH, received.verify(GROUP, 4, 2).commands());
  }

  @Test
  void crcIsTheCrc32OfTheEncodedBytes() {
    Value v = Value.of(BATCH);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(v.bytes());
    assertEquals((int) crc.getValue(), v.crc());
  }

  @Test
  void noopIsAnEmptyBatch() {
    Value noop = Value.noop();
    assertTrue(noop.isNoop());
    assertEquals(List.of(), noop.commands());
    assertEquals(noop, Value.of(List.of()));
    assertTrue(Value.of(List.of()).isNoop());
    assertFalse(Value.of(List.of(command(1, 1, ""))).isNoop(), "a batch of one empty command is not a no-op");
    assertEquals("Value[noop]", noop.toString());
  }

  @Test
  void verifyReturnsAnIntactValue() {
    Value v = Value.of(BATCH);
    assertSame(v, v.verify(GROUP, 0, 1));
  }

  @Test
  void verifyNamesGroupInstanceAndSenderOfAFlippedByte() {
    Value v = Value.of(BATCH);
    for (int i = 0; i < v.size(); i++) {
      Value bad = corrupted(v, i);
      assertFalse(bad.isIntact(), "flip at byte " + i + " went unnoticed");
      CorruptValueException e = assertThrows(CorruptValueException.class, () -> bad.verify(GROUP, 42, 3));
      assertEquals(GROUP, e.group());
      assertEquals(42, e.instance());
      assertEquals(3, e.sender());
      assertTrue(e.getMessage().contains("'" + GROUP + "'") && e.getMessage().contains("instance 42")
          && e.getMessage().contains("node 3"), e.getMessage());
    }
  }

  @Test
  void wrongChecksumIsCaughtEvenWithIntactBytes() {
    Value v = Value.of(BATCH);
    Value wrongCrc = Value.fromWire(v.bytes(), v.crc() ^ 1);
    assertNotEquals(v, wrongCrc);
    assertThrows(CorruptValueException.class, () -> wrongCrc.verify(GROUP, 0, 2));
  }

  @Test
  void malformedBatchIsRefusedWhenDecoded() {
    assertThrows(IllegalStateException.class, () -> Value.fromWire(new byte[] {9, 0, 0, 0, 0}, 0).commands());
    Value v = Value.of(List.of(command(1, 1, "abc")));
    byte[] trailing = java.util.Arrays.copyOf(v.bytes(), v.size() + 1);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Value.fromWire(trailing, Value.checksum(trailing)).commands());
    assertTrue(e.getMessage().contains("1 trailing bytes"), e.getMessage());
  }

  @Test
  void aValueWithAHugeCommandCountAndAValidChecksumIsCorruptNotAnAllocation() {
    byte[] b = Value.of(List.of(command(1, 1, "abc"))).bytes().clone();
    Value.writeInt(b, 9, Integer.MAX_VALUE); // two billion commands in 36 bytes
    Value crafted = Value.fromWire(b, Value.checksum(b));
    CorruptValueException e = assertThrows(CorruptValueException.class, () -> crafted.verify(GROUP, 7, 2));
    assertTrue(e.getMessage().contains("2147483647 commands cannot fit"), e.getMessage());
    assertEquals(7, e.instance());
    IllegalStateException decoded = assertThrows(IllegalStateException.class, crafted::commands);
    assertTrue(decoded.getMessage().contains("cannot fit"), decoded.getMessage());
  }

  @Test
  void aCommandLengthPastTheValueIsCorruptEvenWithAValidChecksum() {
    byte[] b = Value.of(List.of(command(1, 1, "abc"), command(1, 2, "de"))).bytes().clone();
    Value.writeInt(b, 13 + 16, 1 << 20); // the first command claims a mebibyte
    CorruptValueException e = assertThrows(CorruptValueException.class,
        () -> Value.fromWire(b, Value.checksum(b)).verify(GROUP, 0, 2));
    assertTrue(e.getMessage().contains("claims 1048576 bytes"), e.getMessage());
    byte[] trailing = java.util.Arrays.copyOf(Value.of(List.of(command(1, 1, "abc"))).bytes(), 37);
    assertThrows(CorruptValueException.class, () -> Value.fromWire(trailing, Value.checksum(trailing)).verify(GROUP, 0, 2));
    Value.noop().verify(GROUP, 0, 2); // a no-op is a well-formed empty batch
  }

  /**
   * Crafted values with valid checksums (random ints written over real batches, truncations,
   * random bytes): {@code verify} either passes, and then the batch decodes, or throws {@link
   * CorruptValueException}; nothing else escapes and nothing large is allocated. Seeded.
   */
  @Test
  void craftedValuesWithValidChecksumsAreDecodedOrRefusedNeverAllocatedBlindly() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(0x7A1E);
    byte[] real = Value.of(List.of(command(1, 1, "abc"), command(2, 5, ""), command(3, 9, "0123456789"))).bytes();
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] b;
      switch (random.nextInt(3)) {
        case 0 -> {
          b = real.clone();
          Value.writeInt(b, random.nextInt(b.length - 3), random.nextInt());
        }
        case 1 -> b = java.util.Arrays.copyOf(real, random.nextInt(real.length + 8));
        default -> {
          b = new byte[random.nextInt(64)];
          random.nextBytes(b);
          if (b.length > 0) {
            b[0] = (byte) (1 + random.nextInt(2)); // either version
          }
        }
      }
      Value v = Value.fromWire(b, Value.checksum(b));
      try {
        v.verify(GROUP, i, 2);
      } catch (CorruptValueException e) {
        refused++;
        continue;
      }
      assertTrue(v.commands().size() <= b.length / 20, "a verified value decodes within its bytes");
    }
    assertTrue(refused > 10_000, "most crafted values are malformed: " + refused + " refused");
  }

  @Test
  void fromWireRejectsNullBytes() {
    assertThrows(IllegalArgumentException.class, () -> Value.fromWire(null, 0));
  }

  @Test
  void commandSequenceStartsAtOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> command(1, 0, "x"));
    assertEquals("command sequence must be >= 1, got 0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ClientCommand(1, 1, null));
  }

  @Test
  void commandsCompareByContent() {
    ClientCommand a = command(7, 3, "same");
    ClientCommand b = command(7, 3, "same");
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, command(7, 3, "other"));
    assertNotEquals(a, command(8, 3, "same"));
    assertArrayEquals(Fixtures.bytes("same"), a.payload());
  }

  // ---- membership changes ----

  private static final Membership START = new Membership(0, List.of(1, 2, 3), List.of());

  private static ClientCommand change(long sequence, long expectedEpoch, List<Integer> voters, List<Integer> learners) {
    return ClientCommand.membership(9, sequence, new Change(expectedEpoch, new Membership(0, voters, learners)));
  }

  @Test
  void batchMixingACommandAndAMembershipChangeKeepsTheFlag() {
    ClientCommand plain = command(7, 1, "put a 1");
    ClientCommand change = change(1, 0, List.of(1, 2, 4), List.of(3));
    Value proposed = Value.of(List.of(plain, change));
    Value v = Value.fromWire(proposed.bytes().clone(), proposed.crc());
    List<ClientCommand> back = v.verify(GROUP, 0, 2).commands();
    assertEquals(List.of(plain, change), back);
    assertFalse(back.get(0).membershipChange());
    assertTrue(back.get(1).membershipChange());
    assertArrayEquals(change.payload(), back.get(1).payload(), "the flag is not part of the payload's length");
    assertEquals(new Change(0, new Membership(0, List.of(1, 2, 4), List.of(3))), Change.decode(back.get(1).payload()));
    assertEquals(13 + plain.encodedSize() + change.encodedSize(), v.size());
  }

  @Test
  void aFlaggedCommandDiffersFromTheSameUnflaggedOne() {
    ClientCommand change = change(1, 0, List.of(1), List.of());
    ClientCommand plain = new ClientCommand(change.clientId(), change.sequence(), change.payload());
    assertNotEquals(change, plain);
    assertNotEquals(Value.of(List.of(change)), Value.of(List.of(plain)));
  }

  @Test
  void carriesMembershipChangeOnlyWhenABatchHoldsOne() {
    assertFalse(Value.noop().carriesMembershipChange());
    assertFalse(Value.of(BATCH).carriesMembershipChange());
    ClientCommand change = change(1, 0, List.of(1, 2), List.of());
    assertTrue(Value.of(List.of(change)).carriesMembershipChange());
    assertTrue(Value.of(List.of(command(7, 1, "a"), command(7, 2, "bb"), change)).carriesMembershipChange(),
        "found after commands of other lengths");
    assertTrue(Value.of(List.of(change, command(7, 1, "a"))).carriesMembershipChange());
    assertFalse(Value.of(List.of(new ClientCommand(9, 1, change.payload()))).carriesMembershipChange(),
        "the same bytes unflagged are a state machine's command");
  }

  @Test
  void membershipAfterAppliesEveryChangeOfTheBatchInOrder() {
    Value v = Value.of(List.of(
        change(1, 0, List.of(1, 2, 4), List.of()),
        command(7, 1, "between"),
        change(2, 1, List.of(1, 4), List.of(2))));
    assertEquals(new Membership(2, List.of(1, 4), List.of(2)), v.membershipAfter(START),
        "the second change was made against the epoch the first one makes");
    Value reversed = Value.of(List.of(
        change(2, 1, List.of(1, 4), List.of(2)),
        change(1, 0, List.of(1, 2, 4), List.of())));
    assertEquals(new Membership(1, List.of(1, 2, 4), List.of()), reversed.membershipAfter(START),
        "in the other order the first is refused (epoch 1 against epoch 0) and only the second applies");
  }

  @Test
  void membershipAfterReturnsTheSameInstanceWhenNothingChanges() {
    assertSame(START, Value.noop().membershipAfter(START));
    assertSame(START, Value.of(BATCH).membershipAfter(START));
    assertSame(START, Value.of(List.of(change(1, 0, List.of(3, 2, 1), List.of()))).membershipAfter(START),
        "a change to the nodes there are already");
    assertSame(START, Value.of(List.of(change(1, 5, List.of(1, 2), List.of()))).membershipAfter(START),
        "a change made against another epoch");
    assertSame(START, Value.of(List.of(new ClientCommand(9, 1, new byte[] {1, 2}, true))).membershipAfter(START),
        "a change that does not decode");
  }
}
