package io.synod.samples.election;

import io.synod.actors.GroupClient;
import io.synod.actors.Leadership;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job that runs on one node at a time, the master of an election group, as PhxPaxos' election
 * sample does: every node creates one, and it runs only while its node {@link Leadership#isMaster()
 * is master} (leads with a majority's lease). When the master's node stops or loses its lease,
 * another node's job starts once that node has won the group and its lease.
 *
 * <p>The job here records each run in the group's own log ({@link ElectionCommand.JobRan}), which
 * is also how a real job should publish its effects: writes through the log are totally ordered, so
 * even a late write of a master that has just lost its lease lands in one place in the log, where
 * every reader sees which master did what, never on the side.
 */
public final class MasterJob implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MasterJob.class);

  private final GroupClient<ElectionCommand, JobRecord> group;
  private final Duration period;
  private final ScheduledExecutorService executor;
  private final AutoCloseable watch;
  private final AtomicLong runsHere = new AtomicLong();
  private volatile Leadership leadership;
  /** The job's schedule while this node is master; guarded by {@code this}. */
  private ScheduledFuture<?> schedule;

  /** Starts watching {@code group}; the job runs every {@code period} while this node is master. */
  public MasterJob(GroupClient<ElectionCommand, JobRecord> group, Duration period) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("the job's period must be positive, got " + period);
    }
    this.group = group;
    this.period = period;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "synod-master-job-" + group.group());
      t.setDaemon(true);
      return t;
    });
    this.watch = group.watchLeadership(this::onLeadership);
  }

  private synchronized void onLeadership(Leadership l) {
    leadership = l;
    if (l.isMaster() && schedule == null) {
      LOG.info("node {} is master of group '{}': its job starts", l.node(), l.group());
      schedule = executor.scheduleAtFixedRate(this::runOnce, 0, period.toNanos(), TimeUnit.NANOSECONDS);
    } else if (!l.isMaster() && schedule != null) {
      LOG.info("node {} is no longer master of group '{}' (leader {}): its job stops", l.node(), l.group(),
          l.leader());
      schedule.cancel(false);
      schedule = null;
    }
  }

  /** One run of the job, on the job's thread. */
  private void runOnce() {
    Leadership l = leadership;
    if (l == null || !l.isMaster()) {
      return; // lost the lease since this run was scheduled
    }
    try {
      group.propose(new ElectionCommand.JobRan(l.node())).toCompletableFuture().join();
      runsHere.incrementAndGet();
    } catch (CompletionException e) {
      LOG.warn("node {}: a run of group '{}''s job could not be recorded: {}", l.node(), l.group(),
          e.getCause() == null ? e : e.getCause().toString());
    }
  }

  /** This node's latest view of the group's leadership (null before the first). */
  public Leadership leadership() {
    return leadership;
  }

  /** Whether the job is scheduled here: this node is master. */
  public synchronized boolean running() {
    return schedule != null;
  }

  /** Runs this node's job recorded in the log. */
  public long runsHere() {
    return runsHere.get();
  }

  @Override
  public void close() throws Exception {
    watch.close();
    synchronized (this) {
      if (schedule != null) {
        schedule.cancel(false);
        schedule = null;
      }
    }
    executor.shutdownNow();
  }
}
