package io.synod.paxos;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A leader's view of membership: the membership of every instance from the first it still drives,
 * as its own values make it, and the acceptors that promised its ballot. Each membership holds from
 * its key up to the next key; the last from there on.
 *
 * <p>The leader sends each instance to the voters of that instance's membership and counts their
 * acceptances only. It proposes only under a membership a majority of whose voters promised its
 * ballot: past a change to voters that did not, it proposes nothing until the change is chosen,
 * and then runs phase 1 again (a proposer with a lower ballot may have run phase 1 with the new
 * voters; proposing on under them could choose a second value for an instance). Its one reason to
 * change: which membership holds where, from the leader's side.
 */
final class MembershipView {

  private final TreeMap<Long, Membership> byInstance = new TreeMap<>();
  private final Set<Integer> promisers;

  /** The view of a new leader: {@code membership} from {@code from} on, promised by {@code promisers}. */
  MembershipView(long from, Membership membership, Set<Integer> promisers) {
    byInstance.put(from, membership);
    this.promisers = new HashSet<>(promisers);
  }

  /** The membership of {@code instance}. */
  Membership at(long instance) {
    Map.Entry<Long, Membership> e = byInstance.floorEntry(instance);
    return e == null ? byInstance.firstEntry().getValue() : e.getValue();
  }

  /** The membership of the next instance this leader would propose. */
  Membership latest() {
    return byInstance.lastEntry().getValue();
  }

  /** The first instance of {@link #latest}. */
  long latestFrom() {
    return byInstance.lastKey();
  }

  /** The first instance this view knows the membership of. */
  long firstFrom() {
    return byInstance.firstKey();
  }

  /**
   * {@code value} is proposed at {@code instance}, the next one: notes the membership it makes for
   * the instances after it. Returns whether it changes the membership.
   */
  boolean noteProposed(long instance, Value value) {
    Membership before = latest();
    Membership after = value.membershipAfter(before);
    if (after == before) {
      return false;
    }
    byInstance.put(instance + 1, after);
    return true;
  }

  /** The memberships of {@code instance} and of every instance after it. */
  Collection<Membership> from(long instance) {
    Long key = byInstance.floorKey(instance);
    return (key == null ? byInstance : byInstance.tailMap(key, true)).values();
  }

  /** Forgets the memberships of instances before {@code instance}, the first this leader still drives. */
  void forgetBefore(long instance) {
    Long key = byInstance.floorKey(instance);
    if (key != null) {
      byInstance.headMap(key).clear();
    }
  }

  /** Whether a majority of the voters of {@code m} promised this leader's ballot. */
  boolean promisedByMajorityOf(Membership m) {
    return Quorums.majorityOfEach(List.of(m), promisers);
  }
}
