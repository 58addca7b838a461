package io.synod.paxos;

import static io.synod.paxos.Fixtures.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint comes from disk or from a peer, so its bytes may claim anything, even under a valid
 * checksum: a state, session table or membership longer than the checkpoint, a session table of
 * two billion clients, a membership of two billion voters. Decoding it ({@link Checkpoint#decode},
 * then {@link Learner#checkInstallable}: the session table and the state machine's restore) ends
 * in an {@link IllegalArgumentException} naming the defect and its offset, which the checkpoint
 * actor turns into a refusal; it never allocates what the bytes cannot hold, and nothing else
 * escapes. The seeded loop prints its seed and the command that replays it ({@code
 * -Dsynod.fuzz.seed=N}).
 */
class HostileCheckpointTest {

  private static final long SEED = Long.getLong("synod.fuzz.seed", 0xC4EC_4901L);
  private static final String REPLAY = "mvn -B -q -pl actors -am test -Dtest=HostileCheckpointTest"
      + " -Dsurefire.failIfNoSpecifiedTests=false -Dsynod.fuzz.seed=" + SEED;
  private static final int MUTATION_CASES = 100_000;
  private static final GroupConfig CONFIG = Fixtures.config(1).build();

  @BeforeAll
  static void printSeed() {
    System.out.println("HostileCheckpointTest: seed " + SEED + "; replay: " + REPLAY);
  }

  private static final Tuning WINDOW_OF_FOUR = Tuning.DEFAULTS.withSessionWindow(4);

  /** A session table of three clients, one with several results, used in that order. */
  private static byte[] sessions() {
    Sessions s = new Sessions(WINDOW_OF_FOUR);
    long instance = 0;
    for (long client : new long[] {-5, 7, 1L << 40}) {
      for (long sequence = 1; sequence <= (client == 7 ? 6 : 1); sequence++) {
        byte[] result = ("r" + client + "/" + sequence).getBytes();
        s.advance(1_000 + instance);
        s.apply(instance++, command(client, sequence, "c"), () -> result);
      }
    }
    return s.encode();
  }

  /** A session table: the log's time 10, nothing expired, then {@code sessions} as they are written. */
  private static Wire.Writer table(int sessions) {
    return new Wire.Writer().writeLong(10).writeLong(0).writeLong(0).writeInt(sessions);
  }

  private static final Membership MEMBERSHIP = new Membership(3, List.of(1, 2, 4), List.of(5, 6), List.of(6));

  private static byte[] realCheckpoint() {
    ListStateMachine machine = new ListStateMachine();
    machine.apply(0, Fixtures.bytes("a"));
    machine.apply(1, Fixtures.bytes("bc"));
    return new Checkpoint(17, machine.snapshot(), sessions(), MEMBERSHIP, 0).encode();
  }

  /** {@code body} with a CRC32 that matches it: damage the checksum cannot see. */
  private static byte[] seal(byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(body, 0, body.length);
    return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
  }

  /** A real checkpoint with {@code v} written at {@code offset} of its body, sealed again. */
  private static byte[] withIntAt(int offset, int v) {
    byte[] cp = realCheckpoint();
    byte[] body = Arrays.copyOf(cp, cp.length - 4);
    ByteBuffer.wrap(body).putInt(offset, v);
    return seal(body);
  }

  private static String refusal(Runnable decode) {
    return assertThrows(IllegalArgumentException.class, decode::run).getMessage();
  }

  // ---- crafted ----

  @Test
  void aStateSessionsOrMembershipLengthPastTheEndIsRefusedUnderAValidChecksum() {
    // version:1 nextInstance:8, then state, sessions and membership, each length:4 then bytes.
    byte[] real = realCheckpoint();
    int stateLength = ByteBuffer.wrap(real).getInt(9);
    int sessionsAt = 9 + 4 + stateLength;
    int sessionsLength = ByteBuffer.wrap(real).getInt(sessionsAt);
    int membershipAt = sessionsAt + 4 + sessionsLength;
    for (int at : new int[] {9, sessionsAt, membershipAt}) {
      for (int claim : ByteMutations.HOSTILE_INTS) {
        String why = refusal(() -> Checkpoint.decode(withIntAt(at, claim)));
        assertTrue(why.startsWith("checkpoint: ") && why.contains("at byte " + at), why);
      }
    }
    assertEquals("checkpoint: length 2147483647 at byte 9 overruns the " + (real.length - 4 - 13)
        + " bytes that follow it", refusal(() -> Checkpoint.decode(withIntAt(9, Integer.MAX_VALUE))));
  }

  @Test
  void aMembershipOfTwoBillionVotersOrMoreThanAGroupHasIsRefused() {
    byte[] real = realCheckpoint();
    int stateLength = ByteBuffer.wrap(real).getInt(9);
    int sessionsAt = 9 + 4 + stateLength;
    int membershipAt = sessionsAt + 4 + ByteBuffer.wrap(real).getInt(sessionsAt);
    int votersAt = membershipAt + 4 + 1 + 8;
    assertEquals(3, ByteBuffer.wrap(real).getInt(votersAt), "the test's offset does not match the format");
    String why = refusal(() -> Checkpoint.decode(withIntAt(votersAt, Integer.MAX_VALUE)));
    assertTrue(why.startsWith("checkpoint: the membership at byte " + (membershipAt + 4) + " does not decode: "
        + "membership: 2147483647 voters at byte 9 cannot fit"), why);
    Wire.Writer many = new Wire.Writer().writeByte(1).writeLong(0).writeInt(5000);
    for (int i = 0; i < 5000; i++) {
      many.writeInt(i);
    }
    byte[] big = many.writeInt(0).writeInt(0).toByteArray();
    assertEquals("membership: 5000 voters at byte 9, more than the 4096 a group may have",
        refusal(() -> Membership.decode(big)));
  }

  @Test
  void aSessionTableClaimingMoreSessionsOrResultsThanItHoldsIsRefusedAndTheCheckpointIsNotInstallable() {
    // logTime:8 expiredThrough:8 expired:8 count:4, then the first session: clientId:8 openedAbove:8
    // floor:8 lastUsed:8 results:4, and its first result: sequence:8 length:4 bytes.
    byte[] real = sessions();
    assertEquals(3, ByteBuffer.wrap(real).getInt(24));
    assertEquals(-5, ByteBuffer.wrap(real).getLong(28), "the test's offsets do not match the format");
    for (int claim : ByteMutations.HOSTILE_INTS) {
      byte[] clients = real.clone();
      ByteBuffer.wrap(clients).putInt(24, claim);
      String why = refusal(() -> Sessions.decode(clients, WINDOW_OF_FOUR));
      assertTrue(why.startsWith("session table: " + claim + " sessions at byte 24 cannot fit"), why);
      String notInstallable = refusal(() -> Learner.checkInstallable(CONFIG,
          new Checkpoint(17, new ListStateMachine().snapshot(), clients, null, 0), new ListStateMachine()));
      assertTrue(notInstallable.startsWith("checkpoint below instance 17: its session table does not decode: "),
          notInstallable);
      byte[] results = real.clone();
      ByteBuffer.wrap(results).putInt(28 + 32, claim);
      assertTrue(refusal(() -> Sessions.decode(results, WINDOW_OF_FOUR))
          .contains("results of client -5 at byte 60 cannot fit"));
      byte[] length = real.clone();
      ByteBuffer.wrap(length).putInt(28 + 36 + 8, claim);
      assertTrue(refusal(() -> Sessions.decode(length, WINDOW_OF_FOUR)).contains("at byte 72 overruns"));
    }
  }

  @Test
  void aSessionTableListingAClientOrASequenceTwiceIsRefusedNotMerged() {
    Wire.Writer twice = table(2);
    for (int i = 0; i < 2; i++) {
      twice.writeLong(9).writeLong(0).writeLong(0).writeLong(5).writeInt(1).writeLong(1).writeBytes(new byte[] {1});
    }
    assertEquals("session table: client 9 at byte 77 is listed twice",
        refusal(() -> Sessions.decode(twice.toByteArray(), WINDOW_OF_FOUR)));
    byte[] sequences = table(1).writeLong(9).writeLong(0).writeLong(0).writeLong(5).writeInt(2)
        .writeLong(3).writeBytes(new byte[0]).writeLong(2).writeBytes(new byte[0]).toByteArray();
    assertEquals("session table: sequence 2 of client 9 at byte 76 is not above 3 (sequences ascend above the floor)",
        refusal(() -> Sessions.decode(sequences, WINDOW_OF_FOUR)));
    byte[] atFloor = table(1).writeLong(9).writeLong(0).writeLong(4).writeLong(5).writeInt(1)
        .writeLong(4).writeBytes(new byte[0]).toByteArray();
    assertEquals("session table: sequence 4 of client 9 at byte 64 is not above 4 (sequences ascend above the floor)",
        refusal(() -> Sessions.decode(atFloor, WINDOW_OF_FOUR)));
  }

  @Test
  void aSessionTableWhoseSessionsAreNotLeastRecentlyUsedFirstOrUsedInTheFutureIsRefused() {
    byte[] reversed = table(2).writeLong(1).writeLong(0).writeLong(0).writeLong(7).writeInt(0)
        .writeLong(2).writeLong(0).writeLong(0).writeLong(6).writeInt(0).toByteArray();
    assertEquals("session table: client 2 at byte 64 was last used at 6, not between the session before it (7) and"
        + " the log's time (10): sessions come least recently used first",
        refusal(() -> Sessions.decode(reversed, WINDOW_OF_FOUR)));
    byte[] future = table(1).writeLong(1).writeLong(0).writeLong(0).writeLong(11).writeInt(0).toByteArray();
    assertTrue(refusal(() -> Sessions.decode(future, WINDOW_OF_FOUR)).contains("was last used at 11"));
    byte[] floorBelowOpening = table(1).writeLong(1).writeLong(8).writeLong(7).writeLong(5).writeInt(0).toByteArray();
    assertEquals("session table: client 1 at byte 28 has floor 7 below where it opened, 8",
        refusal(() -> Sessions.decode(floorBelowOpening, WINDOW_OF_FOUR)));
    byte[] negativeTime = new Wire.Writer().writeLong(-1).writeLong(0).writeLong(0).writeInt(0).toByteArray();
    assertEquals("session table: the log's time at byte 0 is negative: -1",
        refusal(() -> Sessions.decode(negativeTime, WINDOW_OF_FOUR)));
  }

  @Test
  void aNegativeSessionCountIsRefusedNotReadAsAnEmptyTable() {
    byte[] negative = new Wire.Writer().writeLong(0).writeLong(0).writeLong(0).writeInt(-1).toByteArray();
    assertTrue(refusal(() -> Sessions.decode(negative, WINDOW_OF_FOUR)).startsWith("session table: -1 sessions"));
    Sessions.decode(new byte[28], WINDOW_OF_FOUR); // an empty table at time 0 is 28 zero bytes
  }

  // ---- seeded mutations ----

  @Test
  void seededMutationsUnderAValidChecksumAreDecodedOrRefusedWithIllegalArgumentException() {
    byte[] real = realCheckpoint();
    byte[] body = Arrays.copyOf(real, real.length - 4);
    SplittableRandom random = new SplittableRandom(SEED);
    int[] outcomes = new int[3]; // refused by decode, refused by the install check, installable
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      for (int i = 0; i < MUTATION_CASES; i++) {
        byte[] mutated = body;
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
          mutated = ByteMutations.mutate(mutated, random);
        }
        outcomes[decodeAndCheck(seal(mutated), "case " + i)]++;
      }
    }, "decoding hung; replay: " + REPLAY);
    System.out.printf("HostileCheckpointTest: %d mutated checkpoints: %d refused by decode, %d by the install check,"
        + " %d installable, seed %d%n", MUTATION_CASES, outcomes[0], outcomes[1], outcomes[2], SEED);
    assertTrue(outcomes[0] > MUTATION_CASES / 4 && outcomes[1] > MUTATION_CASES / 100,
        "the mutations should reach both checks; replay: " + REPLAY);
  }

  /** 0 if decode refused it, 1 if the install check did, 2 if it is installable. */
  private static int decodeAndCheck(byte[] bytes, String context) {
    Checkpoint c;
    try {
      c = Checkpoint.decode(bytes);
    } catch (IllegalArgumentException e) {
      return 0;
    } catch (Throwable t) {
      throw new AssertionError(t + " escaped decoding " + HexFormat.of().formatHex(bytes) + " (" + context
          + "); replay: " + REPLAY, t);
    }
    try {
      Learner.checkInstallable(CONFIG, c, new ListStateMachine());
      return 2;
    } catch (IllegalArgumentException e) {
      return 1;
    } catch (Throwable t) {
      throw new AssertionError(t + " escaped checking " + HexFormat.of().formatHex(bytes) + " (" + context
          + "); replay: " + REPLAY, t);
    }
  }
}
