package io.synod.samples.election;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.synod.actors.GroupClient;
import io.synod.actors.Leadership;
import io.synod.bootstrap.HttpResponses;
import io.synod.bootstrap.HttpService;
import io.synod.bootstrap.RunningNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Master election on every node, for the group named "election": each node runs a {@link
 * MasterJob} (every second, while it is master), and {@code GET /election} tells what this node
 * sees: {@code {"node":1,"leader":1,"master":true,"runsHere":12,"runs":40,"lastRunner":1}}, where
 * {@code runs} and {@code lastRunner} are the log's record of every master's runs (a linearizable
 * read).
 */
public final class ElectionService implements HttpService {

  public static final String GROUP = "election";

  private static final Logger LOG = LoggerFactory.getLogger(ElectionService.class);
  static final Duration PERIOD = Duration.ofSeconds(1);

  @Override
  public Route route(RunningNode node) {
    GroupClient<ElectionCommand, JobRecord> election = node.client(GROUP);
    if (election == null) {
      throw new IllegalStateException("the election service needs group '" + GROUP + "' on node "
          + node.config().self() + "; add { id = \"" + GROUP + "\", type = \"" + ElectionType.class.getName()
          + "\" } to synod.cluster.groups");
    }
    MasterJob job = new MasterJob(election, PERIOD);
    // The job stops with its node, before the group's actor does (else its runs time out against a stopped group).
    CoordinatedShutdown.get(node.system()).addTask(CoordinatedShutdown.PhaseServiceStop(), "stop-master-job-" + GROUP,
        () -> {
          try {
            job.close();
          } catch (Exception e) {
            LOG.warn("node {}: stopping group '{}''s job failed", node.config().self(), GROUP, e);
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return path(GROUP, () -> get(() -> completeWithFuture(election.read(new ElectionCommand.Get()).handle((r, t) -> {
      if (t != null) {
        return HttpResponses.failure(t);
      }
      Leadership l = job.leadership();
      return HttpResponses.json("{\"node\":" + node.config().self()
          + ",\"leader\":" + (l == null ? -1 : l.leader())
          + ",\"master\":" + job.running()
          + ",\"runsHere\":" + job.runsHere()
          + ",\"runs\":" + r.runs()
          + ",\"lastRunner\":" + r.lastRunner() + "}");
    }))));
  }
}
