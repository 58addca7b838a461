package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {

  private static final Checkpoint CHECKPOINT =
      new Checkpoint(1234567890123L, Fixtures.bytes("state of the machine"), new byte[] {0, 0, 0, 1, 9, -9});

  @Test
  void checkpointSurvivesEncodeAndDecode() {
    Checkpoint back = Checkpoint.decode(CHECKPOINT.encode());
    assertEquals(CHECKPOINT.nextInstance(), back.nextInstance());
    assertArrayEquals(CHECKPOINT.state(), back.state());
    assertArrayEquals(CHECKPOINT.sessions(), back.sessions());
  }

  @Test
  void emptyCheckpointSurvivesEncodeAndDecode() {
    Checkpoint back = Checkpoint.decode(new Checkpoint(0, new byte[0], new byte[0]).encode());
    assertEquals(0, back.nextInstance());
    assertEquals(0, back.state().length);
    assertEquals(0, back.sessions().length);
  }

  @Test
  void decodeRejectsAnyFlippedByte() {
    byte[] good = CHECKPOINT.encode();
    for (int i = 0; i < good.length; i++) {
      byte[] bad = Arrays.copyOf(good, good.length);
      bad[i] ^= 0x01;
      int at = i;
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.decode(bad),
          "flip at byte " + at + " went unnoticed");
      assertTrue(e.getMessage().startsWith("checkpoint: "), e.getMessage());
    }
  }

  @Test
  void decodeRejectsEveryTruncation() {
    byte[] good = CHECKPOINT.encode();
    for (int length = 0; length < good.length; length++) {
      byte[] cut = Arrays.copyOf(good, length);
      int at = length;
      assertThrows(IllegalArgumentException.class, () -> Checkpoint.decode(cut), "truncated to " + at + " bytes");
    }
  }

  @Test
  void invalidCheckpointsCannotBeBuilt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Checkpoint(-1, new byte[0], new byte[0]));
    assertEquals("checkpoint nextInstance must be >= 0, got -1", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint(0, null, new byte[0]));
  }

  @Test
  void checkpointWithAMembershipSurvivesEncodeAndDecode() {
    Membership m = new Membership(5, List.of(1, 2, 4), List.of(3, 7));
    Checkpoint c = new Checkpoint(42, Fixtures.bytes("state"), new byte[] {1, 2}, m);
    Checkpoint back = Checkpoint.decode(c.encode());
    assertEquals(42, back.nextInstance());
    assertArrayEquals(c.state(), back.state());
    assertArrayEquals(c.sessions(), back.sessions());
    assertEquals(m, back.membership());
  }

  @Test
  void checkpointOfAnUnchangedGroupDecodesWithoutAMembership() {
    assertNull(CHECKPOINT.membership());
    assertNull(Checkpoint.decode(CHECKPOINT.encode()).membership());
  }

  @Test
  void checkpointOfVersionOneDecodesWithoutAMembership() {
    Wire.Writer w = new Wire.Writer().writeByte(1).writeLong(9).writeBytes(Fixtures.bytes("old")).writeBytes(new byte[] {5});
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(w.toByteArray());
    Checkpoint back = Checkpoint.decode(w.writeInt((int) crc.getValue()).toByteArray());
    assertEquals(9, back.nextInstance());
    assertEquals("old", Fixtures.string(back.state()));
    assertArrayEquals(new byte[] {5}, back.sessions());
    assertNull(back.membership());
  }

  @Test
  void aMembershipInACheckpointIsCoveredByItsChecksum() {
    byte[] good = new Checkpoint(1, new byte[0], new byte[0], new Membership(1, List.of(2), List.of())).encode();
    for (int i = 0; i < good.length; i++) {
      byte[] bad = Arrays.copyOf(good, good.length);
      bad[i] ^= 0x01;
      assertThrows(IllegalArgumentException.class, () -> Checkpoint.decode(bad), "flip at byte " + i);
    }
  }
}
