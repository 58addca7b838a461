package io.synod.bootstrap;

import org.apache.pekko.http.javadsl.server.Route;

/**
 * Routes a standalone node serves over HTTP beside {@code GET /status}, named in {@code
 * synod.cluster.http-services} (a public no-argument constructor is needed). {@link
 * HttpResponses} turns a group's answers and failures into responses.
 */
public interface HttpService {

  /** The routes, given the running node (its groups' clients). */
  Route route(RunningNode node);
}
