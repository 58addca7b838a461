package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

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
  void leaseTooShortToOutliveAHeartbeatIsRejectedNamingBothSettings() {
    // (4 - 1) * 900 / 1100 = 2 ticks of leader lease, not more than a heartbeat of 3.
    String message = failure(() -> Fixtures.config(1).leaseTicks(4).heartbeatTicks(3).build());
    assertMentions(message, "leaseTicks 4", "maxSkewPerMille 100", "lease of 2 ticks", "heartbeatTicks 3");
  }

  @Test
  void everyLimitMustBePositiveAndNamesItself() {
    assertEquals("window must be >= 1, got 0", failure(() -> Fixtures.config(1).window(0).build()));
    assertEquals("maxBatchBytes must be >= 1, got -5", failure(() -> Fixtures.config(1).maxBatchBytes(-5).build()));
    assertEquals("catchUpRetryTicks must be >= 1, got 0", failure(() -> Fixtures.config(1).catchUpRetryTicks(0).build()));
    assertEquals("sessionWindow must be >= 1, got 0", failure(() -> Fixtures.config(1).sessionWindow(0).build()));
    assertEquals("maxSkewPerMille must be in [0, 1000), got 1000",
        failure(() -> Fixtures.config(1).maxSkewPerMille(1000).build()));
  }

  @Test
  void leaderLeaseIsShorterThanTheAcceptorsPromiseByTheSkewFactor() {
    assertEquals(23, Fixtures.config(1).build().leaderLeaseTicks(), "defaults: 29 * 900 / 1100 = 23.7");
    assertEquals(29, Fixtures.config(1).maxSkewPerMille(0).build().leaderLeaseTicks(), "no skew: leaseTicks - 1");
    assertEquals(60, Fixtures.config(1).leaseTicks(101).maxSkewPerMille(250).build().leaderLeaseTicks(), "100 * 750 / 1250");
    assertEquals(5, Fixtures.config(1).leaseTicks(11).maxSkewPerMille(333).build().leaderLeaseTicks(), "10 * 667 / 1333 = 5.004");
    assertEquals(715_827_882L, Fixtures.config(1).leaseTicks(Integer.MAX_VALUE).maxSkewPerMille(500).build().leaderLeaseTicks(),
        "(2^31 - 2) * 500 / 1500 computed without int overflow");
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
  void toBuilderCopiesEverySetting() {
    GroupConfig c = Fixtures.config(2).window(7).maxBatchCommands(9).maxBatchBytes(1000).maxPendingCommands(11)
        .retransmitTicks(4).heartbeatTicks(2).electionTimeoutTicks(13).electionJitterTicks(5)
        .prepareTimeoutTicks(6).leaseTicks(17).maxSkewPerMille(50).catchUpBatch(8).catchUpRetryTicks(3)
        .sessionWindow(12).maxForwardHops(4).build();
    assertEquals(c, c.toBuilder().build());
  }
}
