package io.synod.paxos;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Who takes part in a group from some instance of its log on: the voters, whose acceptors count in
 * quorums, and the learners, which receive and apply every chosen value but never vote. {@code
 * epoch} counts the changes made since the group began (0 for the membership it was configured
 * with); a {@link Change} names the epoch it was made against, so two changes made against one
 * membership cannot both take effect.
 *
 * <p><b>Changes go through the log.</b> A change is a command like any other, marked as a
 * membership change ({@link ClientCommand#membershipChange()}); applying the value that holds it, at
 * instance {@code c}, sets the membership of every instance from {@code c + 1} on. Every replica
 * applies the same values in the same order, so every replica agrees on the membership of every
 * instance. How a leader keeps this safe while it pipelines instances is described on {@code
 * MembershipView} (the leader's view of the membership of each instance) and in {@code
 * docs/protocol.md} ("Membership changes").
 */
public record Membership(long epoch, List<Integer> voters, List<Integer> learners, List<Integer> catchingUp) {

  private static final byte VERSION = 1;
  /** More nodes than any group has: a decoded list longer than this is garbage. */
  private static final int MAX_NODES = 4096;

  /** A membership with no learner waiting to become a voter. */
  public Membership(long epoch, List<Integer> voters, List<Integer> learners) {
    this(epoch, voters, learners, List.of());
  }

  /**
   * {@code catchingUp}: learners that become voters once they have caught up. Each asks for that
   * itself, with a change of its own, once its learner has applied the change that named it here:
   * it has then installed a snapshot and applied the log up to that change, so it joins the quorums
   * with the group's history behind it rather than empty.
   */
  public Membership {
    if (epoch < 0) {
      throw new IllegalArgumentException("membership epoch must be >= 0, got " + epoch);
    }
    voters = sortedIds("voters", voters);
    learners = sortedIds("learners", learners);
    if (voters.isEmpty()) {
      throw new IllegalArgumentException("a group needs at least one voter");
    }
    for (int l : learners) {
      if (voters.contains(l)) {
        throw new IllegalArgumentException("node " + l + " is listed both as a voter and as a learner");
      }
    }
    catchingUp = sortedIds("catching-up learners", catchingUp);
    for (int c : catchingUp) {
      if (!learners.contains(c)) {
        throw new IllegalArgumentException("node " + c + " is to become a voter once caught up, but is not a learner");
      }
    }
  }

  private static List<Integer> sortedIds(String what, List<Integer> ids) {
    if (ids == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    TreeSet<Integer> unique = new TreeSet<>(ids);
    if (unique.size() != ids.size()) {
      throw new IllegalArgumentException(what + " list a node twice: " + ids);
    }
    if (!unique.isEmpty() && unique.first() < 0) {
      throw new IllegalArgumentException("node ids must be >= 0, got " + unique.first());
    }
    return List.copyOf(unique);
  }

  /** A majority of the voters. */
  public int quorum() {
    return voters.size() / 2 + 1;
  }

  public boolean isVoter(int node) {
    return voters.contains(node);
  }

  public boolean isLearner(int node) {
    return learners.contains(node);
  }

  /** Whether the node votes or learns. */
  public boolean includes(int node) {
    return isVoter(node) || isLearner(node);
  }

  /** Voters and learners, in id order. */
  public List<Integer> everyone() {
    TreeSet<Integer> all = new TreeSet<>(voters);
    all.addAll(learners);
    return List.copyOf(all);
  }

  /**
   * The target of adding {@code node}: as a learner that becomes a voter once caught up ({@code
   * voter} true), or as a learner only.
   *
   * @throws IllegalArgumentException if the node is a voter already, or (for a learner) a member
   */
  public Membership adding(int node, boolean voter) {
    if (isVoter(node)) {
      throw new IllegalArgumentException("node " + node + " is a voter already");
    }
    if (!voter && isLearner(node)) {
      throw new IllegalArgumentException("node " + node + " is a learner already");
    }
    if (voter && catchingUp.contains(node)) {
      throw new IllegalArgumentException("node " + node + " is being added already: it becomes a voter once caught up");
    }
    List<Integer> l = new ArrayList<>(learners);
    if (!l.contains(node)) {
      l.add(node);
    }
    List<Integer> c = new ArrayList<>(catchingUp);
    if (voter) {
      c.add(node);
    }
    return new Membership(epoch, voters, l, c);
  }

  /** The target of a caught-up learner's own promotion to voter. */
  public Membership promoting(int node) {
    List<Integer> v = new ArrayList<>(voters);
    v.add(node);
    List<Integer> l = new ArrayList<>(learners);
    l.remove(Integer.valueOf(node));
    List<Integer> c = new ArrayList<>(catchingUp);
    c.remove(Integer.valueOf(node));
    return new Membership(epoch, v, l, c);
  }

  /**
   * The target of removing {@code node}, voter or learner.
   *
   * @throws IllegalArgumentException if it is not a member, or is the last voter
   */
  public Membership removing(int node) {
    if (!includes(node)) {
      throw new IllegalArgumentException("node " + node + " is neither a voter nor a learner");
    }
    if (voters.equals(List.of(node))) {
      throw new IllegalArgumentException("node " + node + " is the last voter: a group needs at least one");
    }
    List<Integer> v = new ArrayList<>(voters);
    v.remove(Integer.valueOf(node));
    List<Integer> l = new ArrayList<>(learners);
    l.remove(Integer.valueOf(node));
    List<Integer> c = new ArrayList<>(catchingUp);
    c.remove(Integer.valueOf(node));
    return new Membership(epoch, v, l, c);
  }

  /** Whether voters and learners are the same as {@code other}'s (whatever the epochs). */
  public boolean sameNodes(Membership other) {
    return voters.equals(other.voters) && learners.equals(other.learners) && catchingUp.equals(other.catchingUp);
  }

  /**
   * What applying {@code change} makes of this membership. It takes effect only if it was made
   * against this epoch; a change to exactly the nodes there are already succeeds and changes
   * nothing (so a retried change that took effect before is answered as done); any other change
   * made against another epoch is refused and changes nothing. A pure function of the two: the
   * proposer and every learner compute the same.
   */
  public Outcome apply(Change change) {
    if (sameNodes(change.target())) {
      return new Outcome(this, null);
    }
    if (change.expectedEpoch() != epoch) {
      return new Outcome(this, "the membership changed while this change was made (it was made against epoch "
          + change.expectedEpoch() + ", the group is at epoch " + epoch + ": voters " + voters + ", learners " + learners
          + "); nothing was changed");
    }
    Membership t = change.target();
    return new Outcome(new Membership(epoch + 1, t.voters(), t.learners(), t.catchingUp()), null);
  }

  /**
   * What applying a membership-change command makes of {@code m}: as {@link #apply}, or refused
   * and nothing changed if its payload is not an encoded change.
   */
  public static Outcome applyCommand(Membership m, ClientCommand command) {
    Change change;
    try {
      change = Change.decode(command.payload());
    } catch (IllegalArgumentException e) {
      return new Outcome(m, "not a valid membership change (" + e.getMessage() + "); nothing was changed");
    }
    return m.apply(change);
  }

  /** What applying a change gave: the membership from then on, and why it was refused (null if it was not). */
  public record Outcome(Membership membership, String refusal) {

    /** The result the change's client receives: {@code 1, membership} or {@code 0, the reason's chars}. */
    public byte[] result() {
      Wire.Writer w = new Wire.Writer();
      if (refusal == null) {
        return w.writeByte(1).writeBytes(membership.encode()).toByteArray();
      }
      w.writeByte(0).writeInt(refusal.length());
      for (int i = 0; i < refusal.length(); i++) {
        w.writeByte(refusal.charAt(i) >>> 8).writeByte(refusal.charAt(i));
      }
      return w.toByteArray();
    }

    /**
     * The outcome a client's result bytes describe.
     *
     * @throws IllegalArgumentException if they are not the result of a membership change
     */
    public static Outcome ofResult(byte[] result) {
      Wire.Reader r = new Wire.Reader(result, result == null ? 0 : result.length, "membership change result");
      if (r.readByte() == 1) {
        Membership m = decode(r.readBytes());
        r.expectEnd();
        return new Outcome(m, null);
      }
      int n = r.readCount(2, "chars of a reason");
      char[] chars = new char[n];
      for (int i = 0; i < n; i++) {
        chars[i] = (char) (((r.readByte() & 0xff) << 8) | (r.readByte() & 0xff));
      }
      r.expectEnd();
      return new Outcome(null, new String(chars));
    }
  }

  /**
   * A request to make {@code target}'s voters and learners the group's, made against membership
   * {@code expectedEpoch}. Its encoded form is the payload of a membership-change command.
   */
  public record Change(long expectedEpoch, Membership target) {

    public Change {
      if (target == null) {
        throw new IllegalArgumentException("a membership change needs a target");
      }
    }

    public byte[] encode() {
      return new Wire.Writer().writeByte(VERSION).writeLong(expectedEpoch).writeBytes(target.encode()).toByteArray();
    }

    /** @throws IllegalArgumentException if the bytes are not an encoded change */
    public static Change decode(byte[] bytes) {
      Wire.Reader r = new Wire.Reader(bytes, bytes == null ? 0 : bytes.length, "membership change");
      int version = r.readByte();
      if (version != VERSION) {
        throw new IllegalArgumentException("membership change: unknown version " + version);
      }
      Change c = new Change(r.readLong(), Membership.decode(r.readBytes()));
      r.expectEnd();
      return c;
    }
  }

  public byte[] encode() {
    Wire.Writer w = new Wire.Writer().writeByte(VERSION).writeLong(epoch).writeInt(voters.size());
    voters.forEach(w::writeInt);
    w.writeInt(learners.size());
    learners.forEach(w::writeInt);
    w.writeInt(catchingUp.size());
    catchingUp.forEach(w::writeInt);
    return w.toByteArray();
  }

  /** @throws IllegalArgumentException if the bytes are not an encoded, valid membership */
  public static Membership decode(byte[] bytes) {
    Wire.Reader r = new Wire.Reader(bytes, bytes == null ? 0 : bytes.length, "membership");
    int version = r.readByte();
    if (version != VERSION) {
      throw new IllegalArgumentException("membership: unknown version " + version);
    }
    long epoch = r.readLong();
    List<Integer> voters = readIds(r, "voters");
    List<Integer> learners = readIds(r, "learners");
    List<Integer> catchingUp = readIds(r, "catching-up learners");
    r.expectEnd();
    Membership m = new Membership(epoch, voters, learners, catchingUp);
    if (!m.voters.equals(voters) || !m.learners.equals(learners) || !m.catchingUp.equals(catchingUp)) {
      throw new IllegalArgumentException("membership: node ids not in ascending order");
    }
    return m;
  }

  private static List<Integer> readIds(Wire.Reader r, String which) {
    int at = r.position();
    int n = r.readCount(4, which);
    if (n > MAX_NODES) {
      throw new IllegalArgumentException("membership: " + n + " " + which + " at byte " + at + ", more than the "
          + MAX_NODES + " a group may have");
    }
    List<Integer> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(r.readInt());
    }
    return ids;
  }

  @Override
  public String toString() {
    return "Membership[epoch " + epoch + ", voters " + voters + ", learners " + learners
        + (catchingUp.isEmpty() ? "" : ", catching up " + catchingUp) + "]";
  }
}
