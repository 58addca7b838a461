package io.synod.samples.fault;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
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
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.RemoteTransport;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter.ThrottleMode;
import scala.concurrent.Await;
import scala.concurrent.duration.FiniteDuration;

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

  @Override
  public Route route(RunningNode node) {
    RemoteTransport transport = ((RemoteActorRefProvider) ((ExtendedActorSystem) Adapter.toClassic(node.system()))
        .provider()).transport();
    return pathPrefix("nemesis", () -> concat(
        path("partition", () -> post(() -> parameter("from", ids -> {
          for (Address a : addresses(node.config(), ids)) {
            command(transport, a, ThrottlerTransportAdapter.blackholeThrottleMode());
          }
          return complete(HttpResponses.text(StatusCodes.OK, "cut from " + ids));
        }))),
        path("heal", () -> post(() -> {
          for (NodeConfig.Member m : node.config().members()) {
            if (m.id() != node.config().self()) {
              command(transport, m.address(), ThrottlerTransportAdapter.unthrottledThrottleMode());
            }
          }
          return complete(HttpResponses.text(StatusCodes.OK, "healed"));
        }))));
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

  private static void command(RemoteTransport transport, Address to, ThrottleMode mode) {
    try {
      Await.result(transport.managementCommand(new ThrottlerTransportAdapter.SetThrottle(to,
          ThrottlerTransportAdapter.bothDirection(), mode)), FiniteDuration.create(10, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("Artery refused the test command (is test-mode on?)", e);
    }
  }
}
