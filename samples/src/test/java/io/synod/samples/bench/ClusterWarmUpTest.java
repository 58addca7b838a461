package io.synod.samples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link ClusterWarmUp} ends only once the throughput agrees and the nodes' compilers are done. */
class ClusterWarmUpTest {

  @Test
  void settlesWhenTheRateAgreesAndTheCompilersAreQuiet() {
    assertTrue(ClusterWarmUp.settled(3, 1000, 1050, 0.01));
    assertTrue(ClusterWarmUp.settled(7, 1000, 950, ClusterWarmUp.JIT_SETTLED));
  }

  @Test
  void aBusyCompilerHoldsTheWarmUpBackThoughTheRateAgrees() {
    assertFalse(ClusterWarmUp.settled(3, 1000, 1000, 0.25));
    assertFalse(ClusterWarmUp.settled(9, 1000, 1000, ClusterWarmUp.JIT_SETTLED + 0.01));
  }

  @Test
  void theRateMustAgreeWithTheStepBeforeAfterEnoughSteps() {
    assertFalse(ClusterWarmUp.settled(2, 1000, 1000, 0), "fewer than the minimum of steps");
    assertFalse(ClusterWarmUp.settled(3, 1000, 1200, 0), "20% apart");
    assertFalse(ClusterWarmUp.settled(3, 0, 0, 0), "two steps that committed nothing");
    assertTrue(ClusterWarmUp.settled(3, 1000, 1100, 0), "exactly 10% apart agree");
  }

  @Test
  void theExternalWarmUpsAgreementIsTheRateRuleAlone() {
    assertTrue(ClusterWarmUp.agrees(3, 1000, 1100));
    assertFalse(ClusterWarmUp.agrees(3, 1000, 1101));
    assertFalse(ClusterWarmUp.agrees(2, 1000, 1000));
  }

  @Test
  void anUnknownCompileTimeDoesNotHoldTheWarmUpBack() {
    assertTrue(ClusterWarmUp.settled(3, 1000, 1000, -1));
  }

  @Test
  void theCompilersShareIsTheirTimeOverTheNodesTime() {
    // Three nodes over 5 s: 15,000 ms in all, of which the compilers took 1,500.
    assertEquals(0.10, ClusterWarmUp.jitShare(2_000, 3_500, 3, 5), 1e-9);
    assertEquals(-1, ClusterWarmUp.jitShare(-1, 3_500, 3, 5));
    assertEquals(-1, ClusterWarmUp.jitShare(2_000, -1, 3, 5));
    assertEquals(-1, ClusterWarmUp.jitShare(2_000, 3_500, 3, 0));
  }
}
