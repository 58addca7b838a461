package io.synod.bootstrap;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractMaterializer;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequestEntity;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Routes that fail in each way a route can, every failure's message holding {@link #SECRET}, for
 * tests that check that no answer shows it: {@code /fail/throw} throws, {@code /fail/future}
 * completes with a failed future, {@code /fail/answer} answers {@link HttpResponses#failure} of an
 * unexpected exception; and {@code /fail/body} reads the body in a future, which fails if the body
 * is over the limit (Pekko's own failure, which Pekko answers 413).
 */
public final class FailingHttp implements HttpService {

  /** In every failure's message; must never reach a client. */
  static final String SECRET = "secret-internals-4711";

  @Override
  public Route route(RunningNode node) {
    return pathPrefix("fail", () -> concat(
        path("throw", FailingHttp::throwing),
        path("future", () -> completeWithFuture(CompletableFuture.<HttpResponse>failedFuture(failure()))),
        path("answer", () -> complete(HttpResponses.failure(failure()))),
        path("body", FailingHttp::readBody)));
  }

  private static Route readBody() {
    return extractRequestEntity(entity -> extractMaterializer(materializer -> completeWithFuture(
        entity.toStrict(30_000, materializer).thenApply(strict -> HttpResponses.text(StatusCodes.OK,
            strict.getData().size() + " bytes")))));
  }

  private static Route throwing() {
    throw failure();
  }

  private static RuntimeException failure() {
    return new UnsupportedOperationException("the state at " + SECRET + " is broken");
  }
}
