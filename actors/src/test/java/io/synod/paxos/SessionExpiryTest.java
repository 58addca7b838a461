package io.synod.paxos;

import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.Applied.Outcome;
import io.synod.paxos.Message.CatchUpReply;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.Proposal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Sessions expire by the log alone: by the log's time (the highest stamp of the values applied) and
 * by the table's size, at the same instance on every replica, across checkpoints; a command the
 * table can no longer vouch for is refused and not applied. Node 1's learner, fed by hand.
 */
class SessionExpiryTest {

  /** Sessions expire after one second of log time; at most three are kept; four results each. */
  private static final Tuning TUNING = Tuning.DEFAULTS.withSessionExpiryMillis(1_000).withMaxSessions(3)
      .withSessionWindow(4);
  private static final GroupConfig CONFIG = config(1).tuning(TUNING).build();
  private static final Ballot B = new Ballot(1, 2);

  private final ListStateMachine machine = new ListStateMachine();
  private final Learner learner = new Learner(CONFIG, machine, new SplittableRandom(3));

  /** Learner {@code l} learns and applies, at its next instance, a value stamped {@code stamp}. */
  private static Decision apply(Learner l, long stamp, ClientCommand... commands) {
    long instance = l.nextToApply();
    Decision d = l.handle(new Chosen(2, List.of(new ChosenEntry(instance, B, Value.of(List.of(commands), stamp))),
        instance + 1));
    assertEquals(instance + 1, l.nextToApply());
    return d;
  }

  private Decision apply(long stamp, ClientCommand... commands) {
    return apply(learner, stamp, commands);
  }

  private static List<Outcome> outcomes(Decision d) {
    return d.applied().stream().map(Applied::outcome).toList();
  }

  // ---- the log's time ----

  @Test
  void theLogsTimeIsTheHighestStampAppliedAndNeverGoesBack() {
    assertEquals(0, learner.logTime());
    apply(5_000, command(7, 100, "a"));
    assertEquals(5_000, learner.logTime());
    apply(3_000, command(7, 101, "b")); // a new leader whose clock is behind
    assertEquals(5_000, learner.logTime(), "an earlier stamp does not take the log's time back");
    apply(0); // a no-op filling a hole carries no time
    assertEquals(5_000, learner.logTime());
    apply(5_900, command(8, 200, "c"));
    assertEquals(5_900, learner.logTime());
    // Client 7 was last used at 5,000 (not at 3,000, the stamp of its last instance): alive at 5,900 ...
    assertEquals(2, learner.sessionCount());
    apply(6_000);
    assertEquals(2, learner.sessionCount(), "idle exactly as long as the expiry: not more than it");
    // ... and expired once more than a second of log time has passed since.
    apply(6_001);
    assertEquals(1, learner.sessionCount());
    assertEquals(101, learner.sessionsExpiredThrough(), "the highest sequence it had applied");
  }

  // ---- expiry and refusal ----

  @Test
  void aCommandOfAnExpiredSessionIsRefusedNotAppliedAndSaysWhereNewSessionsStart() {
    apply(1_000, command(7, 100, "x"));
    apply(1_500, command(8, 200, "y"));
    apply(3_000); // both idle for more than a second: they expire here, before anything of this instance
    assertEquals(0, learner.sessionCount());
    assertEquals(2, learner.expiredSessions());
    assertEquals(200, learner.sessionsExpiredThrough());

    Decision late = apply(3_100, command(7, 100, "x"), command(7, 101, "z"));
    assertEquals(List.of(Outcome.SESSION_EXPIRED, Outcome.SESSION_EXPIRED), outcomes(late),
        "a retry of an applied command and a new one alike: the table cannot tell them apart any more");
    assertEquals(List.of("x", "y"), machine.applied, "neither was applied");
    assertEquals(200, late.applied().get(0).expiredThrough());
    assertEquals(0, learner.sessionCount(), "a refusal opens no session");

    Decision renewed = apply(3_200, command(9, 300, "w"));
    assertEquals(List.of(Outcome.APPLIED), outcomes(renewed), "a new session numbered above 200");
    assertEquals(List.of("x", "y", "w"), machine.applied);
  }

