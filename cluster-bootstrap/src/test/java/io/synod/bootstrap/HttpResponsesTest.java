package io.synod.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.actors.CommandExpiredException;
import io.synod.actors.RequestTimeoutException;
import io.synod.actors.SessionExpiredException;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.junit.jupiter.api.Test;

/** How a group's failures look over HTTP: status and the one-line reason. */
class HttpResponsesTest {

  private static String body(HttpResponse r) {
    return ((HttpEntity.Strict) r.entity()).getData().utf8String();
  }

  @Test
  void aCommandOfAnExpiredSessionIsAConflictWithItsReasonNotAnOutage() {
    SessionExpiredException e = new SessionExpiredException("counter", "command #7 was refused, not applied");
    for (Throwable t : new Throwable[] {e, new CompletionException(e)}) {
      HttpResponse r = HttpResponses.failure(t);
      assertEquals(409, r.status().intValue());
      assertEquals("group 'counter': command #7 was refused, not applied\n", body(r));
      assertTrue(r.getHeader("Retry-After").isEmpty(), "not a group that cannot answer now");
    }
    assertEquals(409, HttpResponses.failure(new CommandExpiredException("counter", "below the window")).status()
        .intValue());
    assertEquals(503, HttpResponses.failure(new RequestTimeoutException("counter", "no answer")).status().intValue());
  }
}
