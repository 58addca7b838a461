package io.synod.paxos.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs many seeds of one protocol variant, each its own single-threaded deterministic {@link
 * Simulation}, spread over the machine's cores (runs share nothing, so results do not depend on
 * the spreading).
 */
public final class SimulationRunner {

  /** What a batch of seeds did, summed. */
  public record Totals(int seeds, Counters counters, List<Simulation.Result> failures, long millis) {

    public String summaryLine() {
      return "SIM-SUMMARY seeds=" + seeds + " events=" + counters.events() + " chosen=" + counters.chosen()
          + " crashes=" + counters.crashes() + " partitions=" + counters.partitions() + " violations="
          + failures.size() + " pauses=" + counters.pauses();
    }

    public String detailLine() {
      Counters c = counters;
      return "SIM-DETAIL acknowledged=" + c.acknowledged() + " leaseReads=" + c.leaseReads() + " tornWrites="
          + c.tornWrites() + " corruptionsDetected=" + c.corruptionsDetected() + " checkpointsInstalled="
          + c.checkpointsInstalled() + " duplicatesAnswered=" + c.duplicatesAnswered() + " leaderChanges="
          + c.leaderChanges() + " millis=" + millis + " eventsPerSecond="
          + (millis == 0 ? c.events() : c.events() * 1000 / millis) + " snapshotRecoveries="
          + c.snapshotRecoveries() + " promisePages=" + c.promisePages() + " transfers=" + c.transfers()
          + " handoverCampaigns=" + c.handoverCampaigns() + " membershipChanges=" + c.membershipChanges()
          + " membershipEpochs=" + c.membershipEpochs() + " reconfigAsked=" + c.reconfigAsked() + " reconfigChanged="
          + c.reconfigChanged() + " reconfigRefused=" + c.reconfigRefused() + " reconfigTimedOut="
          + c.reconfigTimedOut() + " reconfigLost=" + c.reconfigLost() + " leaderRemovals=" + c.leaderRemovals()
          + " quietFailovers=" + c.quietFailovers() + " quorumStepDowns=" + c.quorumStepDowns()
          + " readIndexReads=" + c.readIndexReads() + " checksumChecks=" + c.checksumChecks() + " expiredSessions="
          + c.expiredSessions() + " sessionRefusals=" + c.sessionRefusals() + " failoversExempted="
          + c.failoversExempted();
    }

    public long events() {
      return counters.events();
    }

    public long firstFailingSeed() {
      return failures.isEmpty() ? -1 : failures.get(0).seed();
    }

    /** The first failing seed's violation, or null. */
    public String firstViolation() {
      return failures.isEmpty() ? null : failures.get(0).violation();
    }
  }

  private SimulationRunner() {}

  public static Simulation.Result runOne(long seed, SimProtocol protocol, Consumer<String> trace) {
    return new Simulation(seed, protocol, trace).run();
  }

  /** Runs seeds {@code first, first + 1, ...}, {@code count} of them; stops early after {@code stopAfterFailures}. */
  public static Totals run(long first, int count, SimProtocol protocol, int stopAfterFailures) {
    long start = System.nanoTime();
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "simulation");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Simulation.Result>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        long seed = first + i;
        futures.add(pool.submit(() -> runOne(seed, protocol, null)));
      }
      Counters sum = Counters.ZERO;
      int done = 0;
      List<Simulation.Result> failures = new ArrayList<>();
      for (Future<Simulation.Result> f : futures) {
        Simulation.Result r = f.get();
        done++;
        sum = sum.plus(r.counters());
        if (r.violation() != null) {
          failures.add(r);
          if (failures.size() >= stopAfterFailures) {
            break;
          }
        }
      }
      return new Totals(done, sum, failures, (System.nanoTime() - start) / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("simulation interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("simulation crashed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
