package io.synod.samples.kv;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.put;

import io.synod.actors.GroupClient;
import io.synod.bootstrap.HttpResponses;
import io.synod.bootstrap.HttpService;
import io.synod.bootstrap.RunningNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The key-value store's HTTP API on every node. Keys are spread by hash over the groups "kv-0" to
 * "kv-(n-1)", each its own Paxos group with its own leader, so the store shows many groups at work.
 * {@code GET /kv/{key}} gives the value (404 if absent); {@code PUT /kv/{key}} sets it to the body;
 * {@code DELETE /kv/{key}} removes it (404 if absent); {@code POST /kv/{key}/cas?expected=E} sets it
 * to the body only if its value is E (409 with the current value otherwise).
 */
public final class KvService implements HttpService {

  public static final String GROUP_PREFIX = "kv-";
  /** Longer keys are refused with 400. */
  public static final int MAX_KEY_BYTES = 1024;

  @Override
  public Route route(RunningNode node) {
    List<GroupClient<KvCommand, KvResult>> shards = new ArrayList<>();
    for (int i = 0; node.clients().containsKey(GROUP_PREFIX + i); i++) {
      shards.add(node.client(GROUP_PREFIX + i));
    }
    if (shards.isEmpty()) {
      throw new IllegalStateException("the key-value service needs groups kv-0, kv-1, ... of type "
          + KvType.class.getName() + " on node " + node.config().self());
    }
    Function<String, GroupClient<KvCommand, KvResult>> shard = key -> shards.get(Math.floorMod(key.hashCode(),
        shards.size()));
    return pathPrefix("kv", () -> pathPrefix(key -> {
      if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
        return complete(HttpResponses.text(StatusCodes.BAD_REQUEST, "keys are at most " + MAX_KEY_BYTES + " bytes"));
      }
      GroupClient<KvCommand, KvResult> group = shard.apply(key);
      return concat(
          pathEnd(() -> concat(
              get(() -> completeWithFuture(answer(group.read(new KvCommand.Get(key)), true))),
              put(() -> entity(Unmarshaller.entityToByteArray(), value ->
                  completeWithFuture(answer(group.propose(new KvCommand.Put(key, value)), false)))),
              delete(() -> completeWithFuture(answer(group.propose(new KvCommand.Delete(key)), true))))),
          path("cas", () -> post(() -> parameterOptional("expected", expected -> expected.isEmpty()
              ? complete(HttpResponses.text(StatusCodes.BAD_REQUEST, "give the value expected now: ?expected=..."))
              : entity(Unmarshaller.entityToByteArray(), value -> completeWithFuture(group.propose(
                      new KvCommand.CompareAndSet(key, expected.get().getBytes(StandardCharsets.UTF_8), value))
                  .handle((r, t) -> t != null ? HttpResponses.failure(t)
                      : r.ok() ? body(r.value()) : HttpResponses.text(StatusCodes.CONFLICT, r.value() == null
                          ? "no value" : "current value: " + new String(r.value(), StandardCharsets.UTF_8)))))))));
    }));
  }

  /** 200 with the value; 404 when {@code notOkIsAbsent} and the command found no key. */
  private static CompletionStage<HttpResponse> answer(CompletionStage<KvResult> result, boolean notOkIsAbsent) {
    return result.handle((r, t) -> t != null ? HttpResponses.failure(t)
        : notOkIsAbsent && !r.ok() ? HttpResponses.text(StatusCodes.NOT_FOUND, "no such key")
        : r.value() == null ? HttpResponses.text(StatusCodes.OK, "deleted") : body(r.value()));
  }

  private static HttpResponse body(byte[] value) {
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, value));
  }
}
