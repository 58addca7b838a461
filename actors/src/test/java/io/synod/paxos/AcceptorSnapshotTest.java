package io.synod.paxos;

import static io.synod.paxos.AcceptorFixtures.B12;
import static io.synod.paxos.AcceptorFixtures.B23;
import static io.synod.paxos.AcceptorFixtures.CONFIG;
import static io.synod.paxos.AcceptorFixtures.LEASE;
import static io.synod.paxos.AcceptorFixtures.V0;
import static io.synod.paxos.AcceptorFixtures.V1;
import static io.synod.paxos.AcceptorFixtures.V3;
import static io.synod.paxos.AcceptorFixtures.V5;
import static io.synod.paxos.AcceptorFixtures.ready;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.AcceptorRecord.AcceptedValues;
import io.synod.paxos.AcceptorRecord.Promised;
import io.synod.paxos.AcceptorRecord.Truncated;
import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.ToAcceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The acceptor's snapshot of its own state (what lets Pekko delete the journal's older events): what it
 * holds, and that an acceptor recovered from a snapshot and the records after it answers every probe
 * as the acceptor that lived through them does.
 */
class AcceptorSnapshotTest {

  @Test
  void snapshotOfAFreshAcceptorIsEmpty() {
    assertEquals(List.of(), ready().snapshotRecords());
  }

  @Test
  void snapshotListsTruncationThenPromiseThenAcceptedValuesByBallotWithInstancesAscending() {
    Acceptor a = ready();
    a.handle(new Accept(2, B12, List.of(new Proposal(3, V3), new Proposal(0, V0), new Proposal(1, V1)), -1));
    a.handle(new Accept(3, B23, List.of(new Proposal(4, V1), new Proposal(1, V5)), -1));
    a.handle(new Prepare(2, new Ballot(3, 2), 0));
    a.onCheckpointDurable(1);
    assertEquals(List.of(
            new Truncated(1),
            new Promised(new Ballot(3, 2)),
            new AcceptedValues(B12, List.of(new Proposal(3, V3))),
            new AcceptedValues(B23, List.of(new Proposal(1, V5), new Proposal(4, V1)))),
        a.snapshotRecords());
  }

  @Test
  void snapshotOfAnAcceptorThatOnlyPromisedHoldsOnlyThePromise() {
    Acceptor a = ready();
    a.handle(new Prepare(2, B12, 0));
    assertEquals(List.of(new Promised(B12)), a.snapshotRecords());
  }

  /** The life the fixed snapshot tests restore: values accepted at three ballots, two truncations, half of it after the snapshot. */
  private static final Life LIFE = new Life(
      List.of(
          a -> a.handle(new Prepare(2, B12, 0)),
          a -> a.handle(new Accept(2, B12, List.of(new Proposal(0, V0), new Proposal(1, V1), new Proposal(3, V3)), -1)),
          a -> a.handle(new Prepare(3, B23, 0)),
          a -> a.handle(new Accept(3, B23, List.of(new Proposal(1, V3), new Proposal(5, V5)), -1)),
          a -> a.onCheckpointDurable(1)),
      List.of(
          a -> a.handle(new Accept(3, B23, List.of(new Proposal(6, V1)), -1)),
          a -> a.handle(new Prepare(2, new Ballot(3, 2), 4)),
          a -> a.handle(new Accept(2, new Ballot(3, 2), List.of(new Proposal(5, V0)), -1)),
          a -> a.onCheckpointDurable(2)));

  @Test
  void acceptorRecoveredFromItsSnapshotAndTheRecordsAfterItAnswersEveryProbeAsTheOriginal() {
    Optional<String> difference = firstDifference(LIFE::lived, LIFE::restored, withContradictions(probes()));
    assertEquals(Optional.empty(), difference);
  }

  @Test
  void acceptorRecoveredFromASnapshotTakenLastAnswersEveryProbeAsTheOriginal() {
    Life snapshotAtTheEnd = new Life(concat(LIFE.beforeSnapshot(), LIFE.afterSnapshot()), List.of());
    assertEquals(Optional.empty(), firstDifference(snapshotAtTheEnd::lived, snapshotAtTheEnd::restored,
        withContradictions(probes())));
  }

  @Test
  void probesTellApartARecoveryThatSkipsTheRecordsAfterTheSnapshot() {
    Supplier<Acceptor> snapshotOnly = () -> {
      Acceptor a = ready();
      LIFE.beforeSnapshot().forEach(i -> i.apply(a));
      return graceOver(Acceptor.recover(CONFIG, a.snapshotRecords()));
    };
    assertTrue(firstDifference(LIFE::lived, snapshotOnly, probes()).isPresent(),
        "the probes must notice the promise, values and truncation written after the snapshot");
  }

  @Test
  void probesTellApartASnapshotMissingAnyOneOfItsRecords() {
    // Snapshot last, so that no later record stands in for the one dropped, and after a promise
    // above every accepted ballot, so that no accepted value stands in for the promise.
    List<Input> inputs = concat(LIFE.beforeSnapshot(), LIFE.afterSnapshot());
    inputs.add(a -> a.handle(new Prepare(3, new Ballot(4, 3), 0)));
    Life life = new Life(inputs, List.of());
    List<AcceptorRecord> full = life.snapshot();
    assertEquals(5, full.size(), "truncation, promise and three ballots' values: " + full);
    for (int drop = 0; drop < full.size(); drop++) {
      List<AcceptorRecord> partial = new ArrayList<>(full);
      AcceptorRecord dropped = partial.remove(drop);
      assertTrue(firstDifference(life::lived, () -> graceOver(Acceptor.recover(CONFIG, partial)), probes()).isPresent(),
          "the probes must notice a snapshot without " + dropped);
    }
  }

