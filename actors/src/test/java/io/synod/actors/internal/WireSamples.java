package io.synod.actors.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.AcceptorRecord.AcceptedValues;
import io.synod.paxos.AcceptorRecord.Promised;
import io.synod.paxos.AcceptorRecord.Truncated;
import io.synod.paxos.Ballot;
import io.synod.paxos.Checkpoint;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Message;
import io.synod.paxos.Message.Accept;
import io.synod.paxos.Message.Accepted;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.BehindHint;
import io.synod.paxos.Message.CatchUpReply;
import io.synod.paxos.Message.ChainMark;
import io.synod.paxos.Message.CatchUpRequest;
import io.synod.paxos.Message.Chosen;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.ClientRead;
import io.synod.paxos.Message.Forward;
import io.synod.paxos.Message.LeaderSeen;
import io.synod.paxos.Message.LearnerProgress;
import io.synod.paxos.Message.LocalAccepted;
import io.synod.paxos.Message.Prepare;
import io.synod.paxos.Message.PrepareMore;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Message.ReadAt;
import io.synod.paxos.Message.Rejected;
import io.synod.paxos.Message.SnapshotAvailable;
import io.synod.paxos.Message.TimeoutNow;
import io.synod.paxos.Message.TransferLeadership;
import io.synod.paxos.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Samples of every message and acceptor record, with the edge cases of their fields (empty lists,
 * a value-less chosen entry, empty and binary byte arrays, extreme numbers, a value whose checksum
 * does not match its bytes), shared by the round-trip, Pekko and fuzz tests.
 */
final class WireSamples {

  private WireSamples() {}

  static final Ballot LOW = Ballot.ZERO;
  static final Ballot MID = new Ballot(7, 2);
  static final Ballot MAX = new Ballot(Long.MAX_VALUE, Integer.MAX_VALUE);

  /** A batch as a leader proposes it: stamped with its wall-clock time, which travels inside the bytes. */
  static final Value BATCH = Value.of(List.of(
      new ClientCommand(1, 1, bytes("set x 1")),
      new ClientCommand(-9, Long.MAX_VALUE, new byte[0]),
      new ClientCommand(Long.MIN_VALUE, 2, new byte[] {0, -1, 127, -128})), 1_700_000_000_123L);
  /** Travels with its checksum as computed by the sender; the serializer must not "repair" it. */
  static final Value CORRUPT = Value.fromWire(bytes("flipped"), 0xDEADBEEF);
  static final Value EMPTY_BYTES = Value.fromWire(new byte[0], 0);
  /** A checkpoint as this build stores it: with a membership and a checksum chain. */
  static final Checkpoint CHECKPOINT = new Checkpoint(42, bytes("state"), bytes("sessions"),
      new io.synod.paxos.Membership(3, List.of(1, 2, 4), List.of(5)), 0x8BAD_F00D);

  /**
   * The types every serializer must handle: the permitted subclasses of the sealed roots, and
   * what the actors send between nodes or persist.
   */
  static List<Class<?>> permittedTypes() {
    return Stream.concat(
        Stream.of(Message.ToAcceptor.class, Message.ToProposer.class, Message.ToLearner.class, AcceptorRecord.class)
            .flatMap(root -> Stream.of(root.getPermittedSubclasses())),
        SynodSerializer.ACTOR_TYPES.stream())
        .toList();
  }

  /** Samples per type, in a stable order. */
  static Map<Class<?>, List<Object>> byType() {
    Map<Class<?>, List<Object>> m = new LinkedHashMap<>();
    for (Object o : all()) {
      m.computeIfAbsent(o.getClass(), k -> new ArrayList<>()).add(o);
    }
    return m;
  }

