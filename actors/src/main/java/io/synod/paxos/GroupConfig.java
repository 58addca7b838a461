package io.synod.paxos;

import java.util.List;
import java.util.TreeSet;

/**
 * Everything the roles of one group on one node need to know: who they are, who the members were
 * when the group began (voting {@code members} and non-voting {@code learners}; changes through the
 * log replace them, see {@link Membership}),
 * and the protocol's limits and timeouts (in ticks, the core's only unit of time). Built with
 * {@link #builder}, validated once; an invalid value fails here with its name.
 *
 * <p><b>Lease and clock skew.</b> An acceptor that grants a lease refuses other proposers for
 * {@code leaseTicks} of its own ticks from when the request reached it. The leader counts its lease
 * from when it <em>sent</em> the request, for {@link #leaderLeaseTicks()} of its own ticks. Assuming
 * every node's tick rate is within {@code maxSkewPerMille}/1000 of real time, that is shorter in
 * real time than any granting acceptor's promise, so no two nodes ever believe they hold a lease at
 * once. A node whose clock runs faster or slower than that bound breaks lease reads (not the log).
 */
public record GroupConfig(
    String group,
    int self,
    List<Integer> members,
    int window,
    int maxBatchCommands,
    int maxBatchBytes,
    int maxPendingCommands,
    int retransmitTicks,
    int heartbeatTicks,
    int electionTimeoutTicks,
    int electionJitterTicks,
    int prepareTimeoutTicks,
    int leaseTicks,
    int maxSkewPerMille,
    int catchUpBatch,
    int catchUpRetryTicks,
    int sessionWindow,
    int maxForwardHops,
    List<Integer> learners,
    boolean joining) {

  public GroupConfig {
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException("group id must not be blank, got '" + group + "'");
    }
    if (members == null || members.isEmpty()) {
      throw new IllegalArgumentException("group '" + group + "' needs at least one member");
    }
    TreeSet<Integer> unique = new TreeSet<>(members);
    if (unique.size() != members.size()) {
      throw new IllegalArgumentException("group '" + group + "' lists a member twice: " + members);
    }
    if (unique.first() < 0) {
      throw new IllegalArgumentException("member ids must be >= 0, got " + unique.first());
    }
    if (learners == null) {
      throw new IllegalArgumentException("group '" + group + "' learners must not be null");
    }
    members = List.copyOf(unique);
    learners = List.copyOf(learners);
    Membership initial = new Membership(0, members, learners); // validates the learners
    if (joining && initial.includes(self)) {
      throw new IllegalArgumentException("node " + self + " is in group '" + group + "' " + initial
          + " from the start: it cannot also join it");
    }
    if (!joining && !initial.includes(self)) {
      throw new IllegalArgumentException("node " + self + " is not a member of group '" + group + "' " + members
          + (learners.isEmpty() ? "" : " nor one of its learners " + learners)
          + " (a node that is to be added later must be configured as joining)");
    }
    positive("window", window);
    positive("maxBatchCommands", maxBatchCommands);
    positive("maxBatchBytes", maxBatchBytes);
    positive("maxPendingCommands", maxPendingCommands);
    positive("retransmitTicks", retransmitTicks);
    positive("heartbeatTicks", heartbeatTicks);
    positive("electionTimeoutTicks", electionTimeoutTicks);
    positive("electionJitterTicks", electionJitterTicks);
    positive("prepareTimeoutTicks", prepareTimeoutTicks);
    positive("leaseTicks", leaseTicks);
    positive("catchUpBatch", catchUpBatch);
    positive("catchUpRetryTicks", catchUpRetryTicks);
    positive("sessionWindow", sessionWindow);
    if (maxSkewPerMille < 0 || maxSkewPerMille >= 1000) {
      throw new IllegalArgumentException("maxSkewPerMille must be in [0, 1000), got " + maxSkewPerMille);
    }
    positive("maxForwardHops", maxForwardHops);
    long leaderLease = leaderLease(leaseTicks, maxSkewPerMille);
    if (leaderLease <= heartbeatTicks) {
      throw new IllegalArgumentException("leaseTicks " + leaseTicks + " with maxSkewPerMille " + maxSkewPerMille
          + " leaves the leader a lease of " + leaderLease + " ticks, which must exceed heartbeatTicks "
          + heartbeatTicks + " so the lease is renewed before it runs out");
    }
  }

  /** A majority of the initial members. */
  public int quorum() {
    return members.size() / 2 + 1;
  }

  /**
   * The membership the group began with (epoch 0): {@link #members} vote, {@link #learners} learn.
   * Membership changes chosen in the log replace it from their instance on.
   */
  public Membership initialMembership() {
    return new Membership(0, members, learners);
  }

  /**
   * How many of its own ticks the leader may count its lease from sending the request: {@code
   * (leaseTicks - 1) * (1000 - skew) / (1000 + skew)}, rounded down. The acceptor's promise lasts at
   * least {@code leaseTicks - 1} whole ticks after the request arrives (it may arrive just before
   * the acceptor's next tick); the factor covers the fastest leader against the slowest acceptor.
   */
  public long leaderLeaseTicks() {
    return leaderLease(leaseTicks, maxSkewPerMille);
  }

  private static long leaderLease(int leaseTicks, int skew) {
    return (long) (leaseTicks - 1) * (1000 - skew) / (1000 + skew);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }

  public static Builder builder(String group, int self, List<Integer> members) {
    return new Builder(group, self, members);
  }

  public Builder toBuilder() {
    return new Builder(group, self, members)
        .window(window)
        .maxBatchCommands(maxBatchCommands)
        .maxBatchBytes(maxBatchBytes)
        .maxPendingCommands(maxPendingCommands)
        .retransmitTicks(retransmitTicks)
        .heartbeatTicks(heartbeatTicks)
        .electionTimeoutTicks(electionTimeoutTicks)
        .electionJitterTicks(electionJitterTicks)
        .prepareTimeoutTicks(prepareTimeoutTicks)
        .leaseTicks(leaseTicks)
        .maxSkewPerMille(maxSkewPerMille)
        .catchUpBatch(catchUpBatch)
        .catchUpRetryTicks(catchUpRetryTicks)
        .sessionWindow(sessionWindow)
        .maxForwardHops(maxForwardHops)
        .learners(learners)
        .joining(joining);
  }

  /** Defaults suit a tick of about 10 ms: a 200 ms election timeout, a 300 ms acceptor lease. */
  public static final class Builder {
    private final String group;
    private final int self;
    private final List<Integer> members;
    private int window = 32;
    private int maxBatchCommands = 256;
    private int maxBatchBytes = 128 << 10;
    private int maxPendingCommands = 10_000;
    private int retransmitTicks = 5;
    private int heartbeatTicks = 3;
    private int electionTimeoutTicks = 20;
    private int electionJitterTicks = 10;
    private int prepareTimeoutTicks = 10;
    private int leaseTicks = 30;
    private int maxSkewPerMille = 100;
    private int catchUpBatch = 64;
    private int catchUpRetryTicks = 5;
    private int sessionWindow = 64;
    private int maxForwardHops = 2;
    private List<Integer> learners = List.of();
    private boolean joining;

    private Builder(String group, int self, List<Integer> members) {
      this.group = group;
      this.self = self;
      this.members = members;
    }

    public Builder window(int v) { window = v; return this; }
    public Builder maxBatchCommands(int v) { maxBatchCommands = v; return this; }
    public Builder maxBatchBytes(int v) { maxBatchBytes = v; return this; }
    public Builder maxPendingCommands(int v) { maxPendingCommands = v; return this; }
    public Builder retransmitTicks(int v) { retransmitTicks = v; return this; }
    public Builder heartbeatTicks(int v) { heartbeatTicks = v; return this; }
    public Builder electionTimeoutTicks(int v) { electionTimeoutTicks = v; return this; }
    public Builder electionJitterTicks(int v) { electionJitterTicks = v; return this; }
    public Builder prepareTimeoutTicks(int v) { prepareTimeoutTicks = v; return this; }
    public Builder leaseTicks(int v) { leaseTicks = v; return this; }
    public Builder maxSkewPerMille(int v) { maxSkewPerMille = v; return this; }
    public Builder catchUpBatch(int v) { catchUpBatch = v; return this; }
    public Builder catchUpRetryTicks(int v) { catchUpRetryTicks = v; return this; }
    public Builder sessionWindow(int v) { sessionWindow = v; return this; }
    public Builder maxForwardHops(int v) { maxForwardHops = v; return this; }
    /** Nodes that learn from the start without voting. */
    public Builder learners(List<Integer> v) { learners = v; return this; }
    /** This node is in none of the initial lists: it waits, learning nothing, until a change adds it. */
    public Builder joining(boolean v) { joining = v; return this; }

    public GroupConfig build() {
      return new GroupConfig(group, self, members, window, maxBatchCommands, maxBatchBytes, maxPendingCommands,
          retransmitTicks, heartbeatTicks, electionTimeoutTicks, electionJitterTicks, prepareTimeoutTicks,
          leaseTicks, maxSkewPerMille, catchUpBatch, catchUpRetryTicks, sessionWindow, maxForwardHops, learners,
          joining);
    }
  }
}
