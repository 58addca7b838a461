package io.synod.bootstrap;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;

import io.synod.actors.GroupCatalog;
import io.synod.actors.RuntimeGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operator's routes for groups created and removed at runtime (through the node's {@link
 * GroupCatalog}): {@code GET /admin/groups} lists them, {@code POST
 * /admin/groups/{group}?type={name}[&members=1,2,3]} creates one (every node by default), and
 * {@code DELETE /admin/groups/{group}} removes one and its data on every member. Each answers with
 * the group's life as JSON once the catalog has decided and this node has carried it out. Bad input
 * is 400 (an invalid id, a type this node does not know, bad members), a group that exists or is
 * configured in the file 409, an unknown one 404, and a catalog that cannot decide now 503 with
 * {@code Retry-After}; each with a one-line reason. {@link NodeHttp} puts them behind the admin
 * token.
 */
final class RuntimeGroupRoutes {

  private RuntimeGroupRoutes() {}

  /** {@code GET /admin/groups}: {"groups":[{"group":"orders","type":"counter","members":[1,2,3],"incarnation":4}]}. */
  static Route list(RunningNode node) {
    return completeWithFuture(node.catalog().groups().toCompletableFuture().handle((groups, failure) -> failure != null
        ? HttpResponses.failure(failure)
        : HttpResponses.json("{\"groups\":[" + groups.values().stream().map(RuntimeGroupRoutes::json)
            .collect(Collectors.joining(",")) + "]}")));
  }

  /** {@code POST /admin/groups/{group}?type=...&members=...}. */
  static Route create(RunningNode node, String group, Optional<String> type, Optional<String> members) {
    Map<String, GroupType> types = node.config().groupTypes();
    if (type.isEmpty()) {
      return badRequest("give the group's type: ?type=NAME, one of " + types.keySet() + " (synod.cluster.group-types)");
    }
    if (configured(node, group)) {
      return complete(HttpResponses.text(StatusCodes.CONFLICT, "group '" + group + "' is configured in"
          + " synod.cluster.groups; a group created at runtime needs an id of its own"));
    }
    List<Integer> ids;
    if (members.isEmpty()) {
      ids = node.config().members().stream().map(NodeConfig.Member::id).toList();
    } else {
      ids = nodeIds(members.get());
      if (ids == null) {
        return badRequest("members are node ids separated by commas (members=1,2,3), got '" + members.get() + "'");
      }
    }
    CompletionStage<RuntimeGroup> created;
    try {
      created = node.catalog().create(group, type.get(), ids);
    } catch (IllegalArgumentException e) {
      return badRequest(e.getMessage());
    }
    return answer(created);
  }

  /** {@code DELETE /admin/groups/{group}}. */
  static Route remove(RunningNode node, String group) {
    if (configured(node, group)) {
      return complete(HttpResponses.text(StatusCodes.CONFLICT, "group '" + group + "' is configured in"
          + " synod.cluster.groups, not created at runtime: remove it from the file on every node"));
    }
    CompletionStage<RuntimeGroup> removed;
    try {
      removed = node.catalog().remove(group);
    } catch (IllegalArgumentException e) {
      return badRequest(e.getMessage());
    }
    return answer(removed);
  }

  private static boolean configured(RunningNode node, String group) {
    return node.config().groups().stream().anyMatch(g -> g.id().equals(group));
  }

  /** "1,2,3" as node ids, or null if it is not such a list. */
  private static List<Integer> nodeIds(String list) {
    List<Integer> ids = new ArrayList<>();
    for (String part : list.split(",", -1)) {
      try {
        ids.add(Integer.parseInt(part.strip()));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return ids;
  }

  private static Route answer(CompletionStage<RuntimeGroup> change) {
    return completeWithFuture(change.toCompletableFuture().handle((g, failure) -> failure != null
        ? HttpResponses.failure(failure) : HttpResponses.json(json(g))));
  }

  private static Route badRequest(String reason) {
    return complete(HttpResponses.text(StatusCodes.BAD_REQUEST, reason));
  }

  private static String json(RuntimeGroup g) {
    return "{\"group\":" + NodeHttp.quote(g.id()) + ",\"type\":" + NodeHttp.quote(g.type()) + ",\"members\":"
        + g.members().toString().replace(" ", "") + ",\"incarnation\":" + g.incarnation() + "}";
  }
}
