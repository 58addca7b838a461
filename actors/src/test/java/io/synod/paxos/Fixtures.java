package io.synod.paxos;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/** Small builders shared by the core's unit tests: one group of nodes 1, 2 and 3. */
final class Fixtures {

  static final String GROUP = "orders";
  static final List<Integer> MEMBERS = List.of(1, 2, 3);

  private Fixtures() {}

  /** The three-node group's membership as it begins. */
  static final Membership MEMBERSHIP = new Membership(0, MEMBERS, List.of());

  /** The defaults of {@link GroupConfig.Builder} for node {@code self} of the three-node group. */
  static GroupConfig.Builder config(int self) {
    return GroupConfig.builder(GROUP, self, MEMBERS);
  }

  static ClientCommand command(long clientId, long sequence, String payload) {
    return new ClientCommand(clientId, sequence, bytes(payload));
  }

  static Value value(ClientCommand... commands) {
    return Value.of(List.of(commands));
  }

  /** A one-command value whose payload is {@code payload}, from a client of its own. */
  static Value value(String payload) {
    return value(command(payload.hashCode() & 0x7fff_ffffL, 1, payload));
  }

  /** The same bytes with one bit flipped at {@code index}: what a bad disk or wire delivers. */
  static Value corrupted(Value value, int index) {
    byte[] b = Arrays.copyOf(value.bytes(), value.size());
    b[index] ^= 0x10;
    return Value.fromWire(b, value.crc());
  }

  /**
   * The checksum chain through the last of {@code values}, applied at instances 0, 1, ...: one
   * CRC32 over every instance's link ({@code instance:8 length:4 crc:4}), computed here with the
   * JDK's CRC32 rather than with {@link ChecksumChain}'s continued one.
   */
  static Message.ChainMark chainOf(Value... values) {
    CRC32 crc = new CRC32();
    for (int i = 0; i < values.length; i++) {
      crc.update(ByteBuffer.allocate(16).putLong(i).putInt(values[i].size()).putInt(values[i].crc()).array());
    }
    return values.length == 0 ? Message.ChainMark.NONE : new Message.ChainMark(values.length - 1, (int) crc.getValue());
  }

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  static String string(byte[] b) {
    return new String(b, UTF_8);
  }

  /** Everything a decision sends, at once or after persisting, in that order. */
  static List<Outbound> outbound(Decision d) {
    List<Outbound> all = new ArrayList<>(d.sendNow());
    all.addAll(d.sendAfterPersist());
    return all;
  }

  /** The messages of {@code type} among {@code sent}. */
  static <T extends Message> List<T> messages(List<Outbound> sent, Class<T> type) {
    return sent.stream().map(Outbound::message).filter(type::isInstance).map(type::cast).toList();
  }

  /** The messages of {@code type} a decision sends (at once or after persisting). */
  static <T extends Message> List<T> messages(Decision d, Class<T> type) {
    return messages(outbound(d), type);
  }

  /** The messages of {@code type} a decision sends to node {@code to}. */
  static <T extends Message> List<T> messagesTo(Decision d, int to, Class<T> type) {
    return messages(outbound(d).stream().filter(o -> o.to() == to).toList(), type);
  }

  /** The payloads of a value's commands, as strings. */
  static List<String> payloads(Value v) {
    return v.commands().stream().map(c -> string(c.payload())).toList();
  }

  /** Ticks until the proposer starts phase 1; returns the decision that starts it. */
  static Decision campaign(Proposer p) {
    for (int t = 1; t <= 1000; t++) {
      Decision d = p.onTick();
      if (!messages(d, Message.Prepare.class).isEmpty()) {
        return d;
      }
    }
    return org.junit.jupiter.api.Assertions.fail("no campaign within 1000 ticks");
  }

  /** Makes node 1's {@code p} leader with empty promises from itself and node 2. */
  static Decision lead(Proposer p) {
    List<Message.Prepare> prepares = messagesTo(campaign(p), 1, Message.Prepare.class);
    org.junit.jupiter.api.Assertions.assertEquals(1, prepares.size(), "one prepare to the local acceptor");
    Ballot ballot = prepares.get(0).ballot();
    p.handle(new Message.Promise(1, ballot, List.of(), 0));
    Decision d = p.handle(new Message.Promise(2, ballot, List.of(), 0));
    org.junit.jupiter.api.Assertions.assertTrue(p.isLeader(), "not leader after a quorum of promises");
    return d;
  }

  /** Acceptor {@code from}'s acceptance of {@code instances} at {@code p}'s ballot. */
  static Decision ack(Proposer p, int from, long leaseTick, Long... instances) {
    return p.handle(new Message.Accepted(from, p.ballot(), List.of(instances), leaseTick, 0));
  }

  /**
   * Every voter answers the heartbeats (accepts without proposals) that {@code d} sends, so that
   * the leader goes on hearing a majority (check-quorum): a quiet heartbeat as an acceptor does,
   * the others granting no lease (tests of leases grant them by hand).
   */
  static void answerHeartbeats(Proposer p, Decision d) {
    for (Outbound o : d.sendNow()) {
      if (o.message() instanceof Message.Accept a && a.proposals().isEmpty()) {
        ack(p, o.to(), a.leaseTick() == Message.Accept.QUIESCE ? a.leaseTick() : Message.Accept.NO_LEASE);
      }
    }
  }

  /** Ticks a leader, its voters answering, until a heartbeat says the group is idle; returns that heartbeat. */
  static Decision idleUntilQuiesce(Proposer p, Tuning tuning) {
    for (int t = 0; t < 10 * tuning.electionTimeoutTicks(); t++) {
      Decision d = p.onTick();
      if (messages(d, Message.Accept.class).stream().anyMatch(a -> a.leaseTick() == Message.Accept.QUIESCE)) {
        return d;
      }
      answerHeartbeats(p, d);
    }
    return org.junit.jupiter.api.Assertions.fail("no quiet heartbeat within " + 10 * tuning.electionTimeoutTicks()
        + " ticks");
  }

  /** Node 1 of {@link #MEMBERS}, leading a group that went quiet: every voter answered a quiet heartbeat. */
  static Proposer quietLeader(GroupConfig config) {
    Proposer p = proposer(config);
    lead(p);
    idleUntilQuiesce(p, config.tuning());
    for (int m : MEMBERS) {
      ack(p, m, Message.Accept.QUIESCE);
    }
    org.junit.jupiter.api.Assertions.assertTrue(p.isQuiet());
    return p;
  }

  /** Node {@code config.self()}'s proposer, with a fixed seed for its jitter. */
  static Proposer proposer(GroupConfig config) {
    return new Proposer(config, new java.util.SplittableRandom(42));
  }

  /** The one prepare a campaign of node 1 sends its own acceptor. */
  static Message.Prepare localPrepare(Decision campaign) {
    List<Message.Prepare> prepares = messagesTo(campaign, 1, Message.Prepare.class);
    org.junit.jupiter.api.Assertions.assertEquals(1, prepares.size(),
        "expected one prepare to the local acceptor: " + campaign);
    return prepares.get(0);
  }

  /**
   * Ticks {@code p} as many ticks as it says are quiet, checking that all but the last do nothing;
   * returns what the last one did.
   */
  static Decision sleepUntilDue(Proposer p) {
    long quiet = p.ticksUntilDue();
    for (long t = 1; t < quiet; t++) {
      Decision d = p.onTick();
      org.junit.jupiter.api.Assertions.assertTrue(d.isEmpty(), "tick " + t + " of " + quiet + " quiet ones did " + d);
    }
    return p.onTick();
  }
}
