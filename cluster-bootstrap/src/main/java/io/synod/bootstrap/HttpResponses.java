package io.synod.bootstrap;

import io.synod.actors.CommandExpiredException;
import io.synod.actors.CommandFailedException;
import io.synod.actors.GroupExistsException;
import io.synod.actors.GroupStoppedException;
import io.synod.actors.NotEnoughMembersException;
import io.synod.actors.OverloadedException;
import io.synod.actors.RequestTimeoutException;
import io.synod.actors.SessionExpiredException;
import io.synod.actors.UnknownGroupException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a group's failures look over HTTP: a group that cannot answer now (no leader, not enough
 * members, overloaded, timed out, stopped) is 503 with {@code Retry-After}; a command the state
 * machine refused, a command of a session the group expired (refused, not applied: the node's
 * client goes on in a new session, and the caller decides whether to send it again), a membership
 * change another change overtook, or a group created that exists already, is 409; a runtime group
 * removed that does not exist is 404; a bad request (an unknown node, removing the last voter, a
 * change while another is under way) is 400. These carry
 * the exception's message, which Synod writes for its users. Anything else is 500 with an id and
 * not the exception's text (which may show internals): the node logs the id and the exception at
 * ERROR. Bodies are one line of text.
 */
public final class HttpResponses {

  private static final Logger LOG = LoggerFactory.getLogger(HttpResponses.class);

  private HttpResponses() {}

  public static HttpResponse text(StatusCode status, String body) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, body + "\n"));
  }

  public static HttpResponse json(String body) {
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body + "\n"));
  }

  /** The response for a failed request to a group. */
  public static HttpResponse failure(Throwable t) {
    Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (e instanceof RequestTimeoutException || e instanceof NotEnoughMembersException
        || e instanceof OverloadedException || e instanceof GroupStoppedException) {
      return text(StatusCodes.SERVICE_UNAVAILABLE, e.getMessage())
          .withHeaders(List.of(RawHeader.create("Retry-After", "1")));
    }
    if (e instanceof CommandFailedException || e instanceof CommandExpiredException
        || e instanceof GroupExistsException || e instanceof SessionExpiredException) {
      return text(StatusCodes.CONFLICT, e.getMessage());
    }
    if (e instanceof UnknownGroupException) {
      return text(StatusCodes.NOT_FOUND, e.getMessage());
    }
    if (e instanceof IllegalArgumentException) {
      return text(StatusCodes.BAD_REQUEST, e.getMessage());
    }
    if (e instanceof IllegalStateException) {
      return text(StatusCodes.CONFLICT, e.getMessage()); // e.g. a membership change raced by another
    }
    return internalError("answering a request", e);
  }

  /**
   * 500 for a failure nobody expected: {@code internal error (id 7f3a9c2e); the node's log has the
   * details}, and one line at ERROR with the same id, what the node was {@code doing} and {@code
   * cause} with its stack trace.
   */
  public static HttpResponse internalError(String doing, Throwable cause) {
    String id = String.format("%08x", ThreadLocalRandom.current().nextInt());
    LOG.error("internal error (id {}) {}", id, doing, cause);
    return text(StatusCodes.INTERNAL_SERVER_ERROR, "internal error (id " + id + "); the node's log has the details");
  }
}
