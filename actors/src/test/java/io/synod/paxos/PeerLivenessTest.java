package io.synod.paxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.PeerLiveness.Change;
import io.synod.paxos.PeerLiveness.Heartbeat;
import io.synod.paxos.PeerLiveness.News;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Node 1's failure detector among nodes 1, 2 and 3: heartbeat every 3 ticks, silent after 20. */
class PeerLivenessTest {

  private final PeerLiveness liveness = new PeerLiveness(1, List.of(1, 2, 3), 77, 3, 20);

  private List<News> tick(int ticks) {
    List<News> news = new ArrayList<>();
    for (int t = 0; t < ticks; t++) {
      news.addAll(liveness.onTick().news());
    }
    return news;
  }

  @Test
  void aPeerHeardForTheFirstTimeIsNewsThenItsHeartbeatsAreNot() {
    assertEquals(List.of(new News(2, Change.RESTARTED)), liveness.onHeartbeat(new Heartbeat(2, 5, 0)));
    assertEquals(List.of(), liveness.onHeartbeat(new Heartbeat(2, 5, 0)));
    assertEquals(List.of(), liveness.onHeartbeat(new Heartbeat(1, 77, 0)), "its own heartbeat is no news");
  }

  @Test
  void aPeerNeverHeardOrNoLongerHeardBecomesSilentOnce() {
    liveness.onHeartbeat(new Heartbeat(2, 5, 0));
    List<News> news = new ArrayList<>();
    for (int t = 0; t < 100; t++) {
      news.addAll(liveness.onTick().news());
      if (t % 3 == 0) {
        liveness.onHeartbeat(new Heartbeat(2, 5, 0)); // node 2 keeps talking, node 3 never did
      }
    }
    assertEquals(List.of(new News(3, Change.SILENT)), news);
    assertEquals(List.of(new News(2, Change.SILENT)), tick(20), "node 2 stops: silent once, after 20 ticks");
    assertEquals(List.of(), tick(100));
    assertEquals(List.of(new News(2, Change.BACK)), liveness.onHeartbeat(new Heartbeat(2, 5, 0)),
        "heard again after silence, in the same run");
    tick(20);
    assertEquals(List.of(new News(2, Change.RESTARTED)), liveness.onHeartbeat(new Heartbeat(2, 6, 0)),
        "heard again after silence, in a new run");
  }

  @Test
  void aNewIncarnationIsARestartAndAGreaterGenerationALostLeadership() {
    liveness.onHeartbeat(new Heartbeat(2, 5, 0));
    assertEquals(List.of(new News(2, Change.LEADERSHIP_LOST)), liveness.onHeartbeat(new Heartbeat(2, 5, 1)));
    assertEquals(List.of(), liveness.onHeartbeat(new Heartbeat(2, 5, 0)), "a late older heartbeat is no news");
    assertEquals(List.of(new News(2, Change.RESTARTED)), liveness.onHeartbeat(new Heartbeat(2, 6, 0)));
  }

  @Test
  void itsOwnHeartbeatIsDueEveryHeartbeatIntervalAndCarriesItsLostLeaderships() {
    int due = 0;
    for (int t = 0; t < 30; t++) {
      due += liveness.onTick().heartbeatDue() ? 1 : 0;
    }
    assertEquals(10, due);
    liveness.leadershipLost();
    assertEquals(new Heartbeat(1, 77, 1), liveness.heartbeat());
  }

  @Test
  void silenceMustTakeLongerThanAHeartbeat() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PeerLiveness(1, List.of(2), 1, 5, 5));
    assertTrue(e.getMessage().contains("heartbeatTicks < silentAfterTicks"), e.getMessage());
  }

  /** Ticks until node 2 is called silent, node 3 heartbeating all along; node 2 then comes back, in {@code run}. */
  private int silenceOfNode2ThenBack(long run) {
    for (int t = 1; t <= 1000; t++) {
      if (t % 3 == 0) {
        liveness.onHeartbeat(new Heartbeat(3, 9, 0));
      }
      if (liveness.onTick().news().contains(new News(2, Change.SILENT))) {
        liveness.onHeartbeat(new Heartbeat(2, run, 0));
        return t;
      }
    }
    return org.junit.jupiter.api.Assertions.fail("node 2 never called silent");
  }

  /** Node 2 (and node 3) heartbeat every 3 ticks for {@code ticks}. */
  private void bothTalk(int ticks) {
    for (int t = 1; t <= ticks; t++) {
      assertEquals(List.of(), liveness.onTick().news());
      if (t % 3 == 0) {
        liveness.onHeartbeat(new Heartbeat(2, 5, 0));
        liveness.onHeartbeat(new Heartbeat(3, 9, 0));
      }
    }
  }

  @Test
  void aPeerThatComesBackAfterSilenceIsGivenTwiceAsLongEachTimeUpToEightTimesThenForgivenStepByStep() {
    liveness.onHeartbeat(new Heartbeat(2, 5, 0));
    liveness.onHeartbeat(new Heartbeat(3, 9, 0));
    List<Integer> silences = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      silences.add(silenceOfNode2ThenBack(5));
    }
    assertEquals(List.of(20, 40, 80, 160, 160), silences, "a false alarm doubles the threshold, up to 8 times");
    bothTalk(PeerLiveness.FORGIVE_AFTER_FACTOR * 20 + 1); // the last heartbeat 1,281 ticks after node 2 came back
    assertEquals(80, silenceOfNode2ThenBack(5), "calm for 64 thresholds: one step back");
    bothTalk(PeerLiveness.FORGIVE_AFTER_FACTOR * 20 - 2);
    assertEquals(160, silenceOfNode2ThenBack(6), "not yet calm long enough; the next run of node 2 then starts over");
    assertEquals(20, silenceOfNode2ThenBack(6), "a restart is no false alarm: the threshold is the base again");
  }
}
