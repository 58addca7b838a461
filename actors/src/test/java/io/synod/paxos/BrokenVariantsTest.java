package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.sim.SimProtocol;
import io.synod.paxos.sim.SimulationRunner;
import org.junit.jupiter.api.Test;

/**
 * The simulator is only worth something if it catches broken protocols: each variant here must
 * break an invariant within {@value #SEED_BUDGET} seeds.
 */
class BrokenVariantsTest {

  static final int SEED_BUDGET = 400;

  @Test
  void acceptorThatAnswersBeforePersistingIsCaught() {
    assertCaught(BrokenProtocols.ANSWERS_BEFORE_PERSIST);
  }

  @Test
  void acceptorThatAcceptsBelowItsPromiseIsCaught() {
    assertCaught(BrokenProtocols.ACCEPTS_BELOW_PROMISE);
  }

  @Test
  void leaderThatIgnoresAcceptedValuesFromPhaseOneIsCaught() {
    assertCaught(BrokenProtocols.IGNORES_PROMISED_VALUES);
  }

  @Test
  void leaderThatReadsWithoutALeaseIsCaught() {
    assertCaught(BrokenProtocols.READS_WITHOUT_LEASE);
  }

  @Test
  void followerThatReadsAtItsOwnProgressRatherThanTheLeadersIndexIsCaught() {
    assertCaught(BrokenProtocols.FOLLOWER_READS_OWN_INDEX);
  }

  @Test
  void leaderThatNeverChecksItsQuorumIsCaught() {
    assertCaught(BrokenProtocols.NO_CHECK_QUORUM);
  }

  @Test
  void followerDeafToItsNodesFailureDetectorIsCaught() {
    assertCaught(BrokenProtocols.IGNORES_PEER_NEWS);
  }

  @Test
  void learnerThatAppliesAnotherValueThanTheChosenOneIsCaughtByTheChecksumChain() {
    String violation = assertCaught(BrokenProtocols.APPLIES_ANOTHER_VALUE);
    // The states stay equal, so nothing but the chain can see it: the first violation is its mismatch.
    assertTrue(violation.contains("ChecksumMismatchException") && violation.contains("checksum mismatch at instance"),
        violation);
  }

  @Test
  void aNodeThatExpiresSessionsUnlikeItsPeersIsCaught() {
    String violation = assertCaught(BrokenProtocols.EXPIRES_SESSIONS_ITS_OWN_WAY);
    assertTrue(violation.contains("has sessions"), violation);
  }

  /** Runs {@code variant} until a seed breaks an invariant; returns that seed's violation. */
  private static String assertCaught(SimProtocol variant) {
    SimulationRunner.Totals t = SimulationRunner.run(1, SEED_BUDGET, variant, 1);
    System.out.println("BROKEN-VARIANT " + variant.name() + " seedsRun=" + t.seeds() + " caughtAtSeed="
        + t.firstFailingSeed() + " events=" + t.events()
        + (t.failures().isEmpty() ? "" : " violation: " + firstLine(t.firstViolation())));
    assertFalse(t.failures().isEmpty(),
        () -> "variant " + variant.name() + " survived " + SEED_BUDGET + " seeds: the simulation does not catch it");
    return t.firstViolation();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