  @Test
  void aSessionWhoseNextCommandIsAboveEverythingExpiredGoesOnAndRefusesItsOwnOlderSequences() {
    apply(1_000, command(8, 200, "a"), command(8, 201, "b"));
    apply(2_500); // expires 8: sequences up to 201 are refused from now on
    Decision next = apply(2_600, command(8, 202, "c"), command(8, 201, "b"), command(8, 202, "c"));
    assertEquals(List.of(Outcome.APPLIED, Outcome.SESSION_EXPIRED, Outcome.DUPLICATE), outcomes(next),
        "202 cannot have been applied before: it opens the client's session again, which refuses 201");
    assertEquals(List.of("a", "b", "c"), machine.applied);
  }

  @Test
  void pastMaxSessionsTheLeastRecentlyUsedExpiresFirstInLogOrder() {
    apply(1_000, command(1, 10, "a"), command(2, 20, "b"));
    apply(1_000, command(3, 30, "c"), command(1, 11, "a2")); // 1 used again after 2 and 3
    assertEquals(3, learner.sessionCount());
    Decision d = apply(1_000, command(4, 40, "d"));
    assertEquals(List.of(Outcome.APPLIED), outcomes(d));
    assertEquals(3, learner.sessionCount(), "the fourth session made one expire: 2, used least recently");
    assertEquals(20, learner.sessionsExpiredThrough());
    assertEquals(List.of(Outcome.DUPLICATE, Outcome.DUPLICATE, Outcome.SESSION_EXPIRED),
        outcomes(apply(1_000, command(1, 11, "a2"), command(3, 30, "c"), command(2, 20, "b"))));
    assertEquals(List.of("a", "b", "c", "a2", "d"), machine.applied);
  }

  @Test
  void aMembershipChangeOfAnExpiredSessionIsAppliedWithoutTheTableItsEffectBeingTheSameAgain() {
    Membership four = new Membership(0, List.of(1, 2, 3, 4), List.of());
    ClientCommand add = ClientCommand.membership(99, 1, new Membership.Change(0, four));
    assertEquals(Outcome.APPLIED, apply(1_000, add).applied().get(0).outcome());
    assertEquals(1, learner.membership().epoch());
    apply(1_500, command(7, 500, "x"));
    apply(5_000); // both expire: sequences up to 500 are refused
    Decision again = apply(5_100, add);
    assertEquals(Outcome.APPLIED, again.applied().get(0).outcome(), "not refused: applying it again changes nothing");
    assertEquals(1, learner.membership().epoch(), "the change to the nodes there are already changed nothing");
    assertEquals(1, Membership.Outcome.ofResult(again.applied().get(0).result()).membership().epoch());
    assertEquals(0, learner.sessionCount(), "and no session was opened for it");
  }

  @Test
  void onlyARefusalForAnExpiredSessionSaysWhereSessionsStart() {
    Applied applied = apply(1_000, command(7, 1, "x")).applied().get(0);
    IllegalStateException e = assertThrows(IllegalStateException.class, applied::expiredThrough);
    assertTrue(e.getMessage().contains("not APPLIED"), e.getMessage());
  }

  // ---- the same on every replica ----

