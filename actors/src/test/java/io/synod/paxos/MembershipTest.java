package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Membership.Change;
import io.synod.paxos.Membership.Outcome;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipTest {

  /** Epoch 3 of a group: voters 1, 2, 3 and learner 4. */
  private static final Membership AT_3 = new Membership(3, List.of(3, 1, 2), List.of(4));

  private static Membership target(List<Integer> voters, List<Integer> learners) {
    return new Membership(0, voters, learners); // a change's target: its epoch plays no part
  }

  private static String invalid(long epoch, List<Integer> voters, List<Integer> learners) {
    return assertThrows(IllegalArgumentException.class, () -> new Membership(epoch, voters, learners)).getMessage();
  }

  // ---- validation ----

  @Test
  void invalidMembershipsCannotBeBuiltAndSayWhy() {
    assertEquals("a group needs at least one voter", invalid(0, List.of(), List.of(1)));
    assertEquals("node 2 is listed both as a voter and as a learner", invalid(0, List.of(1, 2), List.of(3, 2)));
    assertEquals("voters list a node twice: [1, 2, 1]", invalid(0, List.of(1, 2, 1), List.of()));
    assertEquals("learners list a node twice: [5, 5]", invalid(0, List.of(1), List.of(5, 5)));
    assertEquals("node ids must be >= 0, got -1", invalid(0, List.of(2, -1), List.of()));
    assertEquals("node ids must be >= 0, got -7", invalid(0, List.of(1), List.of(-7)));
    assertEquals("membership epoch must be >= 0, got -1", invalid(-1, List.of(1), List.of()));
    assertEquals("voters must not be null", invalid(0, null, List.of()));
    assertEquals("learners must not be null", invalid(0, List.of(1), null));
  }

  @Test
  void idsAreKeptSortedAndRolesAnswered() {
    assertEquals(List.of(1, 2, 3), AT_3.voters());
    assertEquals(List.of(4), AT_3.learners());
    assertEquals(List.of(1, 2, 3, 4), AT_3.everyone());
    assertTrue(AT_3.isVoter(2));
    assertFalse(AT_3.isVoter(4));
    assertTrue(AT_3.isLearner(4));
    assertTrue(AT_3.includes(4));
    assertFalse(AT_3.includes(5));
  }

  @Test
  void quorumIsAMajorityOfTheVotersAlone() {
    assertEquals(1, new Membership(0, List.of(1), List.of()).quorum());
    assertEquals(2, new Membership(0, List.of(1, 2), List.of()).quorum());
    assertEquals(2, new Membership(0, List.of(1, 2, 3), List.of(4, 5, 6)).quorum(), "learners do not count");
    assertEquals(3, new Membership(0, List.of(1, 2, 3, 4), List.of()).quorum());
    assertEquals(3, new Membership(0, List.of(1, 2, 3, 4, 5), List.of()).quorum());
  }

  // ---- apply ----

  @Test
  void changeMadeAgainstTheCurrentEpochTakesEffectAsTheNextEpoch() {
    Outcome o = AT_3.apply(new Change(3, new Membership(9, List.of(1, 2, 5), List.of(3))));
    assertNull(o.refusal());
    assertEquals(new Membership(4, List.of(1, 2, 5), List.of(3)), o.membership(),
        "epoch + 1, whatever epoch the target names");
  }

  @Test
  void changeToTheSameNodesSucceedsAndChangesNothingWhateverItsEpoch() {
    for (long expected : new long[] {0, 2, 3, 4, 99}) {
      Outcome o = AT_3.apply(new Change(expected, target(List.of(3, 2, 1), List.of(4))));
      assertNull(o.refusal(), "made against epoch " + expected);
      assertSame(AT_3, o.membership(), "made against epoch " + expected);
    }
  }

  @Test
  void changeMadeAgainstAnotherEpochIsRefusedNamingBothAndChangesNothing() {
    for (long expected : new long[] {2, 4}) {
      Outcome o = AT_3.apply(new Change(expected, target(List.of(1, 2), List.of())));
      assertSame(AT_3, o.membership());
      assertTrue(o.refusal() != null && o.refusal().contains("made against epoch " + expected)
          && o.refusal().contains("the group is at epoch 3") && o.refusal().contains("nothing was changed"),
          o.refusal());
    }
  }

  @Test
  void commandWhosePayloadIsNotAChangeIsRefusedAndChangesNothing() {
    for (byte[] payload : List.of(new byte[0], new byte[] {1, 0, 0}, new byte[] {7, 0, 0, 0, 0, 0, 0, 0, 3})) {
      Outcome o = Membership.applyCommand(AT_3, new ClientCommand(1, 1, payload, true));
      assertSame(AT_3, o.membership(), Arrays.toString(payload));
      assertTrue(o.refusal() != null && o.refusal().startsWith("not a valid membership change (")
          && o.refusal().endsWith("); nothing was changed"), o.refusal());
    }
  }

  @Test
  void commandHoldingAChangeIsAppliedAsTheChange() {
    Outcome o = Membership.applyCommand(AT_3, ClientCommand.membership(1, 1, new Change(3, target(List.of(7), List.of()))));
    assertNull(o.refusal());
    assertEquals(new Membership(4, List.of(7), List.of()), o.membership());
  }

  @Test
  void changeNeedsATarget() {
    assertThrows(IllegalArgumentException.class, () -> new Change(0, null));
  }

  // ---- encoding ----

  @Test
  void membershipSurvivesEncodeAndDecode() {
    for (Membership m : List.of(AT_3, new Membership(0, List.of(0), List.of()),
        new Membership(Long.MAX_VALUE, List.of(1, 5, Integer.MAX_VALUE), List.of(2, 3)))) {
      assertEquals(m, Membership.decode(m.encode()));
    }
  }

  @Test
  void changeSurvivesEncodeAndDecode() {
    Change c = new Change(3, new Membership(1, List.of(1, 2, 5), List.of(3)));
    assertEquals(c, Change.decode(c.encode()));
  }

  /** An encoded membership written by hand: version, epoch, voters, learners. */
  private static byte[] encoded(int version, long epoch, int[] voters, int[] learners) {
    Wire.Writer w = new Wire.Writer().writeByte(version).writeLong(epoch).writeInt(voters.length);
    for (int v : voters) {
      w.writeInt(v);
    }
    w.writeInt(learners.length);
    for (int l : learners) {
      w.writeInt(l);
    }
    w.writeInt(0); // no learner catching up
    return w.toByteArray();
  }

  @Test
  void handWrittenEncodingMatchesEncode() {
    assertArrayEquals(encoded(1, 3, new int[] {1, 2, 3}, new int[] {4}), AT_3.encode());
  }

  @Test
  void decodeRefusesIdsNotInAscendingOrder() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Membership.decode(encoded(1, 0, new int[] {2, 1}, new int[] {})));
    assertEquals("membership: node ids not in ascending order", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Membership.decode(encoded(1, 0, new int[] {1}, new int[] {5, 3})));
    assertEquals("membership: node ids not in ascending order", e.getMessage());
  }

  @Test
  void decodeRefusesAnUnknownVersion() {
    byte[] bytes = AT_3.encode();
    bytes[0] = 2;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Membership.decode(bytes));
    assertEquals("membership: unknown version 2", e.getMessage());
    byte[] change = new Change(3, AT_3).encode();
    change[0] = 9;
    e = assertThrows(IllegalArgumentException.class, () -> Change.decode(change));
    assertEquals("membership change: unknown version 9", e.getMessage());
  }

  @Test
  void decodeRefusesEveryTruncationAndTrailingBytes() {
    byte[] good = AT_3.encode();
    for (int length = 0; length < good.length; length++) {
      byte[] cut = Arrays.copyOf(good, length);
      assertThrows(IllegalArgumentException.class, () -> Membership.decode(cut), "truncated to " + length + " bytes");
    }
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThrows(IllegalArgumentException.class, () -> Membership.decode(longer));
    byte[] change = new Change(3, AT_3).encode();
    for (int length = 0; length < change.length; length++) {
      byte[] cut = Arrays.copyOf(change, length);
      assertThrows(IllegalArgumentException.class, () -> Change.decode(cut), "change truncated to " + length + " bytes");
    }
  }

  @Test
  void decodeRefusesAnImplausibleNodeCount() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Membership.decode(new Wire.Writer().writeByte(1).writeLong(0).writeInt(-1).toByteArray()));
    assertEquals("membership: -1 voters at byte 9 cannot fit in the 0 bytes that follow (each takes at least 4)",
        e.getMessage());
  }

  // ---- outcome as a client's result ----

  @Test
  void successfulOutcomeSurvivesResultAndOfResult() {
    Outcome o = AT_3.apply(new Change(3, target(List.of(1, 2), List.of(3))));
    Outcome back = Outcome.ofResult(o.result());
    assertNull(back.refusal());
    assertEquals(new Membership(4, List.of(1, 2), List.of(3)), back.membership());
    assertEquals(o, back);
  }

  @Test
  void refusalSurvivesResultAndOfResultWithoutAMembership() {
    Outcome o = AT_3.apply(new Change(1, target(List.of(1, 2), List.of())));
    assertTrue(o.refusal() != null);
    Outcome back = Outcome.ofResult(o.result());
    assertEquals(o.refusal(), back.refusal());
    assertNull(back.membership(), "a refusal's result carries the reason only");
    String unusual = "\u00e9poque \u2260 \ud83d\ude00";
    assertEquals(unusual, Outcome.ofResult(new Outcome(AT_3, unusual).result()).refusal(), "every char, surrogates too");
    assertEquals("", Outcome.ofResult(new Outcome(AT_3, "").result()).refusal());
  }

  @Test
  void ofResultRefusesBytesThatAreNoResult() {
    assertThrows(IllegalArgumentException.class, () -> Outcome.ofResult(new byte[0]));
    byte[] good = new Outcome(AT_3, "no").result();
    assertThrows(IllegalArgumentException.class, () -> Outcome.ofResult(Arrays.copyOf(good, good.length - 1)));
    assertThrows(IllegalArgumentException.class, () -> Outcome.ofResult(Arrays.copyOf(good, good.length + 1)));
    byte[] ok = new Outcome(AT_3, null).result();
    assertThrows(IllegalArgumentException.class, () -> Outcome.ofResult(Arrays.copyOf(ok, ok.length - 1)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Outcome.ofResult(new Wire.Writer().writeByte(0).writeInt(1_000_000).toByteArray()));
    assertEquals("membership change result: 1000000 chars of a reason at byte 1 cannot fit in the 0 bytes that follow"
        + " (each takes at least 2)", e.getMessage());
  }
}
