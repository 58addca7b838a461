package io.synod.samples.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * The benchmark's clients outside the nodes: a JVM of their own that uses the nodes as a remote
 * application uses a standalone node, over HTTP ({@code POST /bench/command?group=bench-N}, the
 * value as the body, 200 once committed). {@code clients} closed-loop clients, client {@code i}
 * proposing to group {@code bench-(i mod groups)} through node {@code i mod 3} (not necessarily
 * its leader: a node forwards), each on its own keep-alive connection (java.net.http, HTTP/1.1).
 * Latency is from the request to its answer; only answers inside the measured window (after the
 * warm-up) count. Started and killed by {@link ExternalClients}: prints {@code EXTERNAL-STARTED}
 * when the clients start, then one line {@code EXTERNAL-RESULT clients=C ops=N errors=E
 * seconds=T histogram=<base64>} (the histogram as {@link BenchService#encode} writes it).
 *
 * <p>Arguments: {@code <http port,http port,...> <groups> <clients> <value bytes> <warm-up s>
 * <measured s>}.
 */
public final class ExternalLoad {

  /** A command without an answer after this long counts as failed (the nodes' own request timeout is 5 s). */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** The clients start spread over at most this long, so that the nodes' accept queues do not overflow. */
  private static final long RAMP_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long RETRY_AFTER_FAILURE_MILLIS = 100;

  private final HttpClient http;
  private final byte[] value;
  private final long from;
  private final long until;
  private final ConcurrentHistogram latency = new ConcurrentHistogram(3);
  private final AtomicLong ops = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicInteger running = new AtomicInteger();
  private final CountDownLatch drained = new CountDownLatch(1);

  private ExternalLoad(HttpClient http, int size, long from, long until) {
    this.http = http;
    this.value = new byte[size];
    new SplittableRandom(size).nextBytes(value);
    this.from = from;
    this.until = until;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: ExternalLoad <port,port,...> <groups> <clients> <value bytes> <warm-up s> <measured s>");
      System.exit(64);
    }
    List<Integer> ports = Arrays.stream(args[0].split(",")).map(Integer::valueOf).toList();
    int groups = Integer.parseInt(args[1]);
    int clients = Integer.parseInt(args[2]);
    int size = Integer.parseInt(args[3]);
    double warmup = Double.parseDouble(args[4]);
    double seconds = Double.parseDouble(args[5]);
    ExecutorService callbacks = Executors.newFixedThreadPool(2, ExternalLoad::daemon);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(callbacks)
        .connectTimeout(Duration.ofSeconds(5)).build();
    long start = System.nanoTime();
    long from = start + (long) (warmup * 1e9);
    ExternalLoad load = new ExternalLoad(http, size, from, from + (long) (seconds * 1e9));
    System.out.println("EXTERNAL-STARTED");
    System.out.flush();
    load.run(ports, groups, clients, Math.min(RAMP_NANOS, (long) (warmup * 1e9 / 2)));
    System.out.printf(Locale.ROOT, "EXTERNAL-RESULT clients=%d ops=%d errors=%d seconds=%s histogram=%s%n", clients,
        load.ops.get(), load.errors.get(), seconds, BenchService.encode(load.latency));
    System.out.flush();
    System.exit(0);
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "external-load");
    t.setDaemon(true);
    return t;
  }

  /** Starts the clients spread over {@code ramp} ns, then waits (bounded) until every one has stopped. */
  private void run(List<Integer> ports, int groups, int clients, long ramp) throws InterruptedException {
    long start = System.nanoTime();
    running.set(clients);
    for (int i = 0; i < clients; i++) {
      InNodeLoad.sleepUntil(start + ramp * i / clients);
      URI uri = URI.create("http://127.0.0.1:" + ports.get(i % ports.size()) + "/bench/command?group="
          + LoadGenerator.group(i % groups));
      send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Content-Type", "application/octet-stream")
          .POST(HttpRequest.BodyPublishers.ofByteArray(value)).build());
    }
    // The last commands get their request timeout to be answered (or fail).
    long left = until - System.nanoTime() + REQUEST_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(2);
    drained.await(Math.max(0, left), TimeUnit.NANOSECONDS);
  }

  /** One command of a client; its answer sends the next until the window closes. */
  private void send(HttpRequest request) {
    long sent = System.nanoTime();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete((response, failure) -> answered(request, sent, response, failure));
  }

  private void answered(HttpRequest request, long sent, HttpResponse<Void> response, Throwable failure) {
    long now = System.nanoTime();
    if (now >= from && now <= until) {
      if (failure == null && response.statusCode() == 200) {
        ops.incrementAndGet();
        latency.recordValue(Math.max(0, now - sent));
      } else {
        errors.incrementAndGet();
      }
    }
    if (now < until && failure == null) {
      send(request);
    } else if (now < until) {
      // A connection that failed (refused, reset) is tried again a little later, not in a tight loop.
      CompletableFuture.delayedExecutor(RETRY_AFTER_FAILURE_MILLIS, TimeUnit.MILLISECONDS).execute(() -> send(request));
    } else if (running.decrementAndGet() == 0) {
      drained.countDown();
    }
  }
}
