package io.synod.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.synod.actors.ClientSessions.Command;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A client's sessions: numbering from the wall clock, the window, and the move to a new session. */
class ClientSessionsTest {

  private long nextId = 100;
  private long clock = 5_000;
  private final ClientSessions sessions = new ClientSessions(2, () -> nextId++, () -> clock);

  private Command submit() {
    return sessions.submit(new byte[0], Long.MAX_VALUE, new CompletableFuture<>());
  }

  @Test
  void aSessionNumbersItsCommandsFromTheWallClockAndSendsAWindowAtATime() {
    Command first = submit();
    Command second = submit();
    assertEquals(100, first.clientId());
    assertEquals(5_000, first.sequence());
    assertEquals(5_001, second.sequence());
    assertNull(submit(), "a window of two: the third waits");
    List<Command> ready = sessions.answered(second);
    assertEquals(List.of(), ready, "5,000 is still unanswered: 5,002 is two past it");
    ready = sessions.answered(first);
    assertEquals(1, ready.size());
    assertEquals(5_002, ready.get(0).sequence());
  }

  @Test
  void anExpiredSessionsWaitingCommandsAreNumberedAgainInANewSessionAboveWhatTheGroupRefuses() {
    Command first = submit();
    Command second = submit();
    CompletableFuture<byte[]> waitingResult = new CompletableFuture<>();
    assertNull(sessions.submit(new byte[] {7}, 99, waitingResult));
    clock = 4_000; // this machine's clock went back, or lags the node that numbered the sessions that expired
    List<Command> ready = sessions.expired(first, 6_000);
    assertEquals(101, sessions.clientId(), "a new session");
    assertEquals(1, ready.size(), "the waiting command moved to the new session, whose window is empty");
    Command moved = ready.get(0);
    assertEquals(101, moved.clientId());
    assertEquals(6_001, moved.sequence(), "above what the group refuses, though the clock says 4,000");
    assertSame(waitingResult, moved.result());
    assertEquals(99, moved.deadline());
    assertEquals(1, sessions.renewals());

    assertEquals(List.of(), sessions.expired(second, 6_000), "the old session's other command: no new session again");
    assertEquals(101, sessions.clientId());
    assertEquals(1, sessions.renewals());
    clock = 9_000;
    Command next = submit();
    assertNotNull(next, "the new session's window has room for a second command");
    assertEquals(6_002, next.sequence(), "numbered on in its session, not from the clock");
    assertNull(submit());
    assertEquals(6_003, sessions.answered(moved).get(0).sequence());
  }
}