  /**
   * A seeded log of clients that come and go, stamped by leaders whose clocks differ: a learner fed
   * one instance at a time, one fed the same log in catch-up batches, and one that installs the
   * first one's checkpoint halfway and goes on from there, hold the same table after every instance
   * and answer every command the same.
   */
  @Test
  void sessionsExpireAtTheSameInstanceOnEveryReplicaAndAcrossACheckpoint() {
    long seed = 0x5E55_1011L;
    System.out.println("SessionExpiryTest: seeded log, seed " + seed + " (fixed: rerun the test to replay it)");
    List<Value> log = seededLog(new SplittableRandom(seed), 600);

    Learner one = new Learner(CONFIG, new ListStateMachine(), new SplittableRandom(1));
    List<String> summaries = new ArrayList<>();
    List<Applied> answers = new ArrayList<>();
    long expiredBefore = 0;
    List<Long> expiredAt = new ArrayList<>();
    byte[] halfway = null;
    for (int i = 0; i < log.size(); i++) {
      Decision d = one.handle(new Chosen(2, List.of(new ChosenEntry(i, B, log.get(i))), i + 1));
      answers.addAll(d.applied());
      summaries.add(summary(one));
      if (one.expiredSessions() > expiredBefore) {
        expiredAt.add((long) i);
      }
      expiredBefore = one.expiredSessions();
      if (i == log.size() / 2 - 1) {
        halfway = one.checkpoint().encode();
      }
    }
    assertTrue(expiredAt.size() > 20, "the log should expire sessions often, it did at " + expiredAt.size()
        + " instances; seed " + seed);
    assertTrue(answers.stream().anyMatch(a -> a.outcome() == Outcome.SESSION_EXPIRED), "seed " + seed);

    Learner batched = new Learner(CONFIG, new ListStateMachine(), new SplittableRandom(2));
    List<Applied> batchedAnswers = new ArrayList<>();
    for (int from = 0; from < log.size(); from += 7) {
      List<Proposal> batch = new ArrayList<>();
      for (int i = from; i < Math.min(from + 7, log.size()); i++) {
        batch.add(new Proposal(i, log.get(i)));
      }
      batchedAnswers.addAll(batched.handle(new CatchUpReply(3, batch, log.size())).applied());
      assertEquals(summaries.get((int) batched.nextToApply() - 1), summary(batched), "after instance "
          + (batched.nextToApply() - 1) + "; seed " + seed);
    }
    assertEquals(outcomesOf(answers), outcomesOf(batchedAnswers), "seed " + seed);

    Learner restarted = new Learner(CONFIG, new ListStateMachine(), new SplittableRandom(3));
    restarted.install(Checkpoint.decode(halfway));
    assertEquals(summaries.get(log.size() / 2 - 1), summary(restarted), "the checkpoint carries the table and its time");
    for (int i = log.size() / 2; i < log.size(); i++) {
      restarted.handle(new Chosen(2, List.of(new ChosenEntry(i, B, log.get(i))), i + 1));
      assertEquals(summaries.get(i), summary(restarted), "after instance " + i + "; seed " + seed);
    }
    assertEquals(new String(one.checkpoint().sessions()), new String(restarted.checkpoint().sessions()));
  }

  /** What every replica must agree on after an instance: the log's time, the table's size, the expired, what it refuses. */
  private static String summary(Learner l) {
    return "time " + l.logTime() + ", " + l.sessionCount() + " sessions, " + l.expiredSessions()
        + " expired, refusing through " + l.sessionsExpiredThrough();
  }

  private static List<String> outcomesOf(List<Applied> answers) {
    return answers.stream().map(a -> a.instance() + ":" + a.clientId() + "#" + a.sequence() + "=" + a.outcome())
        .toList();
  }

  /**
   * {@code instances} values from two leaders whose clocks are 700 ms apart, taking turns now and
   * then; each instance holds commands of clients that start their sessions at the leader's clock
   * (as GroupClient numbers from its wall clock), go on, pause or vanish, and now and then a late
   * retry of an old command.
   */
  private static List<Value> seededLog(SplittableRandom random, int instances) {
    List<Value> log = new ArrayList<>();
    List<long[]> clients = new ArrayList<>(); // {clientId, next sequence}
    List<ClientCommand> sent = new ArrayList<>();
    long now = 10_000;
    long skew = 0;
    for (int i = 0; i < instances; i++) {
      now += random.nextInt(300);
      if (random.nextInt(20) == 0) {
        skew = skew == 0 ? -700 : 0; // the other leader
      }
      List<ClientCommand> batch = new ArrayList<>();
      for (int c = random.nextInt(4); c > 0; c--) {
        if (clients.isEmpty() || random.nextInt(4) == 0) {
          clients.add(new long[] {1_000 + clients.size(), now * 1_000});
        }
        if (!sent.isEmpty() && random.nextInt(8) == 0) {
          batch.add(sent.get(random.nextInt(sent.size()))); // a late retry
          continue;
        }
        long[] client = clients.get(random.nextInt(clients.size()));
        ClientCommand command = command(client[0], client[1]++, "c" + i);
        sent.add(command);
        batch.add(command);
      }
      log.add(Value.of(batch, random.nextInt(10) == 0 ? 0 : now + skew));
    }
    return log;
  }

  // ---- bounded ----