  static List<Object> all() {
    List<Proposal> proposals = List.of(
        new Proposal(0, Value.noop()), new Proposal(7, BATCH), new Proposal(Long.MAX_VALUE, CORRUPT),
        new Proposal(8, EMPTY_BYTES));
    List<AcceptedValue> accepted = List.of(
        new AcceptedValue(0, LOW, Value.noop()), new AcceptedValue(5, MID, BATCH),
        new AcceptedValue(Long.MAX_VALUE, MAX, CORRUPT));
    return List.of(
        new GroupEnvelope("g", 0, new Prepare(0, LOW, 0)),
        new GroupEnvelope("orders-eu", Integer.MAX_VALUE, new Accept(2, MAX, proposals, Long.MAX_VALUE)),
        new GroupEnvelope("g1", 3, new Chosen(3, List.of(new ChosenEntry(0, MID, null)), 1)),
        // A life of a group created at runtime (its incarnation travels with each of its messages).
        new GroupEnvelope("orders", 5, 3, new Chosen(3, List.of(new ChosenEntry(0, MID, null)), 1)),
        new GroupEnvelope("orders", Long.MAX_VALUE, 0, new Prepare(0, LOW, 0)),
        new Stamped(2, new Ticket(-1, Long.MAX_VALUE), new GroupEnvelope("g", 2, new Accept(2, MID, List.of(), -1))),
        new Stamped(0, new Ticket(0, 0), new SnapshotRequest("g", 0, 5)),
        new TicketExchange.Request(3, new Ticket(1, 2)),
        new TicketExchange.Grant(4, new Ticket(1, 2), new Ticket(Long.MIN_VALUE, 9)),
        new TicketExchange.Stale(5),
        new NodeHeartbeat(0, 0),
        new NodeHeartbeat(Long.MIN_VALUE, Long.MAX_VALUE),
        new GroupBatch(List.of(
            new GroupEnvelope("g", 0, new Prepare(0, LOW, 0)),
            new GroupEnvelope("orders-eu", 2, new Accept(2, MAX, proposals, Long.MAX_VALUE)),
            new GroupEnvelope("g", 0, new Accepted(0, MID, List.of(1L, 2L), -1, 0)))),
        // Every message that travels with values, commands or bytes, enveloped and batched. (Not
        // LocalAccepted: it never leaves its node; the fuzz test sends it enveloped as hostile input.)
        new GroupEnvelope("g", 2, new Promise(2, MID, accepted, 4, 5, Long.MAX_VALUE)),
        new GroupEnvelope("g", 2, new Chosen(2, List.of(new ChosenEntry(1, MID, BATCH), new ChosenEntry(2, MID, null)), 3)),
        new GroupEnvelope("g", 2, new CatchUpReply(2, proposals, 9)),
        new GroupEnvelope("g", 1, new Forward(1, BATCH.commands(), 2)),
        new GroupEnvelope("g", 1, new ClientRead(1, 5, bytes("get x"))),
        new GroupBatch(List.of(
            new GroupEnvelope("g", 2, new Promise(2, MID, accepted, 4, 5, Long.MAX_VALUE)),
            new GroupEnvelope("g", 2, new Chosen(2, List.of(new ChosenEntry(1, MID, BATCH)), 3)),
            new GroupEnvelope("orders-eu", 2, new CatchUpReply(2, proposals, 9)),
            new GroupEnvelope("g", 1, new Forward(1, BATCH.commands(), 2)),
            new GroupEnvelope("g", 1, new ClientRead(1, 5, bytes("get x"))),
            new GroupEnvelope("g", 1, new LearnerProgress(1, 4, new io.synod.paxos.Membership(1, List.of(1, 2),
                List.of(3)))),
            new GroupEnvelope("g", 1, new ReadAt(1, 7, 8, bytes("q"))))),
        new Prepare(0, LOW, 0),
        new Prepare(Integer.MAX_VALUE, MAX, Long.MAX_VALUE),
        new Prepare(-1, MID, 12),
        new Accept(1, MID, List.of(), -1),
        new Accept(2, MAX, proposals, Long.MAX_VALUE),
        new Promise(1, MID, List.of(), 0),
        new Promise(3, MAX, accepted, Long.MAX_VALUE),
        new Promise(2, MID, accepted, 4, 5, Long.MAX_VALUE),
        new Promise(2, LOW, List.of(), 0, Long.MAX_VALUE, -1),
        new PrepareMore(2, MID, 5),
        new PrepareMore(Integer.MAX_VALUE, MAX, Long.MAX_VALUE),
        new Accepted(1, MID, List.of(), -1, 0),
        new Accepted(2, MAX, List.of(0L, 1L, Long.MAX_VALUE, Long.MIN_VALUE), 7, Long.MAX_VALUE),
        new Rejected(1, MID, MAX, false),
        new Rejected(Integer.MIN_VALUE, LOW, LOW, true),
        new Forward(1, List.of(), 0),
        new Forward(2, BATCH.commands(), Integer.MAX_VALUE),
        new Forward(3, List.of(io.synod.paxos.ClientCommand.membership(7, 1, new io.synod.paxos.Membership.Change(4,
            new io.synod.paxos.Membership(0, List.of(1, 2, 4), List.of(5))))), 1),
        new ClientRead(1, 0, new byte[0]),
        new ClientRead(2, Long.MIN_VALUE, new byte[] {1, 0, -1, 42}),
        new Message.ReadIndexRequest(2, 7),
        new Message.ReadIndexRequest(Integer.MAX_VALUE, Long.MIN_VALUE),
        new Message.ReadIndexReply(1, 7, 42, -1),
        new Message.ReadIndexReply(3, Long.MAX_VALUE, -1, Integer.MAX_VALUE),
        Message.ReadIndexReply.refused(2, 9, -1),
        new LeaderSeen(3, MID),
        new LeaderSeen(0, LOW, true),
        new Message.CandidateSeen(2, MID),
        new Message.CandidateSeen(Integer.MIN_VALUE, MAX),
        new Message.PromiseRecovered(1, Ballot.ZERO),
        new Message.PromiseRecovered(Integer.MAX_VALUE, MAX),
        new Message.WakeUp(2),
        new Message.WakeUp(Integer.MAX_VALUE),
        new LearnerProgress(1, 0, new io.synod.paxos.Membership(0, List.of(1, 2, 3), List.of())),
        new LearnerProgress(2, Long.MAX_VALUE, new io.synod.paxos.Membership(7, List.of(2, 4, 5), List.of(1, 9)),
            new ChainMark(Long.MAX_VALUE - 1, 0xCAFE_BABE)),
        new Chosen(1, List.of(), 0),
        new Chosen(2, List.of(new ChosenEntry(0, MID, null), new ChosenEntry(1, MID, BATCH),
            new ChosenEntry(Long.MAX_VALUE, MAX, CORRUPT), new ChosenEntry(3, LOW, null)), Long.MAX_VALUE,
            new ChainMark(Long.MAX_VALUE, -1)),
        new Chosen(3, List.of(), 5, new ChainMark(0, 1)),
        new LocalAccepted(1, List.of()),
        new LocalAccepted(2, accepted),
        new CatchUpRequest(1, 0, 1),
        new CatchUpRequest(2, Long.MAX_VALUE, Integer.MAX_VALUE),
        new CatchUpReply(1, List.of(), 0),
        new CatchUpReply(2, proposals, Long.MIN_VALUE, ChainMark.NONE, new ChainMark(Long.MAX_VALUE, Integer.MIN_VALUE)),
        new CatchUpReply(3, proposals, 9, new ChainMark(6, 0x1234_5678), ChainMark.NONE),
        new SnapshotAvailable(1, 0),
        new SnapshotAvailable(2, Long.MAX_VALUE),
        new TransferLeadership(1, 3, 0),
        new TransferLeadership(Integer.MAX_VALUE, 0, 2),
        new TimeoutNow(2, MID),
        new TimeoutNow(0, MAX),
        new Accept(1, MID, List.of(), Accept.RELEASE_LEASE),
        new Accept(1, MID, List.of(), Accept.QUIESCE),
        new BehindHint(1, -1),
        new BehindHint(2, Long.MAX_VALUE),
        new BehindHint(3, 40, 1),
        new ReadAt(1, 0, 0, new byte[0]),
        new ReadAt(2, Long.MAX_VALUE, Long.MIN_VALUE, bytes("get x")),
        new Promised(LOW),
        new Promised(MAX),
        new AcceptedValues(MID, List.of()),
        new AcceptedValues(MAX, proposals),
        new Truncated(0),
        new Truncated(Long.MAX_VALUE),
        new SnapshotRequest("g", 0, 0),
        new SnapshotRequest("ünïcode-group", Integer.MAX_VALUE, Integer.MAX_VALUE),
        new SnapshotRequest("orders", Long.MAX_VALUE, 2, 7),
        new SnapshotChunk("g", 1, 0, 0, 0, new byte[0]),
        new SnapshotChunk("g", 2, Long.MAX_VALUE, 10, 6, new byte[] {1, 2, 3, 4}),
        new SnapshotChunk("orders", 12, 2, 5, 3, 0, new byte[] {1, 2, 3}),
        new CheckpointTaken(0),
        new CheckpointTaken(Long.MAX_VALUE),
        new StopMark(""),
        new StopMark("group 'g': checksum mismatch at instance 7"),
        new StoredCheckpoint(7, bytes("state"), "group 'g': checksum mismatch at instance 7", null),
        new StoredCheckpoint(9, bytes("state"), "", new io.synod.paxos.Membership(0, List.of(1, 2, 3), List.of(4))),
        new Founded(new io.synod.paxos.Membership(0, List.of(1, 2, 3), List.of())),
        StoredCheckpoint.NONE,
        new StoredCheckpoint(Long.MAX_VALUE, bytes("state and sessions")),
        new StoredCheckpoint(42, CHECKPOINT.encode()),
        new AcceptorSnapshot(List.of()),
        new AcceptorSnapshot(List.of(new Truncated(9), new Promised(MAX), new AcceptedValues(MID, proposals))));
  }

