package io.synod.paxos;

import static io.synod.paxos.Fixtures.command;
import static io.synod.paxos.Fixtures.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.paxos.CommandQueue.Batch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The commands a proposer holds: deduplication of retries, the bound on waiting ones, and batching. */
class CommandQueueTest {

  /** Ten bytes of payload: 30 bytes in a batch. */
  private static ClientCommand small(long sequence) {
    return command(7, sequence, "0123456789");
  }

  private static List<String> payloads(List<ClientCommand> commands) {
    return commands.stream().map(c -> string(c.payload())).toList();
  }

  private static List<Long> sequences(List<ClientCommand> commands) {
    return commands.stream().map(ClientCommand::sequence).toList();
  }

  @Test
  void aRetryIsDroppedWhileItsCommandWaitsOrIsInFlightAndWelcomeOnceReleased() {
    CommandQueue q = new CommandQueue(10, 10, 1000);
    q.offer(List.of(small(1)));
    assertEquals(List.of(), q.offer(List.of(small(1))), "a dropped retry is not refused either");
    assertEquals(1, q.size(), "a retry of a waiting command is not queued again");
    Batch batch = q.takeBatch();
    assertEquals(List.of(1L), sequences(batch.commands()));
    assertEquals(List.of(new CommandQueue.CommandId(7, 1)), batch.ids());
    q.offer(List.of(small(1)));
    assertTrue(q.isEmpty(), "a retry of a command in flight is not queued either");
    q.release(batch.ids());
    q.offer(List.of(small(1)));
    assertEquals(1, q.size(), "released (chosen or abandoned), the command may be carried again");
  }

  @Test
  void aFullQueueRefusesNewCommandsInTheirOrder() {
    CommandQueue q = new CommandQueue(2, 10, 1000);
    assertEquals(List.of(3L, 4L), sequences(q.offer(List.of(small(1), small(2), small(3), small(4)))));
    assertEquals(2, q.size());
    assertEquals(List.of(), q.offer(List.of(small(2))), "a retry of a waiting command is dropped, not refused");
    assertEquals(List.of(1L, 2L), sequences(q.takeBatch().commands()));
    assertEquals(List.of(), q.offer(List.of(small(3))), "room again once the waiting ones were taken");
  }

  @Test
  void aBatchStopsAtMaxBatchCommands() {
    CommandQueue q = new CommandQueue(10, 2, 1000);
    q.offer(List.of(small(1), small(2), small(3)));
    assertEquals(List.of(1L, 2L), sequences(q.takeBatch().commands()));
    assertEquals(List.of(3L), sequences(q.takeBatch().commands()));
    assertEquals(List.of(), q.takeBatch().commands(), "nothing waits: an empty batch");
  }

  @Test
  void aBatchStopsAtMaxBatchBytesButAnOversizedCommandGoesAlone() {
    CommandQueue q = new CommandQueue(10, 100, 60); // two commands of 30 bytes fit
    ClientCommand big = command(7, 3, "x".repeat(100));
    q.offer(List.of(small(1), small(2), big, small(4)));
    assertEquals(List.of(1L, 2L), sequences(q.takeBatch().commands()));
    assertEquals(List.of("x".repeat(100)), payloads(q.takeBatch().commands()));
    assertEquals(List.of(4L), sequences(q.takeBatch().commands()));
  }

  @Test
  void takeAllEmptiesTheQueueInOrderAndForgetsItsCommands() {
    CommandQueue q = new CommandQueue(10, 10, 1000);
    q.offer(List.of(small(1), small(2)));
    assertEquals(List.of(1L, 2L), sequences(q.takeAll()));
    assertTrue(q.isEmpty());
    q.offer(List.of(small(1)));
    assertEquals(1, q.size(), "passed on to another node, a command is no longer carried here");
  }
}
