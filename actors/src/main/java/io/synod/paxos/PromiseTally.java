package io.synod.paxos;

import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one campaign has heard for its ballot: the promises, each joined from its pages (a large
 * report arrives in several, in any order), the refusals, and the acceptors asked. From them it
 * derives what phase 1 decides: the value to re-propose at each instance, the memberships whose
 * majorities the campaign needs, and whether it has them. Its one reason to change: how phase 1
 * reads promises.
 *
 * <p>{@link #acceptedReportedIn} is where phase 1 reads the values a whole promise reports; a
 * deliberately broken variant in the tests overrides it.
 */
class PromiseTally {

  private final long from;
  private final Membership membership;
  /** Whole promises, by acceptor: their pages joined into one. */
  private final Map<Integer, Promise> promises = new HashMap<>();
  /**
   * Promises whose report is still arriving: the pages so far by acceptor, each page under its
   * {@code continuedFrom} (-1 for the first), in whatever order they came.
   */
  private final Map<Integer, TreeMap<Long, Promise>> partial = new HashMap<>();
  private final Set<Integer> refusals = new HashSet<>();
  private final Set<Integer> asked = new HashSet<>();

  /** A tally for phase 1 from instance {@code from}, whose membership is {@code membership}. */
  PromiseTally(long from, Membership membership) {
    this.from = from;
    this.membership = membership;
  }

  /** The first instance phase 1 covers. */
  long from() {
    return from;
  }

  /** The membership at {@link #from}: phase 1 starts from it. */
  Membership membership() {
    return membership;
  }

  /** Notes that {@code node} is asked for a promise; false if it was already. */
  boolean ask(int node) {
    return asked.add(node);
  }

  /** Whether {@code node}'s whole promise is in. */
  boolean hasWhole(int node) {
    return promises.containsKey(node);
  }

  /** Adds a page of a promise not yet whole; false if that page is in already. */
  boolean addPage(Promise page) {
    TreeMap<Long, Promise> pages = partial.computeIfAbsent(page.from(), k -> new TreeMap<>());
    return pages.putIfAbsent(page.continuedFrom(), page) == null;
  }

  /**
   * Following {@code node}'s pages from the first: where the first missing page starts, -1 if the
   * first page itself (or every page) is missing, or {@link Long#MAX_VALUE} if none is.
   */
  long firstMissingPage(int node) {
    TreeMap<Long, Promise> pages = partial.get(node);
    return pages == null ? -1 : firstMissingPage(pages);
  }

  private static long firstMissingPage(TreeMap<Long, Promise> pages) {
    Promise page = pages.get(-1L);
    if (page == null) {
      return -1;
    }
    while (!page.complete()) {
      Promise next = pages.get(page.nextFrom());
      if (next == null) {
        return page.nextFrom();
      }
      page = next;
    }
    return Long.MAX_VALUE;
  }

  /** If every page of {@code node}'s promise is in, joins them into its whole promise and returns true. */
  boolean joinIfWhole(int node) {
    TreeMap<Long, Promise> pages = partial.get(node);
    if (pages == null || firstMissingPage(pages) != Long.MAX_VALUE) {
      return false;
    }
    List<AcceptedValue> accepted = new ArrayList<>();
    long truncatedBelow = 0;
    Promise first = pages.get(-1L);
    for (Promise page = first; page != null; page = page.complete() ? null : pages.get(page.nextFrom())) {
      accepted.addAll(page.accepted());
      truncatedBelow = Math.max(truncatedBelow, page.truncatedBelow());
    }
    partial.remove(node);
    promises.put(node, new Promise(node, first.ballot(), accepted, truncatedBelow));
    return true;
  }

  /** {@code node} refused the ballot (its acceptor promised or leased another). */
  void refused(int node) {
    refusals.add(node);
  }

  boolean hasRefused(int node) {
    return refusals.contains(node);
  }

  /** Whether the whole promises are a majority of each membership of the {@link #chain}. */
  boolean won() {
    return Quorums.majorityOfEach(chain(), promises.keySet());
  }

  /** Whether the acceptors that have not refused could still make a majority of each membership of the chain. */
  boolean canStillWin() {
    return Quorums.majorityStillPossible(chain(), refusals);
  }

  /** The acceptors whose whole promise is in. */
  Set<Integer> promisers() {
    return promises.keySet();
  }

  /**
   * The whole promise whose acceptor forgot the most instances (the first of those that forgot
   * most), or null if none forgot any.
   */
  Promise mostTruncated() {
    Promise most = null;
    for (Promise p : promises.values()) {
      if (p.truncatedBelow() > (most == null ? 0 : most.truncatedBelow())) {
        most = p;
      }
    }
    return most;
  }

  /**
   * For every instance from {@link #from}, the value accepted at the highest ballot in the whole
   * promises. Reports from more acceptors than a majority only add values that were accepted, so
   * the highest of them is still the only value that can have been chosen.
   */
  TreeMap<Long, AcceptedValue> highestAccepted() {
    TreeMap<Long, AcceptedValue> highest = new TreeMap<>();
    for (Promise p : promises.values()) {
      for (AcceptedValue v : acceptedReportedIn(p)) {
        if (v.instance() < from) {
          continue;
        }
        AcceptedValue h = highest.get(v.instance());
        if (h == null || v.ballot().isAbove(h.ballot())) {
          highest.put(v.instance(), v);
        }
      }
    }
    return highest;
  }

  /**
   * The memberships phase 1 must hear a majority of: the one at {@link #from}, and each one the
   * values reported so far would make, in instance order (a membership change may have been
   * chosen, and the instances after it decided by its voters alone).
   */
  List<Membership> chain() {
    List<Membership> chain = new ArrayList<>();
    Membership m = membership;
    chain.add(m);
    for (AcceptedValue v : highestAccepted().values()) {
      Membership next = v.value().membershipAfter(m);
      if (next != m) {
        chain.add(next);
        m = next;
      }
    }
    return chain;
  }

  /** The values a promise reports as accepted; phase 1 must take every one of them into account. */
  List<AcceptedValue> acceptedReportedIn(Promise promise) {
    return promise.accepted();
  }
}
