package io.synod.actors.internal;

import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.Ballot;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.ChainMark;
import io.synod.paxos.Message.ChosenEntry;
import io.synod.paxos.Message.Proposal;
import io.synod.paxos.Value;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The writing half of {@link SynodSerializer}'s format: a growable big-endian buffer with a method
 * per field kind (see the serializer's comment for the layout), which the codecs chain.
 */
final class WireOut {
  private byte[] buf = new byte[64];
  private int size;

  WireOut writeByte(int v) {
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  WireOut writeBoolean(boolean v) {
    return writeByte(v ? 1 : 0);
  }

  WireOut writeInt(int v) {
    ensure(4);
    buf[size] = (byte) (v >>> 24);
    buf[size + 1] = (byte) (v >>> 16);
    buf[size + 2] = (byte) (v >>> 8);
    buf[size + 3] = (byte) v;
    size += 4;
    return this;
  }

  WireOut writeLong(long v) {
    return writeInt((int) (v >>> 32)).writeInt((int) v);
  }

  WireOut writeBytes(byte[] b, String field) {
    if (b == null) {
      throw new IllegalArgumentException(field + " must not be null to be serialized");
    }
    writeInt(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
    return this;
  }

  WireOut writeBallot(Ballot b) {
    return writeLong(b.round()).writeInt(b.nodeId());
  }

  WireOut writeValue(Value v) {
    return writeBytes(v.bytes(), "value bytes").writeInt(v.crc());
  }

  WireOut writeProposal(Proposal p) {
    requireValue(p.value(), "Proposal", p.instance());
    return writeLong(p.instance()).writeValue(p.value());
  }

  WireOut writeAcceptedValue(AcceptedValue a) {
    requireValue(a.value(), "AcceptedValue", a.instance());
    return writeLong(a.instance()).writeBallot(a.ballot()).writeValue(a.value());
  }

  WireOut writeChainMark(ChainMark m) {
    return writeLong(m.through()).writeInt(m.chain());
  }

  WireOut writeChosenEntry(ChosenEntry e) {
    writeLong(e.instance()).writeBallot(e.ballot()).writeBoolean(e.value() != null);
    return e.value() == null ? this : writeValue(e.value());
  }

  /** An acceptor record inside a snapshot: its manifest, then its fields (no version byte of its own). */
  @SuppressWarnings("unchecked")
  WireOut writeRecord(AcceptorRecord r) {
    SynodSerializer.Codec<AcceptorRecord> codec = (SynodSerializer.Codec<AcceptorRecord>) SynodSerializer.codecFor(r);
    writeBytes(codec.manifest().getBytes(StandardCharsets.UTF_8), "record manifest");
    codec.encoder().encode(this, r);
    return this;
  }

  WireOut writeTicket(Ticket t) {
    return writeLong(t.hi()).writeLong(t.lo());
  }

  /** What a stamp carries: its manifest, then its fields (no version byte of its own). */
  @SuppressWarnings("unchecked")
  WireOut writeTraffic(NodeGateway.PeerTraffic t) {
    SynodSerializer.Codec<NodeGateway.PeerTraffic> codec =
        (SynodSerializer.Codec<NodeGateway.PeerTraffic>) SynodSerializer.codecFor(t);
    writeBytes(codec.manifest().getBytes(StandardCharsets.UTF_8), "traffic manifest");
    codec.encoder().encode(this, t);
    return this;
  }

  /** A group's message: its group and incarnation, sender, and the message whole in its own versioned format. */
  WireOut writeEnvelope(GroupEnvelope e) {
    return writeBytes(e.group().getBytes(StandardCharsets.UTF_8), "group")
        .writeLong(e.incarnation())
        .writeInt(e.from())
        .writeBytes(SynodSerializer.codecFor(e.message()).manifest().getBytes(StandardCharsets.UTF_8), "manifest")
        .writeBytes(SynodSerializer.encode(SynodSerializer.codecFor(e.message()), e.message()), "message");
  }

  WireOut writeCommand(ClientCommand c) {
    return writeLong(c.clientId()).writeLong(c.sequence()).writeBytes(c.payload(), "ClientCommand.payload")
        .writeBoolean(c.membershipChange());
  }

  <T> WireOut writeList(List<T> list, SynodSerializer.Encoder<T> element) {
    writeInt(list.size());
    for (T t : list) {
      element.encode(this, t);
    }
    return this;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private static void requireValue(Value v, String type, long instance) {
    if (v == null) {
      throw new IllegalArgumentException(type + " for instance " + instance + " has no value; only a ChosenEntry may omit it");
    }
  }

  private void ensure(int n) {
    if (n > buf.length - size) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }
  }
}