  /**
   * Asserts that two decoded objects carry the same content: records field by field, byte arrays
   * by content (records holding them have identity equality), lists element by element.
   */
  static void assertSameContent(Object expected, Object actual) {
    assertSameContent(expected, actual, expected == null ? "null" : expected.getClass().getSimpleName());
  }

  private static void assertSameContent(Object expected, Object actual, String path) {
    if (expected == null || actual == null) {
      assertEquals(expected, actual, path);
    } else if (expected instanceof byte[] e) {
      assertArrayEquals(e, (byte[]) actual, path);
    } else if (expected instanceof List<?> e) {
      List<?> a = (List<?>) actual;
      assertEquals(e.size(), a.size(), path + " size");
      for (int i = 0; i < e.size(); i++) {
        assertSameContent(e.get(i), a.get(i), path + "[" + i + "]");
      }
    } else if (expected instanceof Value e) {
      Value a = (Value) actual;
      assertArrayEquals(e.bytes(), a.bytes(), path + " bytes");
      assertEquals(e.crc(), a.crc(), path + " crc");
    } else if (expected.getClass().isRecord()) {
      assertEquals(expected.getClass(), actual.getClass(), path);
      for (var component : expected.getClass().getRecordComponents()) {
        assertSameContent(get(component, expected), get(component, actual), path + "." + component.getName());
      }
    } else {
      assertNotNull(actual, path);
      assertEquals(expected, actual, path);
    }
  }

  private static Object get(java.lang.reflect.RecordComponent c, Object record) {
    try {
      return c.getAccessor().invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot read " + c.getName() + " of " + record, e);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
