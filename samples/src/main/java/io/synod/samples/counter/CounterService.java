package io.synod.samples.counter;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import io.synod.actors.GroupClient;
import io.synod.bootstrap.HttpResponses;
import io.synod.bootstrap.HttpService;
import io.synod.bootstrap.RunningNode;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The counter's HTTP API on every node, for the group named "counter" or, with {@code ?group=ID},
 * any counter group this node runs (one configured, or one created at runtime with {@code type}
 * naming {@link CounterType} in {@code synod.cluster.group-types}): {@code GET /counter} gives the
 * value (a linearizable read), {@code GET /counter?stale=true} this node's replica's value as it is
 * (possibly stale, as a read replica serves it; the header {@code Synod-Applied-Through} names the
 * last instance it reflects), {@code POST /counter/increment?by=N} adds N and gives the value after
 * it. Any node of the group accepts each; a group this node does not run as a counter is 404.
 */
public final class CounterService implements HttpService {

  public static final String GROUP = "counter";

  @Override
  public Route route(RunningNode node) {
    if (node.client(GROUP) == null) {
      throw new IllegalStateException("the counter service needs group '" + GROUP + "' on node " + node.config().self()
          + "; add { id = \"" + GROUP + "\", type = \"" + CounterType.class.getName() + "\" } to synod.cluster.groups");
    }
    return pathPrefix("counter", () -> parameterOptional("group", group -> {
      String id = group.orElse(GROUP);
      GroupClient<CounterCommand, Long> counter = node.typeOf(id).filter(CounterType.class::isInstance).isPresent()
          ? node.client(id) : null;
      if (counter == null) {
        return complete(HttpResponses.text(StatusCodes.NOT_FOUND, "this node runs no counter group '" + id + "'"));
      }
      return routes(counter);
    }));
  }

  private static Route routes(GroupClient<CounterCommand, Long> counter) {
    return concat(
        pathEnd(() -> get(() -> parameterOptional("stale", stale -> stale.filter("true"::equals).isPresent()
            ? completeWithFuture(counter.readLocal(new CounterCommand.Get()).handle((r, t) -> t != null
                ? HttpResponses.failure(t)
                : HttpResponses.text(StatusCodes.OK, Long.toString(r.value())).addHeader(
                    org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Synod-Applied-Through",
                        Long.toString(r.appliedThrough())))))
            : completeWithFuture(answer(counter.read(new CounterCommand.Get())))))),
        path("increment", () -> post(() -> parameterOptional("by", by -> {
          if (by.isEmpty()) {
            return complete(HttpResponses.text(StatusCodes.BAD_REQUEST, "give the amount: ?by=N"));
          }
          long amount;
          try {
            amount = Long.parseLong(by.get());
          } catch (NumberFormatException e) {
            return complete(HttpResponses.text(StatusCodes.BAD_REQUEST, "by must be a whole number, got '" + by.get()
                + "'"));
          }
          return completeWithFuture(answer(counter.propose(new CounterCommand.Increment(amount))));
        }))));
  }

  private static CompletionStage<HttpResponse> answer(CompletionStage<Long> value) {
    return value.handle((v, t) -> t != null ? HttpResponses.failure(t) : HttpResponses.text(StatusCodes.OK,
        Long.toString(v)));
  }
}
