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
}
