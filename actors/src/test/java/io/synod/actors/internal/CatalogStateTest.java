package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.actors.RuntimeGroup;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The group catalog's state machine: its rules, its refusals, and its format. */
class CatalogStateTest {

  private static CatalogState.Outcome create(CatalogState s, String group, Integer... members) {
    return s.apply(new CatalogCommand.Create(group, "counter", List.of(members)));
  }

  @Test
  void eachCreationGetsTheNextIncarnationAndCountsAsAChange() {
    CatalogState.Outcome a = create(CatalogState.EMPTY, "orders", 3, 1, 2);
    assertEquals(new CatalogResult.Created(new RuntimeGroup("orders", "counter", List.of(1, 2, 3), 1), 1), a.result());
    CatalogState.Outcome b = create(a.state(), "payments", 1);
    assertEquals(new CatalogResult.Created(new RuntimeGroup("payments", "counter", List.of(1), 2), 2), b.result());
    assertEquals(2, b.state().version());
    assertEquals(List.of("orders", "payments"), List.copyOf(b.state().groups().keySet()));
  }

  @Test
  void aGroupThatExistsIsNotCreatedAgainAndNothingChanges() {
    CatalogState s = create(CatalogState.EMPTY, "orders", 1, 2, 3).state();
    CatalogState.Outcome again = s.apply(new CatalogCommand.Create("orders", "kv", List.of(1)));
    assertSame(s, again.state());
    CatalogResult.Refused refused = (CatalogResult.Refused) again.result();
    assertEquals(CatalogResult.Why.EXISTS, refused.why());
    assertEquals("it exists already: type counter, members [1, 2, 3], incarnation 1", refused.reason());
  }

  @Test
  void removingKeepsTheLifeRemovedAndANewLifeOfTheSameIdGetsANewIncarnation() {
    CatalogState s = create(CatalogState.EMPTY, "orders", 1, 2, 3).state();
    CatalogState.Outcome removed = s.apply(new CatalogCommand.Remove("orders"));
    RuntimeGroup first = new RuntimeGroup("orders", "counter", List.of(1, 2, 3), 1);
    assertEquals(new CatalogResult.Removed(first, 2), removed.result());
    assertEquals(List.of(), List.copyOf(removed.state().groups().keySet()));
    assertEquals(List.of(first), removed.state().removed(), "the removed life is kept: a node that was down deletes"
        + " its data when it learns of it");
    CatalogState.Outcome again = create(removed.state(), "orders", 1, 2);
    assertEquals(new CatalogResult.Created(new RuntimeGroup("orders", "counter", List.of(1, 2), 2), 3), again.result());
    assertEquals(List.of(first), again.state().removed());
  }

  @Test
  void removingAGroupThatIsNotThereIsRefusedAndSaysWhetherItWasRemoved() {
    CatalogState.Outcome never = CatalogState.EMPTY.apply(new CatalogCommand.Remove("orders"));
    assertEquals(new CatalogResult.Refused(CatalogResult.Why.UNKNOWN, "no group of that id was created at runtime"),
        never.result());
    assertSame(CatalogState.EMPTY, never.state());
    CatalogState gone = create(CatalogState.EMPTY, "orders", 1).state().apply(new CatalogCommand.Remove("orders"))
        .state();
    CatalogResult twice = gone.apply(new CatalogCommand.Remove("orders")).result();
    assertEquals(new CatalogResult.Refused(CatalogResult.Why.UNKNOWN, "no group of that id was created at runtime"
        + " since it was last removed"), twice);
  }

  @Test
  void anInvalidCreationIsRefusedAlikeOnEveryReplicaAndChangesNothing() {
    for (CatalogCommand.Create bad : List.of(
        new CatalogCommand.Create("synod-catalog", "counter", List.of(1)),
        new CatalogCommand.Create("a b", "counter", List.of(1)),
        new CatalogCommand.Create("x".repeat(RuntimeGroup.MAX_ID_LENGTH + 1), "counter", List.of(1)),
        new CatalogCommand.Create("orders", "", List.of(1)),
        new CatalogCommand.Create("orders", "counter", List.of()),
        new CatalogCommand.Create("orders", "counter", List.of(1, 1)),
        new CatalogCommand.Create("orders", "counter", List.of(-1)))) {
      CatalogState.Outcome o = CatalogState.EMPTY.apply(bad);
      assertSame(CatalogState.EMPTY, o.state(), bad.toString());
      assertEquals(CatalogResult.Why.INVALID, ((CatalogResult.Refused) o.result()).why(), bad.toString());
    }
    CatalogResult.Refused reserved = (CatalogResult.Refused) CatalogState.EMPTY.apply(
        new CatalogCommand.Create("synod-x", "counter", List.of(1))).result();
    assertEquals("group ids starting with 'synod-' are Synod's own, got 'synod-x'", reserved.reason());
  }

