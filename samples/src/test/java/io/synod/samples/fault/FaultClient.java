package io.synod.samples.fault;

import io.synod.samples.NodeProcesses;
import io.synod.samples.fault.History.Outcome;
import io.synod.samples.linearizability.Models;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One client of the fault test: until told to stop, it runs a random mix of key-value reads,
 * writes, deletes and compare-and-sets on a few keys and counter increments and reads, one at a
 * time, each on a random node with a timeout, and records each in the {@link History}. Values
 * written are unique ({@code c<client>-<n>}), so a read shows which write it saw.
 */
final class FaultClient implements Runnable {

  private final int id;
  private final SplittableRandom random;
  private final NodeProcesses nodes;
  private final History history;
  private final List<String> keys;
  private final Duration timeout;
  private final AtomicBoolean stop;
  private final HttpClient http;
  private final Map<String, String> lastSeen = new HashMap<>();
  private final List<String> unexpected;
  private int written;
  /** System.nanoTime of the invocation of this client's latest ok operation; 0 if none. */
  private volatile long lastOkInvoked;

  /** Nodes sent reads only (writes go to the others). */
  private final Set<Integer> readOnly;

  FaultClient(int id, long seed, NodeProcesses nodes, Set<Integer> readOnly, History history, List<String> keys,
      Duration timeout, AtomicBoolean stop, List<String> unexpected) {
    this.readOnly = readOnly;
    this.id = id;
    this.random = new SplittableRandom(seed);
    this.nodes = nodes;
    this.history = history;
    this.keys = keys;
    this.timeout = timeout;
    this.stop = stop;
    this.unexpected = unexpected;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  }

  long lastOkInvoked() {
    return lastOkInvoked;
  }

  int id() {
    return id;
  }

  @Override
  public void run() {
    while (!stop.get()) {
      int node = 1 + random.nextInt(nodes.size());
      String key = keys.get(random.nextInt(keys.size()));
      int dice = random.nextInt(100);
      boolean read = dice < 22 || dice >= 80;
      while (!read && readOnly.contains(node)) {
        node = 1 + random.nextInt(nodes.size());
      }
      if (dice < 22) {
        send(node, key, new Models.Read(), "GET", "/kv/" + key, null);
      } else if (dice < 40) {
        String value = "c" + id + "-" + (++written);
        send(node, key, new Models.Write(value), "PUT", "/kv/" + key, value);
      } else if (dice < 50) {
        String value = "c" + id + "-" + (++written);
        String expected = lastSeen.getOrDefault(key, "c" + id + "-0");
        send(node, key, new Models.Cas(expected, value), "POST", "/kv/" + key + "/cas?expected="
            + URLEncoder.encode(expected, StandardCharsets.UTF_8), value);
      } else if (dice < 53) {
        send(node, key, new Models.Delete(), "DELETE", "/kv/" + key, null);
      } else if (dice < 80) {
        send(node, null, new Models.Add(1), "POST", "/counter/increment?by=1", null);
      } else {
        send(node, null, new Models.Get(), "GET", "/counter", null);
      }
      // Think time, so that a few clients make a history the checker can take in a few seconds.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10 + random.nextInt(40)));
    }
  }

  private void send(int node, String key, Object input, String method, String path, String body) {
    HttpRequest request = HttpRequest.newBuilder(nodes.uri(node, path)).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)).build();
    long invoked = System.nanoTime();
    Outcome outcome;
    Object output = null;
    String detail;
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      detail = r.statusCode() + " " + r.body().strip();
      output = output(input, r.statusCode(), r.body());
      if (output != null) {
        outcome = Outcome.OK;
      } else if (r.statusCode() == 409 && r.body().contains("session window had moved past it")) {
        // CommandExpiredException: it reached the log and was not applied. (Not expected: a node's
        // client keeps its commands within the session window; if it comes, it is a definite fail.)
        outcome = Outcome.FAIL;
      } else {
        outcome = Outcome.UNKNOWN; // 503: no leader, not enough members, timed out inside the group: maybe applied
        if (r.statusCode() != 503) {
          unexpected.add("client " + id + " node " + node + " " + method + " " + path + ": " + detail);
        }
      }
    } catch (ConnectException | HttpConnectTimeoutException e) {
      outcome = Outcome.FAIL; // never reached the node: certainly not applied (the JDK retries no write then)
      detail = e.toString();
    } catch (IOException e) {
      outcome = Outcome.UNKNOWN; // timed out, or the node died while answering
      detail = e.toString();
    } catch (NumberFormatException e) {
      outcome = Outcome.UNKNOWN;
      detail = e.toString();
      unexpected.add("client " + id + " node " + node + " " + method + " " + path + ": not a number: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = Outcome.UNKNOWN;
      detail = "interrupted";
    }
    long returned = System.nanoTime();
    history.add(new History.Op(id, node, key, input, output, invoked, returned, outcome, detail));
    if (outcome == Outcome.OK) {
      lastOkInvoked = invoked;
      if (key != null && output instanceof Models.Value v && v.value() != null) {
        lastSeen.put(key, v.value());
      } else if (key != null && input instanceof Models.Write w) {
        lastSeen.put(key, w.value());
      }
    }
  }

  /** The key-value API's answer for a key it does not have (not a 404 of an unknown route). */
  private static boolean absent(int status, String text) {
    return status == 404 && text.equals("no such key");
  }

  /** The operation's output for the model if the response shows it took effect (or what it read), else null. */
  private static Object output(Object input, int status, String body) {
    String text = body.strip();
    if (input instanceof Models.Read) {
      return status == 200 ? new Models.Value(body) : absent(status, text) ? new Models.Value(null) : null;
    }
    if (input instanceof Models.Write || input instanceof Models.Add || input instanceof Models.Get) {
      if (status != 200) {
        return null;
      }
      return input instanceof Models.Write ? Boolean.TRUE : Long.valueOf(text);
    }
    if (input instanceof Models.Delete) {
      return status == 200 ? Boolean.TRUE : absent(status, text) ? Boolean.FALSE : null;
    }
    // compare-and-set: 409 with the current value (or none) is a refusal; another 409 is an expired command
    if (status == 200) {
      return Boolean.TRUE;
    }
    return status == 409 && (text.startsWith("current value") || text.equals("no value")) ? Boolean.FALSE : null;
  }
}
