package io.synod.paxos;

import io.synod.paxos.Message.ChainMark;

/**
 * The checksum chain of one learner's applied history (docs/protocol.md, "The checksum chain"):
 * {@code chain(-1) = 0}, and {@code chain(i)} is the CRC32 continued from {@code chain(i - 1)}
 * (as zlib's {@code crc32(crc, buf, len)} continues one) over instance {@code i}'s link, the 16
 * big-endian bytes {@code instance:8 length:4 crc:4} of the value applied at {@code i} ({@code
 * crc} being the value's own CRC32, which the learner verifies against its bytes just before it
 * applies it). Replicas that applied the same values hold the same chain; once two chains differ,
 * every later link keeps them apart (a CRC32 continued over the same bytes is a one-to-one map of
 * the previous value).
 *
 * <p>It keeps the chain value of every instance from the one before the learner's log start to
 * the last applied (four bytes each, in a ring that grows and shrinks with the log), compares the
 * peers' assertions ({@link ChainMark}) with them, and holds the earliest assertion about an
 * instance not applied yet until it is. A mismatch throws {@link ChecksumMismatchException}.
 */
final class ChecksumChain {

  private static final int[] TABLE = new int[256];
  private static final int MIN_CAPACITY = 16;

  static {
    for (int n = 0; n < 256; n++) {
      int c = n;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      }
      TABLE[n] = c;
    }
  }

  private final String group;
  private final int self;
  /** The chain through instance {@code i}, for {@code first <= i < next}, is at {@code ring[slot(i)]}. */
  private int[] ring = new int[MIN_CAPACITY];
  private long first = -1;
  /** Every instance below this is chained. */
  private long next;
  /** The chain through {@code next - 1}. */
  private int current;
  /** The earliest assertion about an instance at or past {@link #next}, or none ({@code pendingThrough < 0}). */
  private long pendingThrough = -1;
  private int pendingChain;
  private int pendingFrom;
  private String pendingSource;
  private long checks;

  ChecksumChain(String group, int self) {
    this.group = group;
    this.self = self;
  }

  /** The chain continued from {@code chain} over the link of {@code value} applied at {@code instance}. */
  static int link(int chain, long instance, Value value) {
    int c = ~chain;
    for (int shift = 56; shift >= 0; shift -= 8) {
      c = step(c, (int) (instance >>> shift));
    }
    int length = value.size();
    int crc = value.crc();
    for (int shift = 24; shift >= 0; shift -= 8) {
      c = step(c, length >>> shift);
    }
    for (int shift = 24; shift >= 0; shift -= 8) {
      c = step(c, crc >>> shift);
    }
    return ~c;
  }

  private static int step(int c, int b) {
    return TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  }

  /**
   * Chains {@code value}, about to be applied at instance {@link #next}; an assertion held about
   * that instance is compared first, so a mismatch stops the learner before it applies the value.
   */
  void append(long instance, Value value) {
    if (instance != next) {
      throw new IllegalStateException("chaining instance " + instance + ", expected " + next);
    }
    int chain = link(current, instance, value);
    if (pendingThrough == instance) {
      pendingThrough = -1;
      compare(instance, chain, "", pendingFrom, pendingChain, pendingSource);
    }
    if (next - first + 1 > ring.length) {
      resize(ring.length * 2);
    }
    ring[slot(instance)] = chain;
    current = chain;
    next++;
  }

  /**
   * Node {@code from} asserts {@code mark} in {@code source} (a Chosen, a catch-up reply): compared
   * at once if this chain holds that instance, held if the instance is not applied yet, ignored if
   * this chain no longer keeps it.
   */
  void check(ChainMark mark, int from, String source) {
    if (mark.isNone() || from == self) {
      return;
    }
    long k = mark.through();
    if (k < next) {
      if (k >= first) {
        compare(k, at(k), "", from, mark.chain(), source);
      }
    } else if (pendingThrough < 0 || k < pendingThrough) {
      pendingThrough = k;
      pendingChain = mark.chain();
      pendingFrom = from;
      pendingSource = source;
    }
  }

  /**
   * The chain now continues from a checkpoint of node {@code from}: {@code chain} through {@code
   * nextInstance - 1}, compared first as {@link #checkRestart} does (with this chain's own value of
   * that instance, or an assertion held about it); an assertion about an earlier instance can no
   * longer be compared, and is dropped.
   */
  void restart(long nextInstance, int chain, int from) {
    checkRestart(nextInstance, chain, from);
    if (pendingThrough >= 0 && pendingThrough < nextInstance) {
      pendingThrough = -1;
    }
    ring = new int[MIN_CAPACITY];
    first = nextInstance - 1;
    next = nextInstance;
    current = chain;
    ring[slot(first)] = chain;
  }

  /**
   * Compares a checkpoint of node {@code from} ({@code chain} through {@code nextInstance - 1})
   * with what this chain holds of that instance, without restarting from it: with its own chain
   * value if it has chained that instance, else with an assertion held about exactly that instance.
   */
  void checkRestart(long nextInstance, int chain, int from) {
    long last = nextInstance - 1;
    if (last < 0) {
      return;
    }
    if (last >= first && last < next) {
      if (from != self) {
        compare(last, at(last), "", from, chain, "checkpoint");
      }
    } else if (pendingThrough == last) {
      compare(pendingThrough, chain, from == self ? " (from its own checkpoint)" : " (from node " + from
          + "'s checkpoint)", pendingFrom, pendingChain, pendingSource);
    }
  }

  /** Forgets the chain values below {@code instance - 1}: the learner no longer keeps those instances. */
  void forgetBelow(long instance) {
    long keep = Math.min(instance - 1, next - 1);
    if (keep <= first) {
      return;
    }
    first = keep;
    if (ring.length > MIN_CAPACITY && next - first <= ring.length / 4) {
      resize(ring.length / 2);
    }
  }

  /** The chain through the last chained instance: what a learner reports to its proposer. */
  ChainMark mark() {
    return next == 0 ? ChainMark.NONE : new ChainMark(next - 1, current);
  }

  /** The chain through {@code instance}, or {@link ChainMark#NONE} if it is not chained or no longer kept. */
  ChainMark markThrough(long instance) {
    return instance < first || instance >= next || instance < 0 ? ChainMark.NONE
        : new ChainMark(instance, at(instance));
  }

  /** Every instance below this is chained. */
  long next() {
    return next;
  }

  /** The chain through {@code next() - 1}. */
  int current() {
    return current;
  }

  /** How many peers' assertions were compared so far. */
  long checks() {
    return checks;
  }

  private void compare(long instance, int mine, String mineSource, int from, int theirs, String source) {
    checks++;
    if (mine != theirs) {
      throw new ChecksumMismatchException(group, instance, self, mine, mineSource, from, theirs, source);
    }
  }

  private int at(long instance) {
    return ring[slot(instance)];
  }

  private int slot(long instance) {
    return (int) ((instance + 1) & (ring.length - 1));
  }

  private void resize(int capacity) {
    int[] old = ring;
    int oldMask = old.length - 1;
    ring = new int[capacity];
    for (long i = first; i < next; i++) {
      ring[slot(i)] = old[(int) ((i + 1) & oldMask)];
    }
  }
}
