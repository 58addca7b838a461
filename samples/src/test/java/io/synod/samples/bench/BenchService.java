package io.synod.samples.bench;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameter;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import io.synod.bootstrap.HttpResponses;
import io.synod.bootstrap.HttpService;
import io.synod.bootstrap.RunningNode;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.zip.DataFormatException;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import org.HdrHistogram.Histogram;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The benchmark's control API on each node (listed in the benchmark cluster's {@code
 * synod.cluster.http-services}; not part of a node outside the benchmark):
 *
 * <ul>
 *   <li>{@code POST /bench/run?groups=G&clients=C&size=S&warmup=W&seconds=T&rate=R&mine=0,3,5}
 *       runs this node's share of a {@link LoadGenerator} load (the clients of groups 0, 3 and 5)
 *       and answers {@code {"node":1,"clients":2,
 *       "ops":...,"errors":...,"seconds":...,"histogram":"<base64 HdrHistogram>"}};
 *   <li>{@code POST /bench/jfr?file=F} writes what the node's Flight Recorder recorded so far
 *       (the node runs with {@code -XX:StartFlightRecording}) to F.
 *   <li>{@code GET /bench/process} answers {@code {"node":1,"allocatedBytes":...,"compileMillis":...,"threads":...}}:
 *       the bytes this JVM's live threads have allocated so far, summed (the benchmark reads it
 *       when a measured window opens and closes), and the time its JIT compilers have spent so far
 *       (-1 where the JVM does not say; the benchmark's warm-up waits for it to stop growing).
 *   <li>{@code POST /bench/command?group=bench-N}, the value as the body: proposes it to the group
 *       as a remote application's request would be ({@link ExternalLoad} sends these), through one
 *       of {@link #SESSIONS_PER_GROUP} sessions of the group on this node in turn; 200 once
 *       committed, 503 with the reason if it failed, 404 for a group this node does not run.
 * </ul>
 */
public final class BenchService implements HttpService {

  private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "bench-load");
    t.setDaemon(true);
    return t;
  });

  /**
   * The sessions that carry {@code /bench/command} requests, per group, taken in turn: a few
   * suffice (each may have {@code synod.group.session-window} commands unanswered, 64 by default),
   * and each is an actor of its own, so not one per connection.
   */
  static final int SESSIONS_PER_GROUP = 16;

  private final AtomicLong nextSession = new AtomicLong();

  @Override
  public Route route(RunningNode node) {
    LoadGenerator load = new LoadGenerator(node);
    BenchClients sessions = new BenchClients(node);
    return pathPrefix("bench", () -> concat(
        path("process", () -> get(() -> complete(HttpResponses.json("{\"node\":" + node.config().self()
            + ",\"allocatedBytes\":" + allocatedBytes() + ",\"compileMillis\":" + compileMillis() + ",\"threads\":"
            + Thread.activeCount() + "}")))),
        path("command", () -> post(() -> parameter("group", group -> entity(Unmarshaller.entityToByteArray(),
            value -> completeWithFuture(command(sessions, group, value)))))),
        path("run", () -> post(() -> parameterMap(params -> {
          LoadGenerator.Spec spec;
          try {
            spec = spec(params);
          } catch (RuntimeException e) {
            return complete(HttpResponses.text(StatusCodes.BAD_REQUEST, e.getMessage()));
          }
          return completeWithFuture(CompletableFuture.supplyAsync(() -> {
            try {
              return load.run(spec);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }, runner).handle((o, t) -> t != null
              ? HttpResponses.text(StatusCodes.INTERNAL_SERVER_ERROR, t.toString())
              : HttpResponses.json("{\"node\":" + node.config().self() + ",\"clients\":" + o.clients() + ",\"ops\":"
                  + o.ops() + ",\"errors\":" + o.errors() + ",\"seconds\":" + o.seconds() + ",\"histogram\":\""
                  + encode(o.latency()) + "\"}")));
        }))),
        path("jfr", () -> post(() -> parameter("file", file -> complete(dumpRecording(Path.of(file))))))));
  }

  /**
   * The bytes this JVM's threads have allocated so far, summed over the live ones ({@link
   * com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long[])}): threads that have exited are
   * missed, so a difference over a window in which threads ended is too small. -1 where the JVM
   * does not count.
   */
  private static long allocatedBytes() {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
        || !threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
      return -1;
    }
    long sum = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      sum += Math.max(0, bytes); // -1: the thread ended since the listing
    }
    return sum;
  }

  /** Milliseconds this JVM's JIT compilers have spent so far, or -1 if it does not say. */
  private static long compileMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit == null || !jit.isCompilationTimeMonitoringSupported() ? -1 : jit.getTotalCompilationTime();
  }

  /** Proposes {@code value} to {@code group} through the next of its sessions here, answering as the route says. */
  private CompletableFuture<HttpResponse> command(BenchClients sessions, String group, byte[] value) {
    if (!sessions.runs(group)) {
      return CompletableFuture.completedFuture(HttpResponses.text(StatusCodes.NOT_FOUND,
          "this node runs no group '" + group + "'"));
    }
    try {
      int session = (int) (nextSession.getAndIncrement() % SESSIONS_PER_GROUP);
      return sessions.get(group, session).propose(value).toCompletableFuture().handle(BenchService::committed);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(HttpResponses.text(StatusCodes.SERVICE_UNAVAILABLE, e.toString()));
    }
  }

  private static HttpResponse committed(byte[] result, Throwable failure) {
    if (failure == null) {
      return HttpResponses.text(StatusCodes.OK, "committed");
    }
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
        : failure;
    return HttpResponses.text(StatusCodes.SERVICE_UNAVAILABLE, cause.toString());
  }

  private static LoadGenerator.Spec spec(Map<String, String> p) {
    return new LoadGenerator.Spec(Integer.parseInt(required(p, "groups")), Integer.parseInt(required(p, "clients")),
        Integer.parseInt(required(p, "size")), Double.parseDouble(p.getOrDefault("warmup", "1")),
        Double.parseDouble(required(p, "seconds")), Double.parseDouble(p.getOrDefault("rate", "0")),
        p.getOrDefault("mine", "").isBlank() ? Set.of() : Arrays.stream(p.get("mine").split(","))
            .map(String::strip).map(Integer::valueOf).collect(Collectors.toSet()));
  }

  private static String required(Map<String, String> p, String name) {
    String v = p.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing parameter '" + name + "'");
    }
    return v;
  }

  /**
   * Writes what this node's Flight Recorder has recorded so far to {@code file}. The benchmark
   * starts the recorded cluster's nodes with {@code -XX:StartFlightRecording}: starting a recording
   * in the middle of the load stalled a loaded 100-group cluster for many seconds.
   */
  private static HttpResponse dumpRecording(Path file) {
    try (Recording snapshot = FlightRecorder.getFlightRecorder().takeSnapshot()) {
      if (FlightRecorder.getFlightRecorder().getRecordings().isEmpty()) {
        return HttpResponses.text(StatusCodes.CONFLICT, "no recording: start the node with -XX:StartFlightRecording");
      }
      snapshot.dump(file);
      return HttpResponses.text(StatusCodes.OK, file.toString());
    } catch (Exception e) {
      return HttpResponses.text(StatusCodes.INTERNAL_SERVER_ERROR, e.toString());
    }
  }

  static String encode(Histogram h) {
    ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(b);
    return Base64.getEncoder().encodeToString(Arrays.copyOf(b.array(), n));
  }

  static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("not an encoded histogram", e);
    }
  }
}
