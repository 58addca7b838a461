package io.synod.paxos;

import static io.synod.paxos.Fixtures.campaign;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.lead;
import static io.synod.paxos.Fixtures.localPrepare;
import static io.synod.paxos.Fixtures.messagesTo;
import static io.synod.paxos.Fixtures.proposer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.Proposal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The leader stamps each new value with the wall-clock time its shell last gave it (the core reads
 * no clock): the log's time, by which sessions expire, comes from these stamps.
 */
class ProposerStampTest {

  private static List<Proposal> proposalsTo(Decision d, int to) {
    return messagesTo(d, to, Accept.class).stream().flatMap(a -> a.proposals().stream()).toList();
  }

  @Test
  void aLeaderStampsEachNewValueWithTheLastWallClockTimeItWasGiven() {
    Proposer p = proposer(config(1).build());
    p.onWallClock(1_000);
    lead(p);
    assertEquals(1_000, proposalsTo(p.onClientCommand(command(7, 1, "a")), 2).get(0).value().stamp(),
        "the time given before it led");
    p.onWallClock(5_000);
    assertEquals(5_000, proposalsTo(p.onClientCommand(command(7, 2, "b")), 2).get(0).value().stamp());
    p.onWallClock(4_000); // a clock stepped back: the leader stamps what it reads, the learner never goes back
    assertEquals(4_000, proposalsTo(p.onClientCommand(command(7, 3, "c")), 2).get(0).value().stamp());
  }

  @Test
  void aProposerThatWasNeverGivenTheTimeStampsZero() {
    Proposer p = proposer(config(1).build());
    lead(p);
    assertEquals(0, proposalsTo(p.onClientCommand(command(7, 1, "a")), 3).get(0).value().stamp());
  }

  @Test
  void aValueFoundInPhaseOneIsReproposedWithItsOwnStamp() {
    Proposer p = proposer(config(1).build());
    p.onWallClock(9_000);
    Ballot ballot = localPrepare(campaign(p)).ballot();
    Value earlier = Value.of(List.of(command(7, 1, "a")), 2_000);
    p.handle(new Promise(1, ballot, List.of(), 0));
    Decision d = p.handle(new Promise(2, ballot, List.of(new AcceptedValue(0, new Ballot(1, 3), earlier)), 0));
    assertEquals(List.of(new Proposal(0, earlier)), proposalsTo(d, 2), "the same value, so the same stamp");
  }

  @Test
  void aNegativeWallClockTimeIsRefused() {
    Proposer p = proposer(config(1).build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.onWallClock(-1));
    assertEquals("wall-clock time must be >= 0, got -1", e.getMessage());
  }
}
