package io.synod.bootstrap;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import io.synod.actors.GroupClient;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The {@link CounterType} group "counter" over HTTP, for tests that run a node through the launcher
 * and so hold no client of it: {@code POST /add} adds 1 and answers the value. It also hands the
 * test the node it serves ({@link #served}), so that a test can stop a node the launcher did not.
 */
public final class CounterHttp implements HttpService {

  /** The node whose routes were made last. */
  private static final AtomicReference<RunningNode> SERVED = new AtomicReference<>();

  @Override
  public Route route(RunningNode node) {
    SERVED.set(node);
    GroupClient<Long, Long> counter = node.client("counter");
    return path("add", () -> post(() -> completeWithFuture(counter.propose(1L).handle((value, failure) ->
        failure != null ? HttpResponses.failure(failure) : HttpResponses.text(StatusCodes.OK, value.toString())))));
  }

  /** The node these routes serve, if any was started. */
  static Optional<RunningNode> served() {
    return Optional.ofNullable(SERVED.get());
  }
}
