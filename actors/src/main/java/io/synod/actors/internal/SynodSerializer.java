package io.synod.actors.internal;

import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.AcceptorRecord.AcceptedValues;
import io.synod.paxos.AcceptorRecord.Promised;
import io.synod.paxos.AcceptorRecord.Truncated;
import io.synod.paxos.Ballot;
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
import io.synod.paxos.Membership;
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
import io.synod.paxos.Message.WakeUp;
import io.synod.paxos.Value;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Synod's wire and journal format: the Pekko serializer for every protocol {@link Message} that
 * crosses Artery, every {@link AcceptorRecord} the acceptor persists, and the actors' own
 * messages and persisted state ({@link #ACTOR_TYPES}: envelopes, checkpoint transfers, checkpoint
 * events and snapshots, acceptor snapshots) (docs/protocol.md, "The actor shells"). {@code
 * reference.conf} binds them all to it, so Java serialization is never needed.
 *
 * <p>The manifest is a two-letter code per type that never changes meaning (a type whose layout
 * changes keeps its code and gets a new format version). Every payload starts with a format
 * version byte, then the fields in declaration order, big-endian and fixed-width: {@code int} 4
 * bytes, {@code long} 8, {@code boolean} one byte 0 or 1, a ballot {@code round:8 nodeId:4}, a byte
 * array {@code length:4} then the bytes, a list {@code count:4} then the elements, a value its
 * bytes as a byte array then {@code crc:4}; an optional value (only {@link ChosenEntry#value()}) is
 * preceded by a presence byte; a checksum chain's {@link ChainMark} {@code through:8 chain:4}. A
 * value's checksum is carried as it was computed by the proposer, never recomputed, so the
 * receiving core's {@link Value#verify} still catches corruption.
 *
 * <p>Decoding trusts nothing: every length and count is checked against the bytes that remain
 * before anything is allocated, and any defect (truncation, overrun, unknown version or flag,
 * trailing bytes, a field the record's own constructor rejects) raises a {@link
 * NotSerializableException} naming the type, the manifest and the byte offset.
 */
public final class SynodSerializer extends SerializerWithStringManifest {

  /**
   * This serializer's Pekko identifier. It travels with every message and is stored with every
   * journal event, so it must never change. Pekko reserves 0 to 40 for itself.
   */
  public static final int IDENTIFIER = 4716;

  /** The only format version this node writes and reads. */
  static final int FORMAT_VERSION = 1;

  private static final int BALLOT_BYTES = 12;
  private static final int VALUE_MIN_BYTES = 8;
  private static final int PROPOSAL_MIN_BYTES = 8 + VALUE_MIN_BYTES;
  private static final int ACCEPTED_VALUE_MIN_BYTES = 8 + BALLOT_BYTES + VALUE_MIN_BYTES;
  private static final int CHOSEN_ENTRY_MIN_BYTES = 8 + BALLOT_BYTES + 1;
  private static final int COMMAND_MIN_BYTES = 8 + 8 + 4 + 1;
  /**
   * Group, manifest and message as byte arrays (a group id and a manifest are never empty), the
   * group's incarnation and the sender.
   */
  private static final int ENVELOPE_MIN_BYTES = 4 + 1 + 8 + 4 + 4 + 1 + 4 + 1;
  /** A snapshot's acceptor record: its two-letter manifest as a byte array, then at least a long. */
  private static final int RECORD_MIN_BYTES = 4 + 2 + 8;

  private static final List<Codec<?>> CODECS = List.of(
      // to acceptors
      new Codec<>(Prepare.class, "PR",
          (o, m) -> o.writeInt(m.from()).writeBallot(m.ballot()).writeLong(m.fromInstance()),
          in -> new Prepare(in.readInt(), in.readBallot(), in.readLong())),
      new Codec<>(PrepareMore.class, "PX",
          (o, m) -> o.writeInt(m.from()).writeBallot(m.ballot()).writeLong(m.fromInstance()),
          in -> new PrepareMore(in.readInt(), in.readBallot(), in.readLong())),
      new Codec<>(Accept.class, "AC",
          (o, m) -> o.writeInt(m.from()).writeBallot(m.ballot()).writeList(m.proposals(), WireOut::writeProposal)
              .writeLong(m.leaseTick()),
          in -> new Accept(in.readInt(), in.readBallot(), in.readList(PROPOSAL_MIN_BYTES, In::readProposal),
              in.readLong())),
      // to proposers
      new Codec<>(Promise.class, "PM",
          (o, m) -> o.writeInt(m.from()).writeBallot(m.ballot()).writeList(m.accepted(), WireOut::writeAcceptedValue)
              .writeLong(m.truncatedBelow()).writeLong(m.continuedFrom()).writeLong(m.nextFrom()),
          in -> new Promise(in.readInt(), in.readBallot(),
              in.readList(ACCEPTED_VALUE_MIN_BYTES, In::readAcceptedValue), in.readLong(), in.readLong(),
              in.readLong())),
      new Codec<>(Accepted.class, "AD",
          (o, m) -> o.writeInt(m.from()).writeBallot(m.ballot()).writeList(m.instances(), WireOut::writeLong)
              .writeLong(m.leaseTick()).writeLong(m.truncatedBelow()),
          in -> new Accepted(in.readInt(), in.readBallot(), in.readList(8, In::readLong), in.readLong(),
              in.readLong())),
      new Codec<>(Rejected.class, "RJ",
          (o, m) -> o.writeInt(m.from()).writeBallot(m.rejected()).writeBallot(m.promised())
              .writeBoolean(m.leaseHeld()),
          in -> new Rejected(in.readInt(), in.readBallot(), in.readBallot(), in.readBoolean())),
      new Codec<>(Forward.class, "FW",
          (o, m) -> o.writeInt(m.from()).writeList(m.commands(), WireOut::writeCommand).writeInt(m.hops()),
          in -> new Forward(in.readInt(), in.readList(COMMAND_MIN_BYTES, In::readCommand), in.readInt())),
      new Codec<>(ClientRead.class, "CR",
          (o, m) -> o.writeInt(m.from()).writeLong(m.readId()).writeBytes(m.query(), "ClientRead.query"),
          in -> new ClientRead(in.readInt(), in.readLong(), in.readBytes())),
      new Codec<>(Message.ReadIndexRequest.class, "RQ",
          (o, m) -> o.writeInt(m.from()).writeLong(m.readId()),
          in -> new Message.ReadIndexRequest(in.readInt(), in.readLong())),
      new Codec<>(Message.ReadIndexReply.class, "RR",
          (o, m) -> o.writeInt(m.from()).writeLong(m.readId()).writeLong(m.readIndex()).writeInt(m.leaderHint()),
          in -> new Message.ReadIndexReply(in.readInt(), in.readLong(), in.readLong(), in.readInt())),
      new Codec<>(LeaderSeen.class, "LS",
          (o, m) -> o.writeInt(m.from()).writeBallot(m.ballot()).writeBoolean(m.quiet()),
          in -> new LeaderSeen(in.readInt(), in.readBallot(), in.readBoolean())),
      new Codec<>(Message.CandidateSeen.class, "CS",
          (o, m) -> o.writeInt(m.from()).writeBallot(m.ballot()),
          in -> new Message.CandidateSeen(in.readInt(), in.readBallot())),
      new Codec<>(Message.PromiseRecovered.class, "RP",
          (o, m) -> o.writeInt(m.from()).writeBallot(m.ballot()),
          in -> new Message.PromiseRecovered(in.readInt(), in.readBallot())),
      new Codec<>(WakeUp.class, "WU",
          (o, m) -> o.writeInt(m.from()),
          in -> new WakeUp(in.readInt())),
      new Codec<>(LearnerProgress.class, "LP",
          (o, m) -> o.writeInt(m.from()).writeLong(m.chosenPrefix()).writeBytes(m.membership().encode(), "membership")
              .writeChainMark(m.chain()),
          in -> new LearnerProgress(in.readInt(), in.readLong(), Membership.decode(in.readBytes()),
              in.readChainMark())),
      new Codec<>(TransferLeadership.class, "TL",
          (o, m) -> o.writeInt(m.from()).writeInt(m.to()).writeInt(m.hops()),
          in -> new TransferLeadership(in.readInt(), in.readInt(), in.readInt())),
      new Codec<>(TimeoutNow.class, "TN",
          (o, m) -> o.writeInt(m.from()).writeBallot(m.ballot()),
          in -> new TimeoutNow(in.readInt(), in.readBallot())),
      // to learners
      new Codec<>(Chosen.class, "CH",
          (o, m) -> o.writeInt(m.from()).writeList(m.entries(), WireOut::writeChosenEntry).writeLong(m.horizon())
              .writeChainMark(m.chain()),
          in -> new Chosen(in.readInt(), in.readList(CHOSEN_ENTRY_MIN_BYTES, In::readChosenEntry), in.readLong(),
              in.readChainMark())),
      new Codec<>(LocalAccepted.class, "LA",
          (o, m) -> o.writeInt(m.from()).writeList(m.entries(), WireOut::writeAcceptedValue),
          in -> new LocalAccepted(in.readInt(), in.readList(ACCEPTED_VALUE_MIN_BYTES, In::readAcceptedValue))),
      new Codec<>(CatchUpRequest.class, "CQ",
          (o, m) -> o.writeInt(m.from()).writeLong(m.fromInstance()).writeInt(m.max()),
          in -> new CatchUpRequest(in.readInt(), in.readLong(), in.readInt())),
      new Codec<>(CatchUpReply.class, "CP",
          (o, m) -> o.writeInt(m.from()).writeList(m.entries(), WireOut::writeProposal).writeLong(m.horizon())
              .writeChainMark(m.before()).writeChainMark(m.after()),
          in -> new CatchUpReply(in.readInt(), in.readList(PROPOSAL_MIN_BYTES, In::readProposal), in.readLong(),
              in.readChainMark(), in.readChainMark())),
      new Codec<>(SnapshotAvailable.class, "SA",
          (o, m) -> o.writeInt(m.from()).writeLong(m.instance()),
          in -> new SnapshotAvailable(in.readInt(), in.readLong())),
      new Codec<>(BehindHint.class, "BH",
          (o, m) -> o.writeInt(m.from()).writeLong(m.horizon()).writeInt(m.peer()),
          in -> new BehindHint(in.readInt(), in.readLong(), in.readInt())),
      new Codec<>(ReadAt.class, "RA",
          (o, m) -> o.writeInt(m.from()).writeLong(m.readId()).writeLong(m.readIndex())
              .writeBytes(m.query(), "ReadAt.query"),
          in -> new ReadAt(in.readInt(), in.readLong(), in.readLong(), in.readBytes())),
      // persisted by acceptors
      new Codec<>(Promised.class, "EP",
          (o, r) -> o.writeBallot(r.ballot()),
          in -> new Promised(in.readBallot())),
      new Codec<>(AcceptedValues.class, "EA",
          (o, r) -> o.writeBallot(r.ballot()).writeList(r.proposals(), WireOut::writeProposal),
          in -> new AcceptedValues(in.readBallot(), in.readList(PROPOSAL_MIN_BYTES, In::readProposal))),
      new Codec<>(Truncated.class, "ET",
          (o, r) -> o.writeLong(r.instance()),
          in -> new Truncated(in.readLong())),
      // between node gateways: a group's message, carried whole in its own format
      new Codec<>(GroupEnvelope.class, "GE", WireOut::writeEnvelope, In::readEnvelope),
      // between node gateways: many groups' messages in one (PeerLink)
      new Codec<>(GroupBatch.class, "GB",
          (o, b) -> o.writeList(b.envelopes(), WireOut::writeEnvelope),
          in -> new GroupBatch(in.readList(ENVELOPE_MIN_BYTES, In::readEnvelope))),
      // between node gateways: what a node sends about its groups, stamped with its ticket, and the
      // exchange of tickets (TicketExchange)
      new Codec<>(Stamped.class, "ST",
          (o, s) -> o.writeInt(s.from()).writeTicket(s.ticket()).writeTraffic(s.body()),
          in -> new Stamped(in.readInt(), in.readTicket(), in.readTraffic())),
      new Codec<>(NodeHeartbeat.class, "NH",
          (o, h) -> o.writeLong(h.incarnation()).writeLong(h.generation()),
          in -> new NodeHeartbeat(in.readLong(), in.readLong())),
      new Codec<>(TicketExchange.Request.class, "XQ",
          (o, r) -> o.writeInt(r.from()).writeTicket(r.nonce()),
          in -> new TicketExchange.Request(in.readInt(), in.readTicket())),
      new Codec<>(TicketExchange.Grant.class, "XG",
          (o, g) -> o.writeInt(g.issuer()).writeTicket(g.nonce()).writeTicket(g.ticket()),
          in -> new TicketExchange.Grant(in.readInt(), in.readTicket(), in.readTicket())),
      new Codec<>(TicketExchange.Stale.class, "XS",
          (o, s) -> o.writeInt(s.issuer()),
          in -> new TicketExchange.Stale(in.readInt())),
      // checkpoints moving between nodes
      new Codec<>(SnapshotRequest.class, "TQ",
          (o, r) -> o.writeBytes(r.group().getBytes(StandardCharsets.UTF_8), "group").writeLong(r.incarnation())
              .writeInt(r.from()).writeInt(r.offset()),
          in -> new SnapshotRequest(utf8(in, in.readBytes(), "group"), in.readLong(), in.readInt(), in.readInt())),
      new Codec<>(SnapshotChunk.class, "TC",
          (o, c) -> o.writeBytes(c.group().getBytes(StandardCharsets.UTF_8), "group").writeLong(c.incarnation())
              .writeInt(c.from()).writeLong(c.instance()).writeInt(c.total()).writeInt(c.offset())
              .writeBytes(c.bytes(), "chunk"),
          in -> new SnapshotChunk(utf8(in, in.readBytes(), "group"), in.readLong(), in.readInt(), in.readLong(),
              in.readInt(), in.readInt(), in.readBytes())),
      // persisted by checkpoint actors (event and snapshot) and acceptors (snapshot)
      new Codec<>(CheckpointTaken.class, "KT",
          (o, e) -> o.writeLong(e.nextInstance()),
          in -> new CheckpointTaken(in.readLong())),
      new Codec<>(StopMark.class, "KM",
          (o, m) -> o.writeBytes(m.reason().getBytes(StandardCharsets.UTF_8), "reason"),
          in -> new StopMark(utf8(in, in.readBytes(), "reason"))),
      new Codec<>(Founded.class, "KF",
          (o, f) -> o.writeBytes(f.membership().encode(), "membership"),
          in -> new Founded(Membership.decode(in.readBytes()))),
      // Founders not recorded: no bytes.
      new Codec<>(StoredCheckpoint.class, "KS",
          (o, c) -> o.writeLong(c.nextInstance()).writeBytes(c.encoded(), "checkpoint")
              .writeBytes(c.stoppedFor().getBytes(StandardCharsets.UTF_8), "reason")
              .writeBytes(c.founders() == null ? new byte[0] : c.founders().encode(), "founders"),
          in -> new StoredCheckpoint(in.readLong(), in.readBytes(), utf8(in, in.readBytes(), "reason"),
              founders(in.readBytes()))),
      new Codec<>(AcceptorSnapshot.class, "KA",
          (o, a) -> o.writeList(a.records(), WireOut::writeRecord),
          in -> new AcceptorSnapshot(in.readList(RECORD_MIN_BYTES, In::readRecord))));

  /** What the actors send between nodes or persist, beside the core's messages and records. */
  static final List<Class<?>> ACTOR_TYPES = List.of(GroupEnvelope.class, GroupBatch.class, SnapshotRequest.class,
      SnapshotChunk.class, Stamped.class, TicketExchange.Request.class, TicketExchange.Grant.class,
      TicketExchange.Stale.class, NodeHeartbeat.class, CheckpointTaken.class, StopMark.class, Founded.class,
      StoredCheckpoint.class, AcceptorSnapshot.class);

  private static final Map<Class<?>, Codec<?>> BY_CLASS = new HashMap<>();
  private static final Map<String, Codec<?>> BY_MANIFEST = new HashMap<>();

  static {
    for (Codec<?> c : CODECS) {
      if (BY_CLASS.put(c.type(), c) != null || BY_MANIFEST.put(c.manifest(), c) != null) {
        throw new IllegalStateException("two codecs for " + c.type().getName() + " or manifest " + c.manifest());
      }
    }
    // A message or record added to the core without a codec fails here, at the first use of the
    // serializer, rather than as a serialization error in production.
    List<Class<?>> required = new ArrayList<>(ACTOR_TYPES);
    for (Class<?> root : List.of(Message.ToAcceptor.class, Message.ToProposer.class, Message.ToLearner.class,
        AcceptorRecord.class)) {
      required.addAll(List.of(root.getPermittedSubclasses()));
    }
    for (Class<?> type : required) {
      if (!BY_CLASS.containsKey(type)) {
        throw new IllegalStateException("SynodSerializer has no codec for " + type.getName());
      }
    }
  }

  public SynodSerializer(ExtendedActorSystem system) {
    // The format needs nothing from the system; Pekko instantiates serializers with it.
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    return codecFor(o).manifest();
  }

  @Override
  public byte[] toBinary(Object o) {
    return encode(codecFor(o), o);
  }

  /**
   * Decodes what arrived or was read back. A protocol message, an envelope, a batch or a checkpoint
   * transfer is refused here: between nodes they travel only inside a {@link Stamped} message to the
   * node gateway, which checks who sent them; sent on its own to any actor's path, one would skip
   * that check (and the journal never holds them on their own).
   */
  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    Codec<?> codec = manifest == null ? null : BY_MANIFEST.get(manifest);
    if (codec != null && (Message.class.isAssignableFrom(codec.type())
        || NodeGateway.PeerTraffic.class.isAssignableFrom(codec.type()))) {
      throw new NotSerializableException(codec.type().getSimpleName() + " (manifest " + manifest + ") crosses between"
          + " nodes only inside a Stamped message to the node gateway; refused on its own");
    }
    return decode(bytes, manifest);
  }

  /** Decodes {@code bytes} of any type this serializer knows, as {@link #fromBinary} and the tests do. */
  Object decode(byte[] bytes, String manifest) throws NotSerializableException {
    Codec<?> codec = manifest == null ? null : BY_MANIFEST.get(manifest);
    if (codec == null) {
      throw new NotSerializableException("SynodSerializer: unknown manifest '" + manifest + "' ("
          + (bytes == null ? "no" : bytes.length) + " bytes); this node knows " + new TreeSet<>(BY_MANIFEST.keySet()));
    }
    String what = codec.type().getSimpleName() + " (manifest " + manifest + ")";
    if (bytes == null) {
      throw new NotSerializableException(what + ": no bytes");
    }
    In in = new In(bytes, what);
    try {
      int version = in.readByte();
      if (version != FORMAT_VERSION) {
        throw in.malformed("unknown format version " + version + " at byte 0; this node reads version " + FORMAT_VERSION);
      }
      Object decoded = codec.decoder().decode(in);
      in.expectEnd();
      return decoded;
    } catch (IllegalArgumentException e) {
      // Either our own bounds checks (Malformed, which already names the type) or a record's
      // constructor refusing a decoded field, e.g. a negative instance.
      String message = e instanceof Malformed ? e.getMessage()
          : what + ": invalid field before byte " + in.position() + " of " + bytes.length + ": " + e.getMessage();
      NotSerializableException failure = new NotSerializableException(message);
      failure.initCause(e);
      throw failure;
    }
  }

  /** Strict UTF-8: a malformed string is refused, not repaired (the format stays canonical). */
  private static Membership founders(byte[] bytes) {
    return bytes.length == 0 ? null : Membership.decode(bytes);
  }

  private static String utf8(In in, byte[] bytes, String field) {
    if (ascii(bytes)) {
      // Group names and manifests nearly always are: no decoder and char buffer for each envelope
      // (the largest allocation of a 1,000-group node in a profile).
      return new String(bytes, StandardCharsets.US_ASCII);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw in.malformed(field + " is not valid UTF-8 before byte " + in.position());
    }
  }

  private static boolean ascii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The message inside an envelope: only a protocol message, in its own versioned format. Its
   * defects name the group, its manifest, and offsets within it, which starts at byte {@code at}
   * of the outer message.
   */
  private static Message decodeInner(In outer, String group, String manifest, byte[] bytes, int at) {
    Codec<?> codec = BY_MANIFEST.get(manifest);
    if (codec == null || !Message.class.isAssignableFrom(codec.type())) {
      throw outer.malformed("the envelope of group '" + group + "' before byte " + at
          + " carries unknown message manifest '" + manifest + "'");
    }
    In in = new In(bytes, outer.what + " > " + codec.type().getSimpleName() + " (manifest " + manifest + ") of group '"
        + group + "', whose bytes start at byte " + at);
    int version = in.readByte();
    if (version != FORMAT_VERSION) {
      throw in.malformed("unknown format version " + version + " of the enveloped message");
    }
    Object decoded = codec.decoder().decode(in);
    in.expectEnd();
    return (Message) decoded;
  }

  static Codec<?> codecFor(Object o) {
    Codec<?> codec = o == null ? null : BY_CLASS.get(o.getClass());
    if (codec == null) {
      throw new IllegalArgumentException("SynodSerializer cannot serialize "
          + (o == null ? "null" : o.getClass().getName()) + "; it handles Synod's protocol messages and persisted state");
    }
    return codec;
  }

  static <T> byte[] encode(Codec<T> codec, Object o) {
    WireOut out = new WireOut();
    out.writeByte(FORMAT_VERSION);
    codec.encoder().encode(out, codec.type().cast(o));
    return out.toByteArray();
  }

  record Codec<T>(Class<T> type, String manifest, Encoder<T> encoder, Decoder<T> decoder) {}

  @FunctionalInterface
  interface Encoder<T> {
    void encode(WireOut out, T t);
  }

  @FunctionalInterface
  private interface Decoder<T> {
    T decode(In in);
  }

  /** A bounds-checked big-endian reader over one message; every failure names the message and offset. */
  private static final class In {
    private final byte[] buf;
    private final String what;
    private int pos;

    In(byte[] buf, String what) {
      this.buf = buf;
      this.what = what;
    }

    int position() {
      return pos;
    }

    int readByte() {
      need(1, "a byte");
      return buf[pos++];
    }

    boolean readBoolean() {
      int v = readByte();
      if (v != 0 && v != 1) {
        throw malformed("flag " + v + " at byte " + (pos - 1) + " is neither 0 nor 1");
      }
      return v == 1;
    }

    int readInt() {
      need(4, "an int");
      int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
          | (buf[pos + 3] & 0xff);
      pos += 4;
      return v;
    }

    long readLong() {
      need(8, "a long");
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (buf[pos + i] & 0xff);
      }
      pos += 8;
      return v;
    }

    byte[] readBytes() {
      int at = pos;
      int n = readInt();
      if (n < 0 || n > remaining()) {
        throw malformed("length " + n + " at byte " + at + " overruns the " + buf.length + "-byte message");
      }
      byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return b;
    }

    Ballot readBallot() {
      return new Ballot(readLong(), readInt());
    }

    /**
     * A value as it travelled, unchecked: its length is bounded here, its checksum and batch
     * structure are checked by the role that receives it ({@link Value#verify}) before it is kept.
     */
    Value readValue() {
      byte[] bytes = readBytes();
      return Value.fromWire(bytes, readInt());
    }

    Proposal readProposal() {
      return new Proposal(readLong(), readValue());
    }

    AcceptedValue readAcceptedValue() {
      return new AcceptedValue(readLong(), readBallot(), readValue());
    }

    ChainMark readChainMark() {
      return new ChainMark(readLong(), readInt());
    }

    ChosenEntry readChosenEntry() {
      long instance = readLong();
      Ballot ballot = readBallot();
      return new ChosenEntry(instance, ballot, readBoolean() ? readValue() : null);
    }

    AcceptorRecord readRecord() {
      int at = pos;
      String manifest = new String(readBytes(), StandardCharsets.UTF_8);
      Codec<?> codec = BY_MANIFEST.get(manifest);
      if (codec == null || !AcceptorRecord.class.isAssignableFrom(codec.type())) {
        throw malformed("unknown acceptor record manifest '" + manifest + "' at byte " + at);
      }
      return (AcceptorRecord) codec.decoder().decode(this);
    }

    Ticket readTicket() {
      return new Ticket(readLong(), readLong());
    }

    NodeGateway.PeerTraffic readTraffic() {
      int at = pos;
      String manifest = new String(readBytes(), StandardCharsets.UTF_8);
      Codec<?> codec = BY_MANIFEST.get(manifest);
      if (codec == null || !NodeGateway.PeerTraffic.class.isAssignableFrom(codec.type())) {
        throw malformed("unknown stamped message manifest '" + manifest + "' at byte " + at);
      }
      return (NodeGateway.PeerTraffic) codec.decoder().decode(this);
    }

    GroupEnvelope readEnvelope() {
      String group = utf8(this, readBytes(), "group");
      long incarnation = readLong();
      int from = readInt();
      String manifest = utf8(this, readBytes(), "manifest");
      int at = pos + 4; // after the message's length
      return new GroupEnvelope(group, incarnation, from, decodeInner(this, group, manifest, readBytes(), at));
    }

    ClientCommand readCommand() {
      return new ClientCommand(readLong(), readLong(), readBytes(), readBoolean());
    }

    /** A list whose elements each take at least {@code minElementBytes}, so a count is checked before allocating. */
    <T> List<T> readList(int minElementBytes, Decoder<T> element) {
      int at = pos;
      int count = readInt();
      if (count < 0 || count > remaining() / minElementBytes) {
        throw malformed("count " + count + " at byte " + at + " overruns the " + buf.length
            + "-byte message (each element takes at least " + minElementBytes + " bytes)");
      }
      List<T> list = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        list.add(element.decode(this));
      }
      return list;
    }

    void expectEnd() {
      if (pos != buf.length) {
        throw malformed((buf.length - pos) + " trailing bytes after byte " + pos + " of " + buf.length);
      }
    }

    Malformed malformed(String detail) {
      return new Malformed(what + ": " + detail);
    }

    private int remaining() {
      return buf.length - pos;
    }

    private void need(int n, String item) {
      if (n > remaining()) {
        throw malformed("truncated: " + item + " at byte " + pos + " needs " + n + " bytes, the message has "
            + buf.length);
      }
    }
  }

  /** Bytes that do not form a message of the manifest's type; becomes a NotSerializableException. */
  private static final class Malformed extends IllegalArgumentException {
    Malformed(String message) {
      super(message);
    }
  }
}
