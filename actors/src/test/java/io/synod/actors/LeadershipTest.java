package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Leadership events: one master at a time, a new one after the old one's node stops, and watch handles. */
class LeadershipTest {

  private static final Duration T = Duration.ofSeconds(30);

  private final TestCounter.Registry counters = new TestCounter.Registry();

  /** The events one watcher received, in order. */
  private static final class Events {
    final BlockingQueue<Leadership> queue = new LinkedBlockingQueue<>();
    final List<Leadership> all = new ArrayList<>();
    /** The index of the event the last {@link #await} returned: the next one looks from there on. */
    private int mark;

    /**
     * The first event from the one the last call returned on (that one included) that matches
     * {@code p}, waiting for more if none does yet.
     */
    Leadership await(Predicate<Leadership> p, String what) throws InterruptedException {
      long deadline = System.nanoTime() + T.toNanos();
      while (true) {
        for (int i = mark; i < all.size(); i++) {
          if (p.test(all.get(i))) {
            mark = i;
            return all.get(i);
          }
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no event where " + what + " within " + T + "; got " + all);
        }
        Leadership l = queue.poll(100, TimeUnit.MILLISECONDS);
        if (l != null) {
          all.add(l);
        }
      }
    }

    /** Takes in whatever has arrived, without waiting. */
    void drain() {
      queue.drainTo(all);
    }

    /** The event the last {@link #await} returned and every one after it that has arrived. */
    List<Leadership> sinceLastAwaited() {
      drain();
      return all.subList(mark, all.size());
    }
  }

  /**
   * The node every watcher's latest event names leader, once they agree and that node's own
   * latest event says it is master.
   */
  private static int awaitAgreement(Map<Integer, Events> watched) {
    int[] agreed = {-1};
    Await.until(T, () -> "the nodes agree on a master: " + watched, () -> {
      Integer leader = null;
      for (Events e : watched.values()) {
        e.drain();
        if (e.all.isEmpty()) {
          return false;
        }
        int l = e.all.get(e.all.size() - 1).leader();
        if (l < 0 || leader != null && leader != l) {
          return false;
        }
        leader = l;
      }
      Events own = watched.get(leader);
      if (own == null || !own.all.get(own.all.size() - 1).isMaster()) {
        return false;
      }
      agreed[0] = leader;
      return true;
    });
    return agreed[0];
  }