  /**
   * 100,000 distinct clients, each using its session for a command or three and never again, over
   * 25,000 instances (about 42 minutes of log time at 100 ms an instance), with sessions expiring
   * after ten minutes and at most 5,000 kept: the table never holds more than 5,000 sessions, and
   * the checkpoint stays within what 5,000 sessions of three small results take. Without expiry the
   * table would hold all 100,000.
   */
  @Test
  void oneHundredThousandClientsOverTimeLeaveABoundedTableAndCheckpoint() {
    int maxSessions = 5_000;
    Tuning tuning = Tuning.DEFAULTS.withSessionExpiryMillis(600_000).withMaxSessions(maxSessions);
    Learner l = new Learner(config(1).tuning(tuning).build(), new CountingStateMachine(), new SplittableRandom(4));
    SplittableRandom random = new SplittableRandom(0x100_000L);
    int clients = 100_000;
    int instances = 25_000;
    long stamp = 1_700_000_000_000L;
    int nextClient = 0;
    int largestTable = 0;
    int largestCheckpoint = 0;
    List<ClientCommand> open = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      stamp += 100;
      List<ClientCommand> batch = new ArrayList<>();
      while (nextClient < (long) clients * (i + 1) / instances) {
        long start = stamp * 1_000_000; // as a GroupClient numbers: from its wall clock in nanoseconds
        int commands = 1 + random.nextInt(3);
        for (int c = 0; c < commands; c++) {
          open.add(command(nextClient, start + c, "+1"));
        }
        nextClient++;
      }
      for (int c = 0; c < 12 && !open.isEmpty(); c++) {
        batch.add(open.remove(0));
      }
      apply(l, stamp, batch.toArray(ClientCommand[]::new));
      largestTable = Math.max(largestTable, l.sessionCount());
      if (i % 1_000 == 999) {
        largestCheckpoint = Math.max(largestCheckpoint, l.checkpoint().encode().length);
      }
    }
    int perSession = 8 + 8 + 8 + 8 + 4 + 3 * (8 + 4 + 8); // an id, three numbers, three results of 8 bytes
    int bound = maxSessions * perSession + 1_000;
    System.out.printf("SESSIONS-BOUND clients=%d instances=%d logMinutes=%d largestTable=%d expired=%d"
        + " largestCheckpointBytes=%d boundBytes=%d finalTable=%d%n", nextClient, instances,
        (stamp - 1_700_000_000_000L) / 60_000, largestTable, l.expiredSessions(), largestCheckpoint, bound,
        l.sessionCount());
    assertEquals(clients, nextClient);
    assertTrue(open.isEmpty(), open.size() + " commands were never applied");
    assertTrue(largestTable <= maxSessions, "the table held " + largestTable + " sessions");
    assertTrue(largestCheckpoint <= bound, "a checkpoint took " + largestCheckpoint + " bytes, more than " + bound);
    assertEquals(clients, l.expiredSessions() + l.sessionCount(), "every session opened once, and all but those"
        + " the table holds expired");
    apply(l, stamp + 600_001);
    assertEquals(0, l.sessionCount(), "an idle log time longer than the expiry leaves none");
    assertTrue(l.checkpoint().encode().length < 100, "an empty table is a few bytes");
  }

  /** A state machine that only counts, answering each command with eight bytes. */
  private static final class CountingStateMachine implements StateMachine {
    private long count;

    @Override
    public byte[] apply(long instance, byte[] command) {
      byte[] out = new byte[8];
      Value.writeLong(out, 0, ++count);
      return out;
    }

    @Override
    public byte[] read(byte[] query) {
      return apply(-1, query);
    }

    @Override
    public byte[] snapshot() {
      byte[] out = new byte[8];
      Value.writeLong(out, 0, count);
      return out;
    }

    @Override
    public void restore(byte[] snapshot) {
      count = Value.readLong(snapshot, 0);
    }
  }

  // ---- window, unchanged ----

  @Test
  void aCommandBelowTheWindowOfALiveSessionIsStillToldApartFromAnExpiredSession() {
    apply(1_000, command(7, 1, "s1"), command(7, 2, "s2"), command(7, 3, "s3"), command(7, 4, "s4"),
        command(7, 5, "s5"));
    Decision d = apply(1_100, command(7, 1, "s1"));
    assertEquals(List.of(Outcome.BELOW_WINDOW), outcomes(d), "the session lives; 1 fell out of its window of 4");
    assertNull(d.applied().get(0).result());
    assertEquals("5", string(apply(1_200, command(7, 5, "s5")).applied().get(0).result()));
  }
}
