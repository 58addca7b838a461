package io.synod.bootstrap;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A node's defence against DNS rebinding: a web page whose host name an attacker points at the
 * node's address would let a browser on the operator's machine talk to the node as if it were
 * that page. The browser still sends the page's name in the {@code Host} header, so every request
 * whose {@code Host} names none of the node's names (or that has none) is refused with 403. The
 * names: {@code synod.node.http.host}; when that is a loopback address, also {@code localhost},
 * {@code 127.0.0.1} and {@code ::1}; and {@code synod.node.http.allowed-hosts}. Compared ignoring
 * case and the port.
 */
final class HostCheck {

  static final String KEY = "synod.node.http.allowed-hosts";

  private final Set<String> names;
  private final boolean loopback;

  private HostCheck(Set<String> names, boolean loopback) {
    this.names = names;
    this.loopback = loopback;
  }

  /** The check for a node whose HTTP settings are {@code http}. */
  static HostCheck of(NodeConfig.Http http) {
    Set<String> names = new TreeSet<>();
    if (!isWildcard(http.host())) { // "Host: 0.0.0.0" reaches local services from some browsers
      names.add(normal(http.host()));
    }
    boolean loopback = isLoopback(http.host());
    if (loopback) {
      names.addAll(Set.of("localhost", "127.0.0.1", "::1"));
    }
    http.allowedHosts().forEach(h -> names.add(normal(h)));
    return new HostCheck(Set.copyOf(names), loopback);
  }

  /** Whether {@code host} is the address of every interface (0.0.0.0, ::), not a name of this node. */
  private static boolean isWildcard(String host) {
    String h = normal(host);
    return h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0");
  }

  /** Whether the node listens on a loopback address only (reachable from this machine only). */
  boolean loopback() {
    return loopback;
  }

  /** The host names the node answers to, in normal form (lower case, IPv6 without brackets). */
  Set<String> names() {
    return names;
  }

  /** {@code inner} for a request whose {@code Host} is one of the node's names, 403 for any other. */
  Route check(Supplier<Route> inner) {
    return extractRequest(request -> refusal(request).map(HostCheck::forbidden).orElseGet(inner));
  }

  /** Why {@code request} is refused, if it is. */
  private Optional<String> refusal(HttpRequest request) {
    Optional<Host> host = request.getHeader(Host.class);
    if (host.isEmpty() || host.get().host().isEmpty()) {
      return Optional.of("a request without a Host header is refused; this node answers requests for "
          + new TreeSet<>(names) + " (" + KEY + ")");
    }
    String name = normal(host.get().host().address());
    if (names.contains(name)) {
      return Optional.empty();
    }
    return Optional.of("host '" + name + "' is not one of this node's names " + new TreeSet<>(names) + "; list it in "
        + KEY + " to have the node answer it");
  }

  private static Route forbidden(String why) {
    return complete(HttpResponses.text(StatusCodes.FORBIDDEN, why));
  }

  /** Lower case, an IPv6 address without its brackets. */
  static String normal(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  /**
   * Whether {@code host} names loopback addresses only. (A name is looked up, as binding to it
   * does; one that cannot be is not loopback, and binding fails on it anyway.)
   */
  static boolean isLoopback(String host) {
    try {
      return Arrays.stream(InetAddress.getAllByName(normal(host))).allMatch(InetAddress::isLoopbackAddress);
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
