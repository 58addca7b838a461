package io.synod.paxos;

import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.PrepareMore;
import io.synod.paxos.Message.Promise;

/**
 * The phase of a proposer running phase 1 for its ballot, from its learner's first unchosen
 * instance. It asks its own acceptor first and waits for that promise to be durable, so a ballot
 * is never reused after a crash: the next ballot is always above the local acceptor's promise.
 * Only then does it ask the other voters, resending to those that have not answered in whole,
 * until it holds a majority of each membership phase 1 needs, it can no longer get one, or its
 * deadline passes. Its one reason to change: how a campaign asks for promises and when it ends.
 */
final class Campaigning implements ProposerPhase {

  private final GroupConfig config;
  private final int self;
  private final Ballot ballot;
  private final PromiseTally tally;
  /** The local acceptor's promise is in (and so durable): the others have been asked. */
  private boolean ownPromiseIn;
  private long deadline;
  private long lastPrepareSent;
  /** Resends so far: each waits twice as long as the last, as the leader's resends of accepts do. */
  private int resends;

  /** A campaign that gives up after {@code patience} ticks without a majority, or more while promises arrive. */
  Campaigning(GroupConfig config, Ballot ballot, PromiseTally tally, long now, long patience) {
    this.config = config;
    this.self = config.self();
    this.ballot = ballot;
    this.tally = tally;
    this.deadline = now + patience;
    tally.ask(self);
  }

  /** Asks the local acceptor: once its promise is durable, this ballot can never be chosen again. */
  void start(Decision.Builder d) {
    d.sendNow(self, new Prepare(self, ballot, tally.from()));
  }

  /** What this campaign heard so far. */
  PromiseTally tally() {
    return tally;
  }

  /** A tick: resends the prepares when due; returns true once the campaign has timed out. */
  boolean onTick(long now, Decision.Builder d) {
    if (now >= deadline) {
      return true;
    }
    if (ownPromiseIn && now >= resendDueAt()) {
      sendPrepares(d, false, now);
      resends++;
    }
    return false;
  }

  /** A page of a promise of this campaign's ballot; returns true once phase 1 is won. */
  boolean onPromise(Promise p, long now, Decision.Builder d) {
    for (AcceptedValue v : p.accepted()) {
      v.value().verify(config.group(), v.instance(), p.from());
    }
    if (!ownPromiseIn && p.from() != self) {
      return false; // a late answer to a ballot an earlier incarnation used: wait for ours
    }
    if (tally.hasWhole(p.from()) || !tally.addPage(p)) {
      return false; // a page of a report we have whole already, or a duplicate page
    }
    if (!ownPromiseIn) {
      // Our own acceptor's promise is durable (any page of it says so): ask the others.
      ownPromiseIn = true;
      sendPrepares(d, true, now);
    }
    if (!tally.joinIfWhole(p.from())) {
      deadline = Math.max(deadline, now + config.tuning().prepareTimeoutTicks()); // still arriving: give it time
      return false;
    }
    if (tally.won()) {
      return true;
    }
    for (int m : Quorums.votersOf(tally.chain())) {
      if (tally.ask(m)) {
        d.sendNow(m, new Prepare(self, ballot, tally.from())); // a membership the promises report: ask its voters too
      }
    }
    return false;
  }

  /** Acceptor {@code from} refused this ballot; returns true if the campaign is lost. */
  boolean onRefused(int from) {
    tally.refused(from);
    return from == self || !tally.canStillWin();
  }

  /**
   * Asks the voters of every membership phase 1 needs for their promise ({@code all}, or those
   * that have not answered in whole); where some pages of a promise are in but one is missing,
   * asks for the pages from the first missing one on instead (of our own acceptor's promise too).
   */
  private void sendPrepares(Decision.Builder d, boolean all, long now) {
    for (int m : Quorums.votersOf(tally.chain())) {
      tally.ask(m);
      if (tally.hasWhole(m) || tally.hasRefused(m) && !all || m == self && all) {
        // (With all, our own acceptor is answering already: its pages are on their way.)
        continue;
      }
      long missing = tally.firstMissingPage(m);
      if (missing >= 0) {
        d.sendNow(m, new PrepareMore(self, ballot, missing));
      } else if (m != self) {
        d.sendNow(m, new Prepare(self, ballot, tally.from()));
      }
    }
    lastPrepareSent = now;
  }

  @Override
  public long dueAt(long now) {
    return ownPromiseIn ? Math.min(deadline, resendDueAt()) : deadline;
  }

  /** When the prepares not answered yet go again: a loaded cluster's slow answers are not doubled. */
  private long resendDueAt() {
    long interval = (long) config.tuning().retransmitTicks() << Math.min(resends, Pipeline.RESEND_BACKOFF_MAX);
    return lastPrepareSent + interval;
  }
}
