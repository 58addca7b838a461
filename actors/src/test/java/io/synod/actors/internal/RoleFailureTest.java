package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.ChecksumMismatchException;
import io.synod.paxos.DivergenceException;
import io.synod.persistence.FaultyJournal;
import io.synod.persistence.JournalFailedException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RoleFailureTest {

  @Test
  void aWriteThatTimedOutOrFailedIsRetried() {
    RoleFailure timedOut = RoleFailure.of("acceptor",
        new IllegalStateException("Failed to persist event", new TimeoutException("Circuit Breaker Timed out.") {}));
    assertFalse(timedOut.permanent());
    assertEquals("its acceptor failed: IllegalStateException: Failed to persist event (cause: TimeoutException:"
        + " Circuit Breaker Timed out.)", timedOut.describe(), "an anonymous class is named by what it extends");
    assertFalse(RoleFailure.of("learner", new RuntimeException("a\nmulti-line\r\n message")).permanent());
    assertEquals("its learner failed: RuntimeException: a multi-line message",
        RoleFailure.of("learner", new RuntimeException("a\nmulti-line\r\n message")).describe());
    assertEquals("its proposer stopped", RoleFailure.of("proposer", null).describe());
  }

  @Test
  void theJournalsFailStopAnywhereInTheCauseChainStopsTheGroupForGood() {
    JournalFailedException failed = FaultyJournal.journalFailed("EIO");
    RoleFailure f = RoleFailure.of("acceptor",
        new IllegalStateException("Failed to persist event", new CompletionException(failed)));
    assertTrue(f.permanent());
    assertSame(failed, f.journalFailure());
    assertTrue(f.describe().contains("(cause: IOException: EIO)"), f.describe());
  }

  @Test
  void replicasThatDivergeStopTheGroupForGood() {
    RoleFailure f = RoleFailure.of("learner", new DivergenceException("g", 7, 0, 1, 2, 1));
    assertTrue(f.permanent() && f.divergence());
    assertEquals(null, f.journalFailure());
  }

  @Test
  void aChecksumChainThatDisagreesWithAPeersStopsTheGroupForGoodAndIsDescribedInFull() {
    RoleFailure f = RoleFailure.of("learner",
        new ChecksumMismatchException("g", 1234, 0, 0xAB, "", 2, 0xCD, "Chosen"));
    assertTrue(f.permanent() && f.divergence());
    assertEquals("its learner failed: ChecksumMismatchException: group 'g': checksum mismatch at instance 1234 with"
        + " node 2: node 0's chain through instance 1234 is crc32 ab, node 2's (in its Chosen) is crc32 cd; their"
        + " applied histories differ at or before instance 1234", f.describe());
  }
}
