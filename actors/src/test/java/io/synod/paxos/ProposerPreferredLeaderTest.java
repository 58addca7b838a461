package io.synod.paxos;

import static io.synod.paxos.Fixtures.ack;
import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.lead;
import static io.synod.paxos.Fixtures.messages;
import static io.synod.paxos.Fixtures.proposer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Message.Accept;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * A group's preferred leader: the leader hands leadership to it through the usual handover once it
 * has led for {@link PreferredLeader#STABLE_FACTOR} election timeouts, and only while the preferred
 * node answers and holds everything in flight. Node 1 of the group {1, 2, 3}, node 2 preferred.
 */
class ProposerPreferredLeaderTest {

  private static final GroupConfig PREFER_2 = config(1).preferredLeader(2).build();
  private static final long STABLE = (long) PreferredLeader.STABLE_FACTOR * PREFER_2.tuning().electionTimeoutTicks();

  /**
   * Ticks {@code p}, the voters that {@code answers} answering every heartbeat, until it starts a
   * handover (an accept that gives the lease back) or {@code ticks} pass; returns the tick it started
   * at, or -1.
   */
  private static long ticksUntilHandover(Proposer p, long ticks, IntPredicate answers) {
    for (long t = 1; t <= ticks; t++) {
      Decision d = p.onTick();
      if (messages(d, Accept.class).stream().anyMatch(a -> a.leaseTick() == Accept.RELEASE_LEASE)) {
        return t;
      }
      for (Outbound o : d.sendNow()) {
        if (o.message() instanceof Accept a && a.proposals().isEmpty() && answers.test(o.to())) {
          ack(p, o.to(), Accept.NO_LEASE);
        }
      }
    }
    return -1;
  }

  @Test
  void aLeaderHandsOverToTheHealthyPreferredNodeOnceItHasLedLongEnough() {
    Proposer p = proposer(PREFER_2);
    lead(p);
    long at = ticksUntilHandover(p, 2 * STABLE, n -> true);
    assertTrue(at >= STABLE && at <= STABLE + PREFER_2.tuning().heartbeatTicks(), "handed over at tick " + at
        + ", expected about " + STABLE);
    assertEquals(2, p.transferringTo());
  }

  @Test
  void notToAPreferredNodeThatDoesNotAnswer() {
    Proposer p = proposer(PREFER_2);
    lead(p);
    assertEquals(-1, ticksUntilHandover(p, 3 * STABLE, n -> n != 2));
    assertTrue(p.isLeader(), "node 3 answers: it leads on");
  }

  @Test
  void notToAPreferredNodeThatMissesAnInstanceInFlight() {
    Proposer p = proposer(PREFER_2);
    lead(p);
    p.onClientCommand(command(7, 1, "x")); // instance 0: node 1 accepts it, nodes 2 and 3 never do
    ack(p, 1, Accept.NO_LEASE, 0L);
    assertEquals(-1, ticksUntilHandover(p, 2 * STABLE, n -> true), "node 2 lacks instance 0");
    Proposer q = proposer(PREFER_2);
    lead(q);
    q.onClientCommand(command(7, 1, "x"));
    ack(q, 1, Accept.NO_LEASE, 0L);
    ack(q, 2, Accept.NO_LEASE, 0L);
    assertTrue(ticksUntilHandover(q, 2 * STABLE, n -> true) > 0, "with instance 0 held by node 2, it hands over");
  }

  @Test
  void thePreferredLeaderAndAGroupWithoutOneKeepTheirLeadership() {
    for (GroupConfig c : new GroupConfig[] {config(1).preferredLeader(1).build(), config(1).build(),
        config(1).preferredLeader(9).build()}) {
      Proposer p = proposer(c);
      lead(p);
      assertEquals(-1, ticksUntilHandover(p, 2 * STABLE, n -> true), "preferred " + c.preferredLeader());
      assertTrue(p.isLeader());
    }
  }
}
