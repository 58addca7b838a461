package io.synod.paxos;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Quorum arithmetic over several memberships at once. While a membership change is being decided,
 * phase 1, a lease and a handover each need a majority of every membership that may hold, not of
 * one; this is the one place that counts them. Its one reason to change: what makes a quorum.
 */
final class Quorums {

  private Quorums() {}

  /** Whether {@code nodes} hold a majority of the voters of each of {@code memberships}. */
  static boolean majorityOfEach(Collection<Membership> memberships, Set<Integer> nodes) {
    for (Membership m : memberships) {
      int count = 0;
      for (int v : m.voters()) {
        if (nodes.contains(v)) {
          count++;
        }
      }
      if (count < m.quorum()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the voters not in {@code refused} could still make a majority of each of {@code
   * memberships}: once they cannot, waiting for more answers is pointless.
   */
  static boolean majorityStillPossible(Collection<Membership> memberships, Set<Integer> refused) {
    for (Membership m : memberships) {
      int open = 0;
      for (int v : m.voters()) {
        if (!refused.contains(v)) {
          open++;
        }
      }
      if (open < m.quorum()) {
        return false;
      }
    }
    return true;
  }

  /** The voters of all of {@code memberships}, in id order. */
  static Set<Integer> votersOf(Collection<Membership> memberships) {
    Set<Integer> voters = new TreeSet<>();
    memberships.forEach(m -> voters.addAll(m.voters()));
    return voters;
  }

  /** The voters and learners of all of {@code memberships}, in id order. */
  static Set<Integer> everyoneOf(Collection<Membership> memberships) {
    Set<Integer> all = new TreeSet<>();
    memberships.forEach(m -> all.addAll(m.everyone()));
    return all;
  }
}
