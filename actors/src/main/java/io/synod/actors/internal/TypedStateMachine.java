package io.synod.actors.internal;

import io.synod.actors.Codec;
import io.synod.actors.PayloadFormat;
import io.synod.actors.ReplicatedStateMachine;
import io.synod.paxos.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Adapts an application's {@link ReplicatedStateMachine} to the core's byte-level {@link
 * StateMachine}, in the {@link PayloadFormat}: a log payload is a kind byte ({@link
 * PayloadFormat#COMMAND}, or {@link PayloadFormat#READ} for a read through the log, which logs
 * written by earlier builds hold) followed by the command codec's bytes; a result is {@link
 * PayloadFormat#OK} followed by the result codec's bytes, or {@link PayloadFormat#FAILED} followed
 * by a UTF-8 description of what the state machine or codec threw. Exceptions become results so
 * that every replica answers the same, and the log keeps moving past a command the application
 * rejects.
 */
public final class TypedStateMachine<C, R> implements StateMachine {

  private final ReplicatedStateMachine<C, R> machine;
  private final Codec<C> commands;
  private final Codec<R> results;

  public TypedStateMachine(ReplicatedStateMachine<C, R> machine, Codec<C> commands, Codec<R> results) {
    this.machine = machine;
    this.commands = commands;
    this.results = results;
  }

  @Override
  public byte[] apply(long instance, byte[] payload) {
    if (payload.length == 0 || payload[0] != PayloadFormat.COMMAND && payload[0] != PayloadFormat.READ) {
      return failed("payload of " + payload.length + " bytes has no valid kind byte");
    }
    boolean read = payload[0] == PayloadFormat.READ;
    R result;
    try {
      C command = commands.decode(Arrays.copyOfRange(payload, 1, payload.length));
      result = read ? machine.read(command) : machine.apply(instance, command);
    } catch (RuntimeException e) {
      return failed(e);
    }
    // Not caught: the command was applied, so a result the codec cannot encode must not be
    // reported as a failed command. The learner fails and the group stops on this node, loudly.
    return ok(result);
  }

  @Override
  public byte[] read(byte[] query) {
    R result;
    try {
      result = machine.read(commands.decode(query));
    } catch (RuntimeException e) {
      return failed(e);
    }
    return ok(result);
  }

  @Override
  public byte[] snapshot() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      machine.snapshot(out);
    } catch (IOException e) {
      throw new UncheckedIOException("the state machine failed to write its snapshot", e);
    }
    return out.toByteArray();
  }

  @Override
  public void restore(byte[] snapshot) {
    try {
      machine.restore(new ByteArrayInputStream(snapshot));
    } catch (IOException e) {
      throw new UncheckedIOException("the state machine failed to restore a snapshot of " + snapshot.length + " bytes", e);
    }
  }

  private byte[] ok(R result) {
    return PayloadFormat.frame(PayloadFormat.OK, results.encode(result));
  }

  private static byte[] failed(RuntimeException e) {
    return failed(e.getClass().getName() + ": " + e.getMessage());
  }

  private static byte[] failed(String why) {
    return PayloadFormat.frame(PayloadFormat.FAILED, why.getBytes(StandardCharsets.UTF_8));
  }
}
