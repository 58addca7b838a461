package io.synod.paxos;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's failure detector for its peers, one for all its groups: what lets idle groups send
 * nothing. A group whose leader has no work goes quiet ({@link Message.Accept#QUIESCE}): its
 * leader stops heartbeating and its followers stop their election timers. Instead, every node
 * sends each peer one small {@link Heartbeat} per heartbeat interval, whatever its number of
 * groups (as CockroachDB's node liveness does), and this class turns what arrives into news a
 * quiet group acts on ({@link Proposer#onPeerNews}):
 *
 * <ul>
 *   <li>{@link Change#SILENT}: nothing from the peer for an election timeout. A follower waiting
 *       quietly for that peer's leadership campaigns after a random jitter, so failover takes what
 *       it took with per-group heartbeats.
 *   <li>{@link Change#RESTARTED}: the peer is heard for the first time, or in a new incarnation.
 *       Its groups may not know who leads: a quiet leader here heartbeats once.
 *   <li>{@link Change#BACK}: the peer is heard again after silence, in the same incarnation. A
 *       follower that went quiet for it meanwhile (a late accept) asks it to confirm it leads. The
 *       silence was most likely a false alarm (one of the two nodes too loaded to pass heartbeats
 *       on in time, and every false alarm sets off elections): the threshold for that peer doubles,
 *       up to {@code 2^MAX_SILENCE_DOUBLINGS} times, and comes down one step per {@code
 *       FORGIVE_AFTER_FACTOR} thresholds without another.
 *   <li>{@link Change#LEADERSHIP_LOST}: the peer stopped leading some group with no other leader
 *       in sight (its {@code generation} grew; one that makes way for a higher ballot does not
 *       count: that ballot's leader tells the followers itself). A follower waiting quietly for it
 *       asks it to confirm that it still leads ({@link Message.WakeUp}) and runs its election
 *       timer again: if the peer still leads, its quiet heartbeat quiets the follower again; if
 *       not, the follower campaigns.
 * </ul>
 *
 * <p>Pure like the roles: time arrives as ticks, heartbeats as method calls; the shell sends
 * {@link #heartbeat()} when {@link #onTick} says one is due. The shell should not hand over the
 * ticks a stall of its own node missed all at once (as it does for leases): a node that did not
 * run for a while would find every peer silent while their heartbeats wait in its mailbox.
 * Liveness only: no decision about which value is chosen, and no lease, rests on it.
 */
public final class PeerLiveness {

  /** What a peer's heartbeat says: who it is, which run of its process, and how often it lost a leadership. */
  public record Heartbeat(int from, long incarnation, long generation) {}

  /** What changed about a peer. */
  public enum Change {
    SILENT,
    RESTARTED,
    BACK,
    LEADERSHIP_LOST
  }

  /** One piece of news about {@code peer}. */
  public record News(int peer, Change change) {}

  /** What a tick brought: news of peers gone silent, and whether this node's heartbeat is due. */
  public record TickResult(List<News> news, boolean heartbeatDue) {}

  /** How many times the silence threshold of a peer that keeps coming back doubles at most. */
  static final int MAX_SILENCE_DOUBLINGS = 3;
  /** A peer's threshold comes down one step after this many base thresholds without a false alarm. */
  static final int FORGIVE_AFTER_FACTOR = 64;

  private static final class Peer {
    long lastHeard;
    boolean heard;
    long incarnation;
    long generation;
    boolean silent;
    /** Silences this peer came back from, less those forgiven: each doubles its threshold. */
    int falseAlarms;
    /** When the last false alarm ended or was forgiven. */
    long calmSince;
  }

  private final int self;
  private final long incarnation;
  private final int heartbeatTicks;
  private final int silentAfterTicks;
  private final Map<Integer, Peer> peers = new HashMap<>();
  private long generation;
  private long now;
  private long lastSent = Long.MIN_VALUE / 2;

  /**
   * The detector of node {@code self} in its run {@code incarnation} (a different number at every
   * start of its process) among {@code peers} (others may join by heartbeating), heartbeating every
   * {@code heartbeatTicks} and calling a peer silent after {@code silentAfterTicks} without a
   * heartbeat; a peer never heard becomes silent that long after the start.
   */
  public PeerLiveness(int self, Collection<Integer> peers, long incarnation, int heartbeatTicks, int silentAfterTicks) {
    if (heartbeatTicks < 1 || silentAfterTicks <= heartbeatTicks) {
      throw new IllegalArgumentException("need 1 <= heartbeatTicks < silentAfterTicks, got " + heartbeatTicks
          + " and " + silentAfterTicks);
    }
    this.self = self;
    this.incarnation = incarnation;
    this.heartbeatTicks = heartbeatTicks;
    this.silentAfterTicks = silentAfterTicks;
    for (int p : peers) {
      if (p != self) {
        this.peers.put(p, new Peer());
      }
    }
  }

  /** The detector for a node whose groups are tuned by {@code tuning}: the groups' heartbeat and election timeout. */
  public static PeerLiveness forTuning(int self, Collection<Integer> peers, long incarnation, Tuning tuning) {
    return new PeerLiveness(self, peers, incarnation, tuning.heartbeatTicks(), tuning.electionTimeoutTicks());
  }

  /** One tick passes: peers not heard for the silence threshold become silent (once per silence). */
  public TickResult onTick() {
    now++;
    List<News> news = new ArrayList<>();
    for (Map.Entry<Integer, Peer> e : peers.entrySet()) {
      Peer p = e.getValue();
      if (!p.silent && now - p.lastHeard >= silentAfterTicks(p)) {
        p.silent = true;
        news.add(new News(e.getKey(), Change.SILENT));
      }
    }
    boolean due = now - lastSent >= heartbeatTicks;
    if (due) {
      lastSent = now;
    }
    return new TickResult(news, due);
  }

  /** A peer's heartbeat arrived: the news it brings, if any. */
  public List<News> onHeartbeat(Heartbeat h) {
    if (h.from() == self) {
      return List.of();
    }
    Peer p = peers.computeIfAbsent(h.from(), id -> new Peer());
    if (!p.heard || p.silent || p.incarnation != h.incarnation()) {
      Change change = p.heard && p.incarnation == h.incarnation() ? Change.BACK : Change.RESTARTED;
      p.falseAlarms = change == Change.BACK ? Math.min(p.falseAlarms + 1, MAX_SILENCE_DOUBLINGS) : 0;
      p.calmSince = now;
      p.heard = true;
      p.lastHeard = now;
      p.incarnation = h.incarnation();
      p.generation = h.generation();
      p.silent = false;
      return List.of(new News(h.from(), change));
    }
    p.lastHeard = now;
    if (p.falseAlarms > 0 && now - p.calmSince >= (long) FORGIVE_AFTER_FACTOR * silentAfterTicks) {
      p.falseAlarms--;
      p.calmSince = now;
    }
    if (h.generation() > p.generation) { // an older heartbeat, late or duplicated, is no news
      p.generation = h.generation();
      return List.of(new News(h.from(), Change.LEADERSHIP_LOST));
    }
    return List.of();
  }

  /** How long {@code p} may be silent before it is called so: longer after each false alarm. */
  private long silentAfterTicks(Peer p) {
    return (long) silentAfterTicks << p.falseAlarms;
  }

  /**
   * Some group on this node stopped leading (or stopped running while it led) and knows of no
   * other leader: peers hear of it.
   */
  public void leadershipLost() {
    generation++;
  }

  /** This node's heartbeat, as it stands now. */
  public Heartbeat heartbeat() {
    return new Heartbeat(self, incarnation, generation);
  }
}