  @Test
  void queriesAnswerWithoutChangingAndAChangeIsNoRead() {
    CatalogState s = create(CatalogState.EMPTY, "orders", 1).state();
    assertEquals(new CatalogResult.VersionIs(1), s.read(CatalogCommand.Version.INSTANCE));
    assertEquals(new CatalogResult.Whole(s), s.read(CatalogCommand.Everything.INSTANCE));
    assertSame(s, s.apply(CatalogCommand.Version.INSTANCE).state());
    assertEquals(CatalogResult.Why.INVALID,
        ((CatalogResult.Refused) s.read(new CatalogCommand.Remove("orders"))).why());
  }

  @Test
  void everyCommandResultAndStateRoundTripsThroughItsFormat() {
    CatalogState s = create(create(CatalogState.EMPTY, "orders", 1, 2, 3).state(), "kv-9", 2).state()
        .apply(new CatalogCommand.Remove("orders")).state();
    for (CatalogCommand c : List.of(new CatalogCommand.Create("orders", "counter", List.of(1, 2)),
        new CatalogCommand.Remove("x"), CatalogCommand.Version.INSTANCE, CatalogCommand.Everything.INSTANCE)) {
      assertEquals(c, CatalogCodec.decodeCommand(CatalogCodec.encode(c)));
    }
    RuntimeGroup g = new RuntimeGroup("orders", "counter", List.of(1, 2), Long.MAX_VALUE);
    for (CatalogResult r : List.of(new CatalogResult.Created(g, 7), new CatalogResult.Removed(g, 0),
        new CatalogResult.Refused(CatalogResult.Why.EXISTS, "it exists ünïcode"), new CatalogResult.VersionIs(3),
        new CatalogResult.Whole(s), new CatalogResult.Whole(CatalogState.EMPTY))) {
      assertEquals(r, CatalogCodec.decodeResult(CatalogCodec.encode(r)));
    }
    assertEquals(s, CatalogCodec.decodeState(CatalogCodec.encode(s)));
  }

  @Test
  void theMachineCheckpointsAndRestoresItsStateAndSaysWhenItChanged() throws Exception {
    int[] changes = {0};
    CatalogMachine machine = new CatalogMachine(() -> changes[0]++);
    machine.apply(0, new CatalogCommand.Create("orders", "counter", List.of(1)));
    machine.apply(1, new CatalogCommand.Create("orders", "counter", List.of(1))); // refused: no change
    machine.apply(2, new CatalogCommand.Remove("orders"));
    assertEquals(2, changes[0]);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    machine.snapshot(out);
    CatalogMachine other = new CatalogMachine(() -> changes[0]++);
    other.restore(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(3, changes[0], "a restored checkpoint is a change too");
    assertEquals(machine.read(CatalogCommand.Everything.INSTANCE), other.read(CatalogCommand.Everything.INSTANCE));
    assertEquals(new CatalogResult.VersionIs(2), other.read(CatalogCommand.Version.INSTANCE));
  }

  @Test
  void malformedBytesAreRefusedWithAnIllegalArgumentAndNeverAllocateWhatTheyClaim() {
    CatalogState s = create(create(CatalogState.EMPTY, "orders", 1, 2, 3).state(), "kv", 2).state();
    byte[] good = CatalogCodec.encode(new CatalogResult.Whole(s));
    SplittableRandom random = new SplittableRandom(21); // fixed: the same cases every run
    int flippedButValid = 0;
    for (int i = 0; i < 2_000; i++) {
      boolean truncated = i % 2 == 0;
      byte[] bad = truncated ? Arrays.copyOf(good, random.nextInt(good.length)) : good.clone();
      if (!truncated) {
        bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
      }
      try {
        CatalogCodec.decodeResult(bad);
        assertTrue(!truncated, "a truncated encoding decoded: " + Arrays.toString(bad));
        flippedButValid++; // a flipped byte may still spell a valid state (another member id, say)
      } catch (IllegalArgumentException expected) {
        assertTrue(expected.getMessage().startsWith("catalog result of " + bad.length + " bytes is malformed"),
            expected.getMessage());
      }
    }
    assertTrue(flippedButValid < 1_000, "most flipped bytes are refused: " + flippedButValid + " decoded");
    byte[] huge = CatalogCodec.encode(new CatalogCommand.Create("orders", "counter", List.of(1)));
    int countAt = huge.length - 8; // the member count, before the one member
    huge[countAt] = 0x7f;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CatalogCodec.decodeCommand(huge));
    assertTrue(e.getMessage().contains("overruns"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CatalogCodec.decodeCommand(new byte[] {2, 'C'}));
    assertThrows(IllegalArgumentException.class, () -> CatalogCodec.decodeCommand(new byte[] {1, 'Z'}));
    byte[] trailing = Arrays.copyOf(CatalogCodec.encode(CatalogCommand.Version.INSTANCE), 3);
    assertThrows(IllegalArgumentException.class, () -> CatalogCodec.decodeCommand(trailing));
  }
}
