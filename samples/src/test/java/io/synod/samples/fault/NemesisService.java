package io.synod.samples.fault;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.parameter;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import io.synod.bootstrap.HttpResponses;
import io.synod.bootstrap.HttpService;
import io.synod.bootstrap.NodeConfig;
import io.synod.bootstrap.RunningNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.RemoteTransport;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter.ThrottleMode;
import scala.jdk.javaapi.FutureConverters;

/**
 * Test only: lets the fault test cut a node's network to other nodes, with Artery's own test mode
 * ({@code pekko.remote.artery.advanced.test-mode = on}), the mechanism Pekko's multi-node tests
 * use for {@code blackhole}. Artery then has a stage in every inbound and outbound stream that
 * drops all messages to and from a blackholed address, whatever their kind (protocol, handshake,
 * heartbeat); the TCP connections stay up. Listed in the fault test's {@code
 * synod.cluster.http-services}; never part of a node outside tests.
 *
 * <p>{@code POST /nemesis/partition?from=2,3} drops everything between this node and nodes 2 and 3,
 * both ways; {@code POST /nemesis/heal} lets everything through again.
 */
public final class NemesisService implements HttpService {

  private static final String TEST_MODE = "pekko.remote.artery.advanced.test-mode";

  @Override
  public Route route(RunningNode node) {
    // Without test mode Artery has no blackhole stages and would take the commands and do nothing.
    if (!node.system().settings().config().getBoolean(TEST_MODE)) {
      throw new IllegalStateException(getClass().getName() + " needs " + TEST_MODE + " = on (node "
          + node.config().self() + ")");
    }
    RemoteTransport transport = ((RemoteActorRefProvider) ((ExtendedActorSystem) Adapter.toClassic(node.system()))
        .provider()).transport();
    return pathPrefix("nemesis", () -> concat(
        path("partition", () -> post(() -> parameter("from", ids -> {
          List<CompletableFuture<Object>> done = new ArrayList<>();
          for (Address a : addresses(node.config(), ids)) {
            done.add(command(transport, a, ThrottlerTransportAdapter.blackholeThrottleMode()));
          }
          return completeWithFuture(answer(done, "node " + node.config().self() + " cut from " + ids));
        }))),
        path("heal", () -> post(() -> {
          List<CompletableFuture<Object>> done = new ArrayList<>();
          for (NodeConfig.Member m : node.config().members()) {
            if (m.id() != node.config().self()) {
              done.add(command(transport, m.address(), ThrottlerTransportAdapter.unthrottledThrottleMode()));
            }
          }
          return completeWithFuture(answer(done, "node " + node.config().self() + " healed"));
        }))));
  }

  private static CompletableFuture<HttpResponse> answer(List<CompletableFuture<Object>> done, String what) {
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).handle((v, t) -> t != null
        ? HttpResponses.text(StatusCodes.INTERNAL_SERVER_ERROR, what + " failed: " + t)
        : HttpResponses.text(StatusCodes.OK, what));
  }

  private static List<Address> addresses(NodeConfig config, String ids) {
    List<Address> all = new ArrayList<>();
    for (String id : ids.split(",")) {
      int n = Integer.parseInt(id.strip());
      all.add(config.members().stream().filter(m -> m.id() == n).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no member " + n)).address());
    }
    return all;
  }

  private static CompletableFuture<Object> command(RemoteTransport transport, Address to, ThrottleMode mode) {
    return FutureConverters.asJava(transport.managementCommand(new ThrottlerTransportAdapter.SetThrottle(to,
        ThrottlerTransportAdapter.bothDirection(), mode))).toCompletableFuture();
  }
}