  /** The node whose watcher (one of {@code watched}, by node id) first reports it master. */
  private static int awaitMaster(Map<Integer, Events> watched) throws InterruptedException {
    long deadline = System.nanoTime() + T.toNanos();
    while (System.nanoTime() < deadline) {
      for (Map.Entry<Integer, Events> e : watched.entrySet()) {
        e.getValue().drain();
        if (e.getValue().all.stream().anyMatch(Leadership::isMaster)) {
          return e.getKey();
        }
      }
      // Polling with a deadline: the watchers' events arrive on the actor system's threads.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    throw new AssertionError("no master among nodes " + watched.keySet() + " within " + T);
  }

  /** Spawns group {@code id} on every node of {@code cluster}, with a client and a leadership watcher each. */
  private void spawnWatched(LocalCluster cluster, String id, List<GroupClient<Long, Long>> clients,
      Map<Integer, Events> events) {
    spawnWatched(cluster, counters.group(id, 0), clients, events);
  }

  /** As above, for the group {@code def}. */
  private void spawnWatched(LocalCluster cluster, SynodGroup<Long, Long> def, List<GroupClient<Long, Long>> clients,
      Map<Integer, Events> events) {
    String id = def.id();
    for (LocalCluster.Node n : cluster.nodes()) {
      GroupClient<Long, Long> c = n.spawn(def, id);
      clients.add(c);
      Events e = new Events();
      c.watchLeadership(e.queue::add);
      events.put(n.id(), e);
    }
  }

  @Test
  void exactlyOneNodeIsMasterAndAnotherTakesOverWhenItsNodeStops() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3)) {
      List<GroupClient<Long, Long>> clients = new ArrayList<>();
      Map<Integer, Events> events = new TreeMap<>();
      spawnWatched(cluster, "elect", clients, events);
      // The first event comes at once, whatever it says, and names the watched node.
      for (int n = 0; n < 3; n++) {
        Leadership first = events.get(n).await(l -> true, "any");
        assertEquals("elect", first.group());
        assertEquals(n, first.node());
      }
      // (A node that starts late may depose the first leader before it hears of it: wait for all
      // three to agree, and check what they say from then on.)
      int m = awaitAgreement(events);
      int[] seen = new int[3];
      for (int n = 0; n < 3; n++) {
        seen[n] = events.get(n).all.size();
      }
      assertEquals(1L, Await.result(clients.get(m).propose(1L), T), "the master's group commits");
      // Since all agreed, only the master said it was master.
      for (int n = 0; n < 3; n++) {
        if (n != m) {
          events.get(n).drain();
          List<Leadership> since = events.get(n).all.subList(seen[n], events.get(n).all.size());
          assertFalse(since.stream().anyMatch(Leadership::isMaster), "node " + n + " was master too: " + since);
        }
      }

      cluster.stop(m);
      Map<Integer, Events> survivors = new TreeMap<>(events);
      survivors.remove(m);
      int next = awaitMaster(survivors);
      assertTrue(next != m);
      assertEquals(2L, Await.result(clients.get(next).propose(1L), T), "the new master's group commits");
    }
  }

  @Test
  void leadershipMovesToTheNamedMemberAskedAtAnyNodeAndAnUnknownNodeIsRefused() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3)) {
      List<GroupClient<Long, Long>> clients = new ArrayList<>();
      Map<Integer, Events> events = new TreeMap<>();
      spawnWatched(cluster, "handover", clients, events);
      int m = awaitMaster(events);
      assertEquals(1L, Await.result(clients.get(m).propose(1L), T));
      int target = (m + 1) % 3;
      int askedAt = (m + 2) % 3; // neither the leader nor the target
      Await.result(clients.get(askedAt).transferLeadership(target), T);
      events.get(target).await(Leadership::isMaster, "node " + target + " is master after the handover");
      events.get(m).drain();
      Leadership old = events.get(m).all.get(events.get(m).all.size() - 1);
      assertFalse(old.isMaster(), "the old leader still says it is master: " + events.get(m).all);
      assertEquals(2L, Await.result(clients.get(m).propose(1L), T), "the group commits on, nothing lost");

      Throwable unknown = Await.failure(clients.get(0).transferLeadership(7), T);
      assertTrue(unknown instanceof IllegalArgumentException && unknown.getMessage().contains("not a voting member"),
          unknown.toString());
      Await.result(clients.get(1).transferLeadership(target), T); // to the leader itself: done at once
    }
  }

  /**
   * A group that prefers node 2: leadership goes there once node 2 is up and caught up, and comes
   * back after an operator moved it away; once there it stays (25 election timeouts between
   * attempts, and the preferred leader never hands over).
   */
  @Test
  void leadershipGoesToThePreferredLeaderComesBackToItAndStays() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3)) {
      List<GroupClient<Long, Long>> clients = new ArrayList<>();
      Map<Integer, Events> events = new TreeMap<>();
      spawnWatched(cluster, counters.group("preferring", 0).withPreferredLeader(2), clients, events);
      assertEquals(2, counters.group("preferring", 0).withPreferredLeader(2).preferredLeader());
      events.get(2).await(Leadership::isMaster, "node 2, preferred, is master");
      Await.result(clients.get(0).transferLeadership(0), T);
      events.get(0).await(Leadership::isMaster, "node 0 is master after the operator's handover");
      events.get(2).await(l -> !l.isMaster(), "node 2 is no longer master");
      events.get(2).await(Leadership::isMaster, "node 2, preferred, is master again");
      for (long i = 1; i <= 20; i++) {
        assertEquals(i, Await.result(clients.get(1).propose(1L), T));
      }
      assertTrue(events.get(2).sinceLastAwaited().stream().allMatch(Leadership::isMaster),
          "node 2 stayed master: " + events.get(2).all);
    }
  }

  @Test
  void aClosedWatchHearsNothingMoreAndTheWatchOfAStoppedGroupEndsWithNoLeader() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(1)) {
      LocalCluster.Node n = cluster.node(0);
      SynodGroup<Long, Long> def = counters.group("solo", 0);
      org.apache.pekko.actor.typed.ActorRef<GroupCommand> ref = n.spawnRef(def, "solo");
      GroupClient<Long, Long> client = def.client(n.synod(), ref);
      Events closed = new Events();
      AutoCloseable handle = client.watchLeadership(closed.queue::add);
      closed.await(Leadership::isMaster, "the only member is master");
      handle.close();
      Events open = new Events();
      client.watchLeadership(open.queue::add);
      open.await(Leadership::isMaster, "the second watcher hears the master at once");

      n.system().stop(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(ref));
      Leadership last = open.await(l -> !l.leaderKnown(), "no leader once the group stopped");
      assertFalse(last.isMaster());
      // The closed watch received nothing after its handle closed: not even the stop.
      closed.drain();
      assertTrue(closed.all.get(closed.all.size() - 1).isMaster(), "a closed watch heard more: " + closed.all);
    }
  }

  @Test
  void onlyTheLeaderMayHoldTheLease() {
    assertThrows(IllegalArgumentException.class, () -> new Leadership("g", 1, 2, true));
    assertTrue(new Leadership("g", 2, 2, true).isMaster());
    assertFalse(new Leadership("g", 2, 2, false).isMaster());
  }
}
