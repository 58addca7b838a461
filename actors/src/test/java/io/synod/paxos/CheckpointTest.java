package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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
}
