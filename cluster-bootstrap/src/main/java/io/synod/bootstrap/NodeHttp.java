package io.synod.bootstrap;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequestEntity;
import static org.apache.pekko.http.javadsl.server.Directives.failWith;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.withSizeLimit;

import io.synod.actors.GroupClient;
import io.synod.actors.GroupStatus;
import io.synod.actors.GroupStoppedException;
import io.synod.paxos.Membership;
import io.synod.persistence.JournalFailedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's HTTP API: {@code GET /status} (this node, and per group the leader it knows, the
 * instance it has applied through, and whether its roles run, restart after a failure, or
 * stopped), {@code GET /digest} (per group a checksum of the replicated state), the operator's
 * groups created and removed at runtime ({@code GET /admin/groups}, {@code POST} and {@code DELETE
 * /admin/groups/{group}}, see {@link RuntimeGroupRoutes}), {@code POST
 * /admin/groups/{group}/leader?to={node}} (hand the group's leadership to a member;
 * answered once this node sees it lead), {@code GET, POST
 * /admin/groups/{group}/members[?id={node}&role=voter|learner]} and {@code DELETE
 * /admin/groups/{group}/members/{node}} (the group's membership; add a voter or a learner, remove
 * one; answered with the membership once the change took effect), {@code POST
 * /admin/groups/{group}/resume} (start a group that stopped on this node for good, after replicas
 * were found to diverge; 409 if it did not) and the routes of the configured
 * {@link HttpService}s, bodies limited to {@code synod.node.http.max-body-bytes} (413 beyond).
 * Unknown paths are 404.
 *
 * <p>Every request must name one of the node's names in its {@code Host} header ({@link
 * HostCheck}: 403 otherwise). Under {@code /admin} every request but a read needs the node's
 * {@link AdminToken} ({@link AdminGuard}: 401 without it, 415 for a form's body). An exception no
 * route answered is a 500 with an id the node logs with it, never the exception's text. There is
 * no TLS: the node warns at start if it listens beyond loopback.
 */
final class NodeHttp {

  private static final Logger LOG = LoggerFactory.getLogger(NodeHttp.class);

  /** Any exception a route lets escape: see {@link #unexpected}. */
  private static final ExceptionHandler UNEXPECTED = ExceptionHandler.newBuilder()
      .matchAny(NodeHttp::unexpected).build();

  private NodeHttp() {}

  /** Serves {@code node}'s routes, its admin routes behind {@code token}. */
  static ServerBinding bind(RunningNode node, AdminToken token) {
    NodeConfig.Http http = node.config().http();
    HostCheck hosts = HostCheck.of(http);
    if (!hosts.loopback()) {
      LOG.warn("HTTP listens on {}:{}, beyond this machine, and has no TLS: the admin token and all data travel in "
          + "clear; keep synod.node.http.host on loopback (127.0.0.1), or put a TLS proxy in front", http.host(),
          http.port());
    }
    List<Route> routes = new ArrayList<>();
    routes.add(path("status", () -> get(() -> completeWithFuture(status(node)))));
    routes.add(path("digest", () -> get(() -> completeWithFuture(digest(node)))));
    routes.add(pathPrefix("admin", () -> AdminGuard.guard(token, () -> admin(node))));
    for (HttpService s : node.config().services()) {
      routes.add(s.route(node));
    }
    Route all = concat(routes.get(0), routes.subList(1, routes.size()).toArray(Route[]::new));
    // A body over the limit is refused before any route sees it, whether the route reads it or not;
    // withSizeLimit also stops one whose length is not announced. Pekko's default rejection
    // handling answers the rest (404 for unknown paths, 405 for a wrong method).
    Route limited = extractRequestEntity(entity -> entity.getContentLengthOption().isPresent()
        && entity.getContentLengthOption().getAsLong() > http.maxBodyBytes()
            ? complete(HttpResponses.text(StatusCodes.PAYLOAD_TOO_LARGE, "the body is larger than "
                + http.maxBodyBytes() + " bytes (synod.node.http.max-body-bytes)"))
            : withSizeLimit(http.maxBodyBytes(), () -> all));
    Route served = hosts.check(() -> handleExceptions(UNEXPECTED, () -> limited));
    try {
      return Http.get(node.system()).newServerAt(http.host(), http.port()).bind(served)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new InvalidConfigException("synod.node.http: cannot listen on " + http.host() + ":" + http.port() + " ("
          + (e.getCause() != null ? e.getCause() : e) + ")");
    }
  }

  /**
   * An exception a route let escape: 500 with an id (see {@link HttpResponses#internalError}). Pekko's
   * own errors about the request (malformed, a body over the limit while it streams in) keep Pekko's
   * answer (4xx).
   */
  private static Route unexpected(Throwable e) {
    if (e instanceof IllegalRequestException || e instanceof EntityStreamSizeException) {
      return failWith(e);
    }
    return extractRequest(r -> complete(HttpResponses.internalError("answering " + r.method().name() + " "
        + r.getUri().path(), e)));
  }

  /** The operator's routes under {@code /admin/groups}. */
  private static Route admin(RunningNode node) {
    return pathPrefix("groups", () -> concat(
        pathEndOrSingleSlash(() -> get(() -> RuntimeGroupRoutes.list(node))),
        pathPrefix(group -> concat(
            pathEndOrSingleSlash(() -> concat(
                post(() -> parameterOptional("type", type -> parameterOptional("members", members ->
                    RuntimeGroupRoutes.create(node, group, type, members)))),
                delete(() -> RuntimeGroupRoutes.remove(node, group)))),
            groupAdmin(node, group)))));
  }

  /** The routes under {@code /admin/groups/{group}/} of a group this node runs. */
  private static Route groupAdmin(RunningNode node, String group) {
    GroupClient<?, ?> client = node.client(group);
    if (client == null) {
      return complete(HttpResponses.text(StatusCodes.NOT_FOUND, "this node runs no group '" + group + "'; it runs "
          + new java.util.TreeSet<>(node.clients().keySet())));
    }
    return concat(
        path("leader", () -> post(() -> parameterOptional("to", to -> leader(group, client, to)))),
        path("resume", () -> post(() -> completeWithFuture(client.resume().toCompletableFuture()
            .handle((done, failure) -> failure != null ? HttpResponses.failure(failure)
                : HttpResponses.json("{\"group\":" + quote(group) + ",\"resumed\":true}"))))),
        pathPrefix("members", () -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> completeWithFuture(client.membership().toCompletableFuture()
                    .handle((m, failure) -> membershipResponse(group, m, failure)))),
                post(() -> parameterOptional("id", id -> parameterOptional("role", role ->
                    addMember(group, client, id, role.orElse("voter")))))
            )),
            path(id -> delete(() -> {
              int node1 = nodeId(java.util.Optional.of(id));
              if (node1 < 0) {
                return badNodeId("name the node to remove as /admin/groups/" + group + "/members/ID",
                    java.util.Optional.of(id));
              }
              return completeWithFuture(client.removeMember(node1).toCompletableFuture()
                  .handle((m, failure) -> membershipResponse(group, m, failure)));
            }))
        )));
  }

  /** The node id a parameter names, or -1 if it is missing or not a whole number. */
  private static int nodeId(java.util.Optional<String> param) {
    try {
      return param.map(Integer::parseInt).filter(id -> id >= 0).orElse(-1);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** 400 asking for a node id: {@code usage} says how, and what was given if anything. */
  private static Route badNodeId(String usage, java.util.Optional<String> given) {
    return complete(HttpResponses.text(StatusCodes.BAD_REQUEST, usage
        + given.map(g -> " (a whole number, got '" + g + "')").orElse("")));
  }

  private static Route leader(String group, GroupClient<?, ?> client, java.util.Optional<String> to) {
    int target = nodeId(to);
    if (target < 0) {
      return badNodeId("name the node to hand leadership to: ?to=ID", to);
    }
    return completeWithFuture(client.transferLeadership(target).handle((done, failure) -> failure != null
        ? HttpResponses.failure(failure)
        : HttpResponses.json("{\"group\":" + quote(group) + ",\"leader\":" + target + "}")));
  }

  private static Route addMember(String group, GroupClient<?, ?> client, java.util.Optional<String> id, String role) {
    int target = nodeId(id);
    if (target < 0) {
      return badNodeId("name the node to add: ?id=ID[&role=voter|learner]", id);
    }
    if (!role.equals("voter") && !role.equals("learner")) {
      return complete(HttpResponses.text(StatusCodes.BAD_REQUEST, "role must be voter or learner, got '" + role + "'"));
    }
    return completeWithFuture((role.equals("voter") ? client.addMember(target) : client.addLearner(target))
        .toCompletableFuture().handle((m, failure) -> membershipResponse(group, m, failure)));
  }

  /** {"group":"counter","epoch":2,"voters":[1,2,4],"learners":[5],"catchingUp":[]}, or the failure. */
  private static HttpResponse membershipResponse(String group, Membership m, Throwable failure) {
    if (failure != null) {
      return HttpResponses.failure(failure);
    }
    return HttpResponses.json("{\"group\":" + quote(group) + ",\"epoch\":" + m.epoch() + ",\"voters\":" + m.voters()
        .toString().replace(" ", "") + ",\"learners\":" + m.learners().toString().replace(" ", "") + ",\"catchingUp\":"
        + m.catchingUp().toString().replace(" ", "") + "}");
  }

  /**
   * {"node":1,"journalFailure":null,"refused":{"wrong-ticket":2},"groups":[{"id":"counter","leader":2,
   * "appliedThrough":17,"chosenThrough":17,"checkpoint":10,"lag":0,"state":"running","restarts":0,"lastFailure":null,
   * "restartInMillis":-1,"checkpointsRefused":0,"lastCheckpointRefusal":"","stopped":null}]}: this
   * node's view of each group it runs; leader -1 if it knows none; the peers' checkpoints it refused
   * to take since the group started here, and why it refused the last one. A group whose roles are
   * down after a failure is {@code "state":"restarting"} (leader and instances -1, {@code
   * restartInMillis} until the next attempt); one whose replicas diverge (two values for an
   * instance, or a checksum chain that differs from a peer's) stopped here for good and is {@code
   * "state":"stopped"} with {@code "stopped"} saying why, naming the instance and the nodes; one
   * whose actor stopped (a failed journal) is {@code
   * {"id":...,"leader":-1,"state":"stopped","reason":...}}, and one that did not answer {@code
   * "state":"unknown"}. {@code journalFailure} is the node's journal failure, if any; {@code refused}
   * what it refused from peers, by reason ({@code SynodNode.refusedMessages}). (The id and
   * leader come first: scripts match them.)
   */
  private static CompletableFuture<HttpResponse> status(RunningNode node) {
    List<CompletableFuture<String>> groups = new ArrayList<>();
    for (GroupClient<?, ?> c : node.clients().values()) {
      groups.add(c.status().toCompletableFuture()
          .handle((s, failure) -> failure == null ? groupStatus(s) : groupStatus(c.group(), failure)));
    }
    JournalFailedException journal = node.synod().journalFailure().toCompletableFuture().getNow(null);
    StringBuilder refused = new StringBuilder();
    node.synod().refusedMessages().forEach((reason, n) -> refused.append(refused.length() == 0 ? "" : ",")
        .append(quote(reason)).append(':').append(n));
    return all(node, ",\"journalFailure\":" + (journal == null ? "null" : quote(String.valueOf(journal.getMessage())))
        + ",\"refused\":{" + refused + "}", groups);
  }

  private static String groupStatus(GroupStatus s) {
    return "{\"id\":" + quote(s.group()) + ",\"leader\":" + s.leader() + ",\"appliedThrough\":" + s.appliedThrough()
        + ",\"chosenThrough\":" + s.chosenThrough() + ",\"checkpoint\":" + s.checkpoint() + ",\"lag\":" + s.lag()
        + ",\"state\":" + quote(s.state()) + ",\"restarts\":" + s.restarts() + ",\"lastFailure\":"
        + (s.lastFailure() == null ? "null" : quote(s.lastFailure())) + ",\"restartInMillis\":" + s.restartInMillis()
        + ",\"checkpointsRefused\":" + s.checkpointsRefused() + ",\"lastCheckpointRefusal\":"
        + quote(s.lastCheckpointRefusal()) + ",\"stopped\":" + (s.stopped() == null ? "null" : quote(s.stopped()))
        + "}";
  }

  /** A group that did not answer: stopped (for good, e.g. a failed journal), or unknown (no answer in time). */
  private static String groupStatus(String group, Throwable failure) {
    Throwable e = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return "{\"id\":" + quote(group) + ",\"leader\":-1,\"state\":"
        + quote(e instanceof GroupStoppedException ? "stopped" : "unknown") + ",\"reason\":"
        + quote(String.valueOf(e.getMessage())) + "}";
  }

  /**
   * {"node":1,"groups":[{"id":"counter","appliedThrough":17,"crc32":3735928559}]}: per group a
   * checksum of this node's replicated state and the instance it reflects, to compare replicas (as
   * costly as taking a checkpoint).
   */
  private static CompletableFuture<HttpResponse> digest(RunningNode node) {
    List<CompletableFuture<String>> groups = new ArrayList<>();
    for (GroupClient<?, ?> c : node.clients().values()) {
      groups.add(c.digest().toCompletableFuture().thenApply(d -> "{\"id\":" + quote(d.group())
          + ",\"appliedThrough\":" + d.appliedThrough() + ",\"crc32\":" + d.crc32() + "}"));
    }
    return all(node, "", groups);
  }

  /** {"node":N{@code nodeFields},"groups":[...]}. */
  private static CompletableFuture<HttpResponse> all(RunningNode node, String nodeFields,
      List<CompletableFuture<String>> groups) {
    return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new))
        .orTimeout(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)
        .handle((v, t) -> t != null ? HttpResponses.failure(t)
            : HttpResponses.json("{\"node\":" + node.config().self() + nodeFields + ",\"groups\":["
                + String.join(",", groups.stream().map(CompletableFuture::join).toList()) + "]}"));
  }

  /** A JSON string literal. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
