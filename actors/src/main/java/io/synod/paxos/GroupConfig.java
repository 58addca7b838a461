package io.synod.paxos;

import java.util.List;
import java.util.TreeSet;

/**
 * Who the roles of one group on one node are: the group, this node, and who the members were when
 * the group began (voting {@code members} and non-voting {@code learners}; changes through the log
 * replace them, see {@link Membership}), or that this node is {@code joining} and in neither list
 * yet. How the protocol runs (its limits and timeouts) is the {@link Tuning} it carries. {@code
 * preferredLeader} names the node the group's leadership should be with when that node is a healthy,
 * reachable voter that holds what the leader proposed (-1: none; see {@link PreferredLeader}). Built with {@link #builder}, validated
 * once; an invalid identity fails here, saying what is wrong with it.
 */
public record GroupConfig(
    String group,
    int self,
    List<Integer> members,
    List<Integer> learners,
    boolean joining,
    Tuning tuning,
    int preferredLeader) {

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
    if (tuning == null) {
      throw new IllegalArgumentException("group '" + group + "' needs a tuning");
    }
    if (preferredLeader < -1) {
      throw new IllegalArgumentException("group '" + group + "' preferred leader must be a node id or -1 (none), got "
          + preferredLeader);
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
  }

  /** As the canonical constructor, with no preferred leader. */
  public GroupConfig(String group, int self, List<Integer> members, List<Integer> learners, boolean joining,
      Tuning tuning) {
    this(group, self, members, learners, joining, tuning, -1);
  }

  /** This configuration with {@code node} as the preferred leader (-1: none). */
  public GroupConfig withPreferredLeader(int node) {
    return new GroupConfig(group, self, members, learners, joining, tuning, node);
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

  /** A node of a group with these members: no learners, not joining, {@link Tuning#DEFAULTS}. */
  public static Builder builder(String group, int self, List<Integer> members) {
    return new Builder(group, self, members);
  }

  /** Builds a {@link GroupConfig}; what is not set keeps the defaults of {@link #builder}. */
  public static final class Builder {
    private final String group;
    private final int self;
    private final List<Integer> members;
    private List<Integer> learners = List.of();
    private boolean joining;
    private Tuning tuning = Tuning.DEFAULTS;
    private int preferredLeader = -1;

    private Builder(String group, int self, List<Integer> members) {
      this.group = group;
      this.self = self;
      this.members = members;
    }

    /** Nodes that learn from the start without voting. */
    public Builder learners(List<Integer> v) { learners = v; return this; }
    /** This node is in none of the initial lists: it waits, learning nothing, until a change adds it. */
    public Builder joining(boolean v) { joining = v; return this; }
    /** The protocol's limits and timeouts. */
    public Builder tuning(Tuning v) { tuning = v; return this; }
    /** The node leadership should go to while it is a reachable voter holding what the leader proposed; -1 for none. */
    public Builder preferredLeader(int v) { preferredLeader = v; return this; }

    public GroupConfig build() {
      return new GroupConfig(group, self, members, learners, joining, tuning, preferredLeader);
    }
  }
}
