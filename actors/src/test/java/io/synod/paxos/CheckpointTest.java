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
      new Checkpoint(1234567890123L, Fixtures.bytes("state of the machine"), new byte[] {0, 0, 0, 1, 9, -9}, null,
          0xCAFE_F00D);

  @Test
  void checkpointSurvivesEncodeAndDecode() {
    Checkpoint back = Checkpoint.decode(CHECKPOINT.encode());
    assertEquals(CHECKPOINT.nextInstance(), back.nextInstance());
    assertArrayEquals(CHECKPOINT.state(), back.state());
    assertArrayEquals(CHECKPOINT.sessions(), back.sessions());
    assertEquals(0xCAFE_F00D, back.chain());
    assertEquals(new Message.ChainMark(1234567890122L, 0xCAFE_F00D), back.chainMark());
  }

  @Test
  void emptyCheckpointSurvivesEncodeAndDecode() {
    Checkpoint back = Checkpoint.decode(new Checkpoint(0, new byte[0], new byte[0], null, 0).encode());
    assertEquals(0, back.nextInstance());
    assertEquals(0, back.state().length);
    assertEquals(0, back.sessions().length);
    assertEquals(Message.ChainMark.NONE, back.chainMark());
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
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Checkpoint(-1, new byte[0], new byte[0], null, 0));
    assertEquals("checkpoint nextInstance must be >= 0, got -1", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint(0, null, new byte[0], null, 0));
    e = assertThrows(IllegalArgumentException.class, () -> new Checkpoint(0, new byte[0], new byte[0], null, 5));
    assertEquals("a checkpoint below instance 0 has chain 0, got 5", e.getMessage());
  }

  @Test
  void checkpointWithAMembershipSurvivesEncodeAndDecode() {
    Membership m = new Membership(5, List.of(1, 2, 4), List.of(3, 7));
    Checkpoint c = new Checkpoint(42, Fixtures.bytes("state"), new byte[] {1, 2}, m, -7);
    Checkpoint back = Checkpoint.decode(c.encode());
    assertEquals(42, back.nextInstance());
    assertArrayEquals(c.state(), back.state());
    assertArrayEquals(c.sessions(), back.sessions());
    assertEquals(m, back.membership());
    assertEquals(-7, back.chain());
  }

  @Test
  void checkpointOfAnUnchangedGroupDecodesWithoutAMembership() {
    assertNull(CHECKPOINT.membership());
    assertNull(Checkpoint.decode(CHECKPOINT.encode()).membership());
  }

  @Test
  void checkpointsWrittenBeforeTheChecksumChainAreRefused() {
    Wire.Writer v1 = new Wire.Writer().writeByte(1).writeLong(9).writeBytes(Fixtures.bytes("old")).writeBytes(new byte[] {5});
    Wire.Writer v2 = new Wire.Writer().writeByte(2).writeLong(9).writeBytes(Fixtures.bytes("old")).writeBytes(new byte[] {5})
        .writeBytes(new byte[0]);
    for (Wire.Writer w : List.of(v1, v2)) {
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(w.toByteArray());
      byte[] bytes = w.writeInt((int) crc.getValue()).toByteArray();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.decode(bytes));
      assertEquals("checkpoint: version " + bytes[0] + " was written before checkpoints carried the checksum chain;"
          + " this node reads version 4 only", e.getMessage());
    }
  }

  @Test
  void checkpointsWrittenBeforeSessionTablesCarriedTheirExpiryAreRefused() {
    byte[] current = CHECKPOINT.encode();
    byte[] body = Arrays.copyOf(current, current.length - 4);
    body[0] = 3;
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(body);
    byte[] sealed = java.nio.ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.decode(sealed));
    assertEquals("checkpoint: version 3 was written before session tables carried what their expiry needs; this node"
        + " reads version 4 only", e.getMessage());
  }

  @Test
  void aMembershipInACheckpointIsCoveredByItsChecksum() {
    byte[] good = new Checkpoint(1, new byte[0], new byte[0], new Membership(1, List.of(2), List.of()), 3).encode();
    for (int i = 0; i < good.length; i++) {
      byte[] bad = Arrays.copyOf(good, good.length);
      bad[i] ^= 0x01;
      assertThrows(IllegalArgumentException.class, () -> Checkpoint.decode(bad), "flip at byte " + i);
    }
  }
}
