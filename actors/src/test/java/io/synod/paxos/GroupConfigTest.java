package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** A group's identity on a node: what makes one valid, and what it is worth knowing about it. */
class GroupConfigTest {

  private static String failure(Executable build) {
    return assertThrows(IllegalArgumentException.class, build).getMessage();
  }

  private static void assertMentions(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
    }
  }

  @Test
  void blankGroupIdIsRejected() {
    assertEquals("group id must not be blank, got ' '", failure(() -> GroupConfig.builder(" ", 1, List.of(1)).build()));
    assertMentions(failure(() -> GroupConfig.builder(null, 1, List.of(1)).build()), "group id must not be blank");
  }

  @Test
  void selfMustBeAMember() {
    assertEquals("node 4 is not a member of group 'orders' [1, 2, 3] (a node that is to be added later must be configured as joining)",
        failure(() -> GroupConfig.builder("orders", 4, List.of(1, 2, 3)).build()));
  }

  @Test
  void learnersAndJoinersAreMembersOfTheirOwnKind() {
    GroupConfig learner = GroupConfig.builder("orders", 4, List.of(1, 2, 3)).learners(List.of(4)).build();
    assertEquals(new Membership(0, List.of(1, 2, 3), List.of(4)), learner.initialMembership());
    GroupConfig joiner = GroupConfig.builder("orders", 5, List.of(1, 2, 3)).joining(true).build();
    assertEquals(false, joiner.initialMembership().includes(5));
    assertMentions(failure(() -> GroupConfig.builder("orders", 1, List.of(1, 2, 3)).joining(true).build()),
        "node 1 is in group 'orders'", "cannot also join it");
    assertMentions(failure(() -> GroupConfig.builder("orders", 1, List.of(1, 2, 3)).learners(List.of(3)).build()),
        "node 3 is listed both as a voter and as a learner");
  }

  @Test
  void memberListedTwiceIsRejected() {
    assertMentions(failure(() -> GroupConfig.builder("orders", 1, List.of(1, 2, 2)).build()),
        "group 'orders'", "lists a member twice", "[1, 2, 2]");
  }

  @Test
  void emptyMembersAndNegativeIdsAreRejected() {
    assertMentions(failure(() -> GroupConfig.builder("orders", 1, List.of()).build()), "'orders'", "at least one member");
    assertMentions(failure(() -> GroupConfig.builder("orders", -1, List.of(-1, 2)).build()), "member ids must be >= 0, got -1");
  }

  @Test
  void quorumIsAMajority() {
    assertEquals(1, GroupConfig.builder("g", 1, List.of(1)).build().quorum());
    assertEquals(2, GroupConfig.builder("g", 1, List.of(1, 2)).build().quorum());
    assertEquals(2, GroupConfig.builder("g", 1, List.of(1, 2, 3)).build().quorum());
    assertEquals(3, GroupConfig.builder("g", 1, List.of(1, 2, 3, 4)).build().quorum());
    assertEquals(3, GroupConfig.builder("g", 1, List.of(1, 2, 3, 4, 5)).build().quorum());
  }

  @Test
  void membersAreKeptSortedAndCannotBeChangedAfterwards() {
    GroupConfig c = GroupConfig.builder("g", 2, List.of(3, 1, 2)).build();
    assertEquals(List.of(1, 2, 3), c.members());
    assertThrows(UnsupportedOperationException.class, () -> c.members().add(4));
  }

  @Test
  void theTuningIsCarriedAsGivenAndRequired() {
    Tuning patient = Tuning.DEFAULTS.withElectionTimeoutTicks(90);
    assertEquals(patient, Fixtures.config(1).tuning(patient).build().tuning());
    assertEquals(Tuning.DEFAULTS, Fixtures.config(1).build().tuning(), "the builder's default");
    assertEquals("group 'orders' needs a tuning",
        failure(() -> new GroupConfig("orders", 1, List.of(1, 2, 3), List.of(), false, null)));
  }
}
