package io.synod.bootstrap;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who may change a node through its operator's routes ({@code /admin}): every request there that
 * is not a read (GET, HEAD, OPTIONS) must carry the node's {@link AdminToken} as {@code
 * Authorization: Bearer <token>}, or it is answered 401 with {@code WWW-Authenticate: Bearer
 * realm="synod"} and reaches no route. And it must not look like a browser's form: a body typed
 * {@code application/x-www-form-urlencoded}, {@code multipart/form-data} or {@code text/plain} (the
 * only types a cross-site form, or a script without a CORS preflight, can send) is refused with 415,
 * even with the right token. Reads go through untouched; the routes answer a read on a route that
 * changes state with 405.
 */
final class AdminGuard {

  private static final Set<String> READS = Set.of(HttpMethods.GET.name(), HttpMethods.HEAD.name(),
      HttpMethods.OPTIONS.name());
  private static final Set<String> FORM_TYPES = Set.of("application/x-www-form-urlencoded", "multipart/form-data",
      "text/plain");
  private static final String SCHEME = "Bearer ";

  private AdminGuard() {}

  /** {@code inner}, behind the token for every request that is not a read. */
  static Route guard(AdminToken token, Supplier<Route> inner) {
    return extractRequest(request -> refusal(token, request).map(AdminGuard::refuse).orElseGet(inner));
  }

  /** The answer refusing {@code request}, if it is refused. */
  private static Optional<HttpResponse> refusal(AdminToken token, HttpRequest request) {
    if (READS.contains(request.method().name())) {
      return Optional.empty();
    }
    if (!authorized(token, request)) {
      return Optional.of(HttpResponses.text(StatusCodes.UNAUTHORIZED, "this request changes the node: send the "
          + "admin token as 'Authorization: Bearer <token>' (" + AdminToken.KEY + ", or the node's <data-dir>/"
          + AdminToken.FILE + ")").withHeaders(List.of(RawHeader.create("WWW-Authenticate", "Bearer realm=\"synod\""))));
    }
    MediaType type = request.entity().getContentType().mediaType();
    String typeName = (type.mainType() + "/" + type.subType()).toLowerCase(Locale.ROOT);
    if (FORM_TYPES.contains(typeName)) {
      return Optional.of(HttpResponses.text(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "an admin request with a body of "
          + "type " + typeName + " is refused (a browser's form can send one); send no body"));
    }
    return Optional.empty();
  }

  private static boolean authorized(AdminToken token, HttpRequest request) {
    Optional<String> value = request.getHeader("Authorization").map(HttpHeader::value);
    if (value.isEmpty() || !value.get().regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    return token.matches(value.get().substring(SCHEME.length()).strip());
  }

  private static Route refuse(HttpResponse response) {
    return complete(response);
  }
}
