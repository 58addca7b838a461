package io.synod.bootstrap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Hostile requests against a running node's operator routes, each of which the node must refuse:
 * state-changing admin requests without a token, with a wrong one or another scheme, a GET to a
 * route that changes state, a browser form's post with the right token, and the right token sent
 * for a foreign {@code Host} (DNS rebinding). {@link #attack} makes them all and counts the refused
 * ones; the caller then checks that nothing changed (the group's membership and leader). Requests go
 * over a plain socket, so that any {@code Host} header can be sent.
 */
public final class AdminAttacks {

  /** Of {@code attempts} hostile requests, {@code unauthorized} were refused (401, 403, 405 or 415). */
  public record Result(int unauthorized, int attempts) {}

  /** An HTTP answer: its status, its headers (names in lower case) and its body. */
  record Answer(int status, Map<String, String> headers, String body) {}

  private static final Set<Integer> REFUSALS = Set.of(401, 403, 405, 415);
  private static final int TIMEOUT_MILLIS = 30_000;

  private AdminAttacks() {}

  /**
   * Sends the hostile requests to the node at {@code nodeBase} (e.g. {@code http://127.0.0.1:8081})
   * about group {@code group}: each would hand its leadership to, add as a learner or remove node
   * {@code otherNode} if the node took it. {@code token} is the node's admin token (sent where the
   * attack is not about the token). A request the node did not refuse is reported on standard error.
   */
  public static Result attack(URI nodeBase, String group, String token, int otherNode) throws IOException {
    String leader = "/admin/groups/" + group + "/leader?to=" + otherNode;
    String learner = "/admin/groups/" + group + "/members?id=" + otherNode + "&role=learner";
    String remove = "/admin/groups/" + group + "/members/" + otherNode;
    String right = "Authorization: Bearer " + token;
    String sameLength = "Authorization: Bearer " + token.substring(0, token.length() - 1)
        + (token.endsWith("a") ? "b" : "a");
    String host = hostOf(nodeBase);
    String foreign = "evil.example";
    List<Attempt> attempts = new ArrayList<>();
    for (String path : List.of(leader, learner)) {
      attempts.add(new Attempt("no token", "POST", path, host, List.of(), ""));
      attempts.add(new Attempt("a wrong token of the same length", "POST", path, host, List.of(sameLength), ""));
      attempts.add(new Attempt("the token and a character more", "POST", path, host, List.of(right + "0"), ""));
      attempts.add(new Attempt("the token in another scheme", "POST", path, host,
          List.of("Authorization: Token " + token), ""));
      attempts.add(new Attempt("Bearer without a token", "POST", path, host, List.of("Authorization: Bearer"), ""));
    }
    attempts.add(new Attempt("no token", "DELETE", remove, host, List.of(), ""));
    attempts.add(new Attempt("a wrong token of the same length", "DELETE", remove, host, List.of(sameLength), ""));
    attempts.add(new Attempt("a GET with the token", "GET", leader, host, List.of(right), ""));
    attempts.add(new Attempt("a urlencoded form with the token", "POST", leader, host, List.of(right,
        "Content-Type: application/x-www-form-urlencoded"), "to=" + otherNode));
    attempts.add(new Attempt("a multipart form with the token", "POST", learner, host, List.of(right,
        "Content-Type: multipart/form-data; boundary=x"),
        "--x\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n" + otherNode + "\r\n--x--\r\n"));
    attempts.add(new Attempt("a text/plain form with the token", "POST", learner, host, List.of(right,
        "Content-Type: text/plain;charset=UTF-8"), "id=" + otherNode));
    attempts.add(new Attempt("an empty urlencoded form with the token", "DELETE", remove, host, List.of(right,
        "Content-Type: application/x-www-form-urlencoded"), ""));
    attempts.add(new Attempt("a foreign Host with the token", "POST", leader, foreign, List.of(right), ""));
    attempts.add(new Attempt("a foreign Host and port with the token", "POST", learner,
        foreign + ":" + nodeBase.getPort(), List.of(right), ""));
    attempts.add(new Attempt("a foreign Host with the token", "DELETE", remove, foreign, List.of(right), ""));
    int refused = 0;
    for (Attempt a : attempts) {
      Answer answer = send(nodeBase, a.method(), a.path(), a.host(), a.headers(), a.body());
      if (REFUSALS.contains(answer.status())) {
        refused++;
      } else {
        System.err.println("AdminAttacks: " + a.method() + " " + a.path() + " with " + a.what() + " was not refused: "
            + answer.status() + " " + answer.body().strip());
      }
    }
    return new Result(refused, attempts.size());
  }

  /** One hostile request; {@code what} says what is wrong with it without showing the token. */
  private record Attempt(String what, String method, String path, String host, List<String> headers, String body) {}

  /** {@code host:port} of {@code base}, as a client sends it in {@code Host}. */
  static String hostOf(URI base) {
    return base.getHost() + ":" + base.getPort();
  }

  /**
   * Sends one HTTP/1.1 request to the node at {@code base} with header {@code Host: host} (none if
   * null), the {@code headers} given ("Name: value") and {@code body}, and reads the answer.
   */
  static Answer send(URI base, String method, String path, String host, List<String> headers, String body)
      throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
    if (host != null) {
      head.append("Host: ").append(host).append("\r\n");
    }
    headers.forEach(h -> head.append(h).append("\r\n"));
    head.append("Content-Length: ").append(content.length).append("\r\nConnection: close\r\n\r\n");
    return sendRaw(base, head.toString(), content);
  }

  /** Sends {@code head} (the request line and headers, ending in an empty line) and {@code body} as they are. */
  static Answer sendRaw(URI base, String head, byte[] body) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(base.getHost(), base.getPort()), TIMEOUT_MILLIS);
      s.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      return parse(readAll(s.getInputStream()));
    }
  }

  /** Everything until the node closes the connection (each request asks it to). */
  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    return all.toString(StandardCharsets.UTF_8);
  }

  private static Answer parse(String response) {
    int end = response.indexOf("\r\n\r\n");
    if (!response.startsWith("HTTP/1.") || end < 0) {
      throw new IllegalStateException("not an HTTP answer: '" + response + "'");
    }
    String[] lines = response.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
    }
    return new Answer(status, headers, response.substring(end + 4));
  }
}