  @Test
  void randomLivesRecoverFromSnapshotAndLaterRecordsToAnAcceptorThatAnswersAlike() {
    List<ToAcceptor> alphabet = probes();
    for (long seed = 1; seed <= 300; seed++) {
      SplittableRandom rng = new SplittableRandom(seed);
      List<Input> inputs = new ArrayList<>();
      int length = 1 + rng.nextInt(25);
      for (int i = 0; i < length; i++) {
        int kind = rng.nextInt(10);
        if (kind == 0) {
          long upTo = rng.nextInt(8);
          inputs.add(a -> a.onCheckpointDurable(upTo));
        } else if (kind == 1) {
          inputs.add(Acceptor::onTick);
        } else {
          ToAcceptor m = alphabet.get(rng.nextInt(alphabet.size()));
          inputs.add(a -> a.handle(m));
        }
      }
      int cut = rng.nextInt(length + 1);
      Life life = new Life(inputs.subList(0, cut), inputs.subList(cut, length));
      // Probe one pair in lockstep as well: after answering alike once, they must go on answering alike.
      Acceptor original = life.lived();
      Acceptor restored = life.restored();
      for (int p = 0; p < 40; p++) {
        ToAcceptor probe = alphabet.get(rng.nextInt(alphabet.size()));
        long s = seed;
        assertEquals(answer(original, probe), answer(restored, probe), () -> "seed " + s + ", probe " + probe);
      }
      assertEquals(original.snapshotRecords(), restored.snapshotRecords(), "seed " + seed);
    }
  }

  /** One input to an acceptor; what it returns is what the shell would persist and send. */
  private interface Input {
    Decision apply(Acceptor a);
  }

  /**
   * An acceptor's inputs before a shell snapshots it and after. Every write is durable before the
   * next input, as a shell that snapshots only with no write pending guarantees.
   */
  private record Life(List<Input> beforeSnapshot, List<Input> afterSnapshot) {

    /** The acceptor that lived through it all, once any lease it granted has run out. */
    Acceptor lived() {
      Acceptor a = ready();
      beforeSnapshot.forEach(i -> i.apply(a));
      afterSnapshot.forEach(i -> i.apply(a));
      return graceOver(a);
    }

    List<AcceptorRecord> snapshot() {
      Acceptor a = ready();
      beforeSnapshot.forEach(i -> i.apply(a));
      return a.snapshotRecords();
    }

    List<AcceptorRecord> persistedAfterSnapshot() {
      Acceptor a = ready();
      beforeSnapshot.forEach(i -> i.apply(a));
      List<AcceptorRecord> later = new ArrayList<>();
      afterSnapshot.forEach(i -> later.addAll(i.apply(a).toPersist()));
      return later;
    }

    /** An acceptor recovered from the snapshot and the records persisted after it, past its restart grace. */
    Acceptor restored() {
      Acceptor b = Acceptor.recover(CONFIG, snapshot());
      b.replay(persistedAfterSnapshot());
      return graceOver(b);
    }
  }

  private static Acceptor graceOver(Acceptor a) {
    for (int i = 0; i < LEASE; i++) {
      a.onTick();
    }
    return a;
  }

  /**
   * Prepares and accepts from every node at ballots around those the tests use, from several
   * instances; an instance always carries the same value, so no probe reuses a ballot.
   */
  private static List<ToAcceptor> probes() {
    List<ToAcceptor> probes = new ArrayList<>();
    List<Ballot> ballots = new ArrayList<>();
    for (int round = 0; round <= 4; round++) {
      for (int node = 1; node <= 3; node++) {
        ballots.add(new Ballot(round, node));
      }
    }
    List<List<Proposal>> batches = List.of(
        List.of(),
        List.of(new Proposal(0, V0)),
        List.of(new Proposal(1, V1), new Proposal(2, V3)),
        List.of(new Proposal(5, V5), new Proposal(6, V1), new Proposal(9, V0)),
        List.of(new Proposal(3, V3), new Proposal(7, V5)));
    for (int from = 1; from <= 3; from++) {
      for (Ballot b : ballots) {
        for (long fromInstance : new long[] {0, 2, 5, 9}) {
          probes.add(new Prepare(from, b, fromInstance));
        }
        for (List<Proposal> batch : batches) {
          probes.add(new Accept(from, b, batch, -1));
          probes.add(new Accept(from, b, batch, 11));
        }
      }
    }
    return probes;
  }

  /** The probes, plus accepts that repeat or contradict (a reused ballot) what {@link #LIFE} accepted. */
  private static List<ToAcceptor> withContradictions(List<ToAcceptor> probes) {
    List<ToAcceptor> all = new ArrayList<>(probes);
    all.add(new Accept(3, B23, List.of(new Proposal(1, V3), new Proposal(5, V5)), -1));
    all.add(new Accept(3, B23, List.of(new Proposal(6, V5)), -1));
    all.add(new Accept(2, new Ballot(3, 2), List.of(new Proposal(5, V1)), -1));
    all.add(new Accept(2, new Ballot(3, 2), List.of(new Proposal(5, V0)), -1));
    return all;
  }

  /** What the acceptor answers to {@code m}: its decision, or the exception it throws. */
  private static Object answer(Acceptor a, ToAcceptor m) {
    try {
      return a.handle(m);
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  /** The first probe that two acceptors, each freshly built, answer differently, if any. */
  private static Optional<String> firstDifference(Supplier<Acceptor> first, Supplier<Acceptor> second,
      List<ToAcceptor> probes) {
    for (ToAcceptor probe : probes) {
      Object a = answer(first.get(), probe);
      Object b = answer(second.get(), probe);
      if (!Objects.equals(a, b)) {
        return Optional.of(probe + " answered " + a + " by one, " + b + " by the other");
      }
    }
    return Optional.empty();
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
