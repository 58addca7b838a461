package io.synod.paxos;

/**
 * How patient a proposer's next campaign is after campaigns in a row that did not win: each one
 * doubles the next one's patience and the random wait after it, up to {@link #MAX_DOUBLINGS} times,
 * so that candidates on a loaded node, whose prepares take longer than a prepare timeout to come
 * back, stop overtaking each other. Winning, or hearing a leader, starts over. Its one reason to
 * change: how failed campaigns back off.
 */
final class CampaignBackoff {

  /** The most doublings of a campaign's patience and of the wait after it. */
  static final int MAX_DOUBLINGS = 4;

  private final Tuning tuning;
  /** Campaigns in a row that did not win; none since this node last led or heard a leader. */
  private int failed;

  CampaignBackoff(Tuning tuning) {
    this.tuning = tuning;
  }

  /** The ticks the next campaign waits for its promises: the prepare timeout, doubled per failure. */
  long patience() {
    return (long) tuning.prepareTimeoutTicks() << Math.min(failed, MAX_DOUBLINGS);
  }

  /**
   * Counts one more campaign that did not win and returns the range of the random wait before the
   * next: the k-th campaign in a row (from 0) waits up to 2^k times the election jitter, k at most
   * {@link #MAX_DOUBLINGS}.
   */
  int failedWaitRange() {
    int doublings = countFailure();
    return (int) Math.min(Integer.MAX_VALUE, (long) tuning.electionJitterTicks() << doublings);
  }

  /** Counts one more campaign that did not win (capped); returns the doublings that campaign had. */
  int countFailure() {
    int doublings = Math.min(failed, MAX_DOUBLINGS);
    failed = doublings + 1;
    return doublings;
  }

  /** This node won a campaign or heard a leader: the next campaign is patient as the first. */
  void reset() {
    failed = 0;
  }
}
