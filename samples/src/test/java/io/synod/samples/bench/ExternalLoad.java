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
 * value as the body, 200 once committed). In each run, {@code clients} closed-loop clients, client
 * {@code i} proposing to group {@code bench-(i mod groups)} through node {@code i mod 3} (not
 * necessarily its leader: a node forwards), each on its own keep-alive connection (java.net.http,
 * HTTP/1.1). Latency is from the request to its answer; only answers inside the measured window
 * (after the run's warm-up) count.
 *
 * <p>First, unmeasured, it warms up: both this JVM's and the nodes' compilers meet the HTTP path
 * only now (the nodes' load so far ran inside them), and on two cores, interpreted, it costs
 * milliseconds a command. 64 clients in steps of {@link #STEP_SECONDS} until two steps in a row
 * agree within 10% (at least three steps) or the warm-up's seconds are spent; each step prints
 * {@code EXTERNAL-WARM-UP step=<n> rate=<commits/s>}. Then one run per number of clients, one
 * after the other: {@code EXTERNAL-STARTED clients=C} when its clients start, {@code
 * EXTERNAL-RESULT clients=C ops=N errors=E seconds=T histogram=<base64>} when they have stopped
 * (the histogram as {@link BenchService#encode} writes it). Started and killed by {@link
 * ExternalClients}.
 *
 * <p>Arguments: {@code <http port,http port,...> <groups> <value bytes> <warm-up s, at most>
 * <each run's warm-up s> <measured s> <clients,clients,...>}.
 */
public final class ExternalLoad {

  /** A command without an answer after this long counts as failed (the nodes' own request timeout is 5 s). */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** The clients start spread over at most this long, so that the nodes' accept queues do not overflow. */
  private static final long RAMP_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long RETRY_AFTER_FAILURE_MILLIS = 100;
  private static final double STEP_SECONDS = 2;
  private static final int WARM_CLIENTS = 64;

  private final HttpClient http;
  private final byte[] value;
  private final long from;
  private final long until;
  private final ConcurrentHistogram latency = new ConcurrentHistogram(3);
  private final AtomicLong ops = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicInteger running = new AtomicInteger();
  private final CountDownLatch drained = new CountDownLatch(1);

  /** One run, whose measured window opens {@code warmup} seconds from now and lasts {@code seconds}. */
  private ExternalLoad(HttpClient http, byte[] value, double warmup, double seconds) {
    this.http = http;
    this.value = value;
    this.from = System.nanoTime() + (long) (warmup * 1e9);
    this.until = from + (long) (seconds * 1e9);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("usage: ExternalLoad <port,port,...> <groups> <value bytes> <warm-up s> <run warm-up s> "
          + "<measured s> <clients,clients,...>");
      System.exit(64);
    }
    List<Integer> ports = Arrays.stream(args[0].split(",")).map(Integer::valueOf).toList();
    int groups = Integer.parseInt(args[1]);
    byte[] value = new byte[Integer.parseInt(args[2])];
    new SplittableRandom(value.length).nextBytes(value);
    double maxWarmUp = Double.parseDouble(args[3]);
    double warmup = Double.parseDouble(args[4]);
    double seconds = Double.parseDouble(args[5]);
    List<Integer> runs = Arrays.stream(args[6].split(",")).map(Integer::valueOf).toList();
    ExecutorService callbacks = Executors.newFixedThreadPool(2, ExternalLoad::daemon);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(callbacks)
        .connectTimeout(Duration.ofSeconds(5)).build();
    warmUp(http, value, ports, groups, maxWarmUp);
    for (int clients : runs) {
      ExternalLoad load = new ExternalLoad(http, value, warmup, seconds);
      print("EXTERNAL-STARTED clients=" + clients);
      load.run(ports, groups, clients, Math.min(RAMP_NANOS, (long) (warmup * 1e9 / 2)));
      print(String.format(Locale.ROOT, "EXTERNAL-RESULT clients=%d ops=%d errors=%d seconds=%s histogram=%s", clients,
          load.ops.get(), load.errors.get(), seconds, BenchService.encode(load.latency)));
    }
    System.exit(0);
  }

  private static void print(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "external-load");
    t.setDaemon(true);
    return t;
  }

  /** The unmeasured warm-up: steps of load until two agree, or {@code maxSeconds} are spent. */
  private static void warmUp(HttpClient http, byte[] value, List<Integer> ports, int groups, double maxSeconds)
      throws InterruptedException {
    long start = System.nanoTime();
    double last = -1;
    for (int step = 1; (System.nanoTime() - start) / 1e9 + STEP_SECONDS <= maxSeconds; step++) {
      ExternalLoad load = new ExternalLoad(http, value, 0, STEP_SECONDS);
      load.run(ports, groups, WARM_CLIENTS, 0);
      double rate = load.ops.get() / STEP_SECONDS;
      print(String.format(Locale.ROOT, "EXTERNAL-WARM-UP step=%d rate=%.0f", step, rate));
      if (ClusterWarmUp.agrees(step, last, rate)) {
        return;
      }
      last = rate;
    }
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
