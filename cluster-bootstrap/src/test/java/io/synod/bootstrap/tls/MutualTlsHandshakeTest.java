package io.synod.bootstrap.tls;

import static io.synod.bootstrap.tls.CertificateChecks.SAN_URI;
import static io.synod.bootstrap.tls.CertificateChecks.sans;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stores in a real mutual TLS handshake on 127.0.0.1, with the JDK's TLS as Artery uses it:
 * the server demands a client certificate, each side trusts {@code trust.p12}. Two nodes of one
 * cluster connect and see each other's {@code synod:node:<id>}; a node of another cluster's CA, or
 * a client without a certificate, is refused.
 */
class MutualTlsHandshakeTest {

  private static final Map<Integer, String> HOSTS = Map.of(1, "127.0.0.1", 2, "127.0.0.1");
  private static final int TIMEOUT_MILLIS = 30_000;
  private static final int HELLO = 42;
  /** What Artery's TLS uses by default (pekko.remote.artery.ssl.config-ssl-engine). */
  private static final String[] PROTOCOLS = {"TLSv1.3"};
  private static final String[] CIPHER_SUITES = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"};

  @TempDir
  Path tmp;

  private TlsFiles cluster;
  private TlsFiles foreign;
  private ExecutorService server;

  @BeforeEach
  void makeTwoClusters() {
    cluster = ClusterCertificates.create(tmp.resolve("cluster"), HOSTS, Duration.ofDays(2));
    foreign = ClusterCertificates.create(tmp.resolve("foreign"), HOSTS, Duration.ofDays(2));
    server = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void stopServer() {
    server.shutdownNow();
  }

  /** Node {@code node}'s TLS as a node would set it up: its own store as key store, trust.p12 as trust. */
  private static SSLContext node(TlsFiles files, int node) throws Exception {
    return context(keysOf(files, node), files);
  }

  /** A client that trusts the cluster's CA but has no certificate of its own. */
  private static SSLContext anonymous(TlsFiles files) throws Exception {
    return context(null, files);
  }

  private static SSLContext context(KeyManagerFactory keys, TlsFiles files) throws Exception {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(files.readTrustStore());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  /** How one connection went: each side's view of its peer, or why it failed. */
  private record Handshake(X509Certificate clientSeenByServer, Throwable serverFailure,
      X509Certificate serverSeenByClient, Throwable clientFailure, String protocol) {}

  /**
   * Connects a client to a server on 127.0.0.1. The server completes its handshake, then sends one
   * byte; the client reads it, so a server that refuses the client's certificate (which TLS 1.3
   * tells the client only after the client's own handshake returned) shows as a client failure too.
   */
  private Handshake connect(SSLContext serverContext, SSLContext clientContext) throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
        .createServerSocket(0, 1, loopback)) {
      listener.setNeedClientAuth(true);
      listener.setEnabledProtocols(PROTOCOLS);
      listener.setEnabledCipherSuites(CIPHER_SUITES);
      listener.setSoTimeout(TIMEOUT_MILLIS);
      CompletableFuture<X509Certificate> serverSide = CompletableFuture.supplyAsync(() -> {
        try (SSLSocket socket = (SSLSocket) listener.accept()) {
          socket.setSoTimeout(TIMEOUT_MILLIS);
          socket.startHandshake();
          X509Certificate client = (X509Certificate) socket.getSession().getPeerCertificates()[0];
          socket.getOutputStream().write(HELLO);
          socket.getOutputStream().flush();
          socket.getInputStream().read(); // until the client has read and closed
          return client;
        } catch (IOException e) {
          throw new CompletionException(e);
        }
      }, server);
      X509Certificate serverSeen = null;
      Throwable clientFailure = null;
      String protocol = null;
      try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket(loopback,
          listener.getLocalPort())) {
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setEnabledProtocols(PROTOCOLS);
        socket.setEnabledCipherSuites(CIPHER_SUITES);
        socket.startHandshake();
        int read = socket.getInputStream().read();
        if (read != HELLO) {
          throw new IOException("the server closed the connection without a word (read " + read + ")");
        }
        serverSeen = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        protocol = socket.getSession().getProtocol();
      } catch (IOException e) {
        clientFailure = e;
      }
      X509Certificate clientSeen = null;
      Throwable serverFailure = null;
      try {
        clientSeen = serverSide.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        serverFailure = e.getCause();
      }
      return new Handshake(clientSeen, serverFailure, serverSeen, clientFailure, protocol);
    }
  }

  @Test
  void twoNodesOfOneClusterConnectAndSeeEachOthersNodeUri() throws Exception {
    Handshake h = connect(node(cluster, 1), node(cluster, 2));
    assertNull(h.serverFailure(), () -> "server: " + h.serverFailure());
    assertNull(h.clientFailure(), () -> "client: " + h.clientFailure());
    assertEquals(List.of("synod:node:2"), sans(h.clientSeenByServer(), SAN_URI));
    assertEquals(List.of("synod:node:1"), sans(h.serverSeenByClient(), SAN_URI));
    assertEquals("TLSv1.3", h.protocol());
  }

  @Test
  void aClientWithACertificateFromAnotherCaIsRefused() throws Exception {
    // The foreign client trusts the cluster's CA, so only the server's check can stop it.
    SSLContext intruder = context(keysOf(foreign, 2), cluster);
    Handshake h = connect(node(cluster, 1), intruder);
    assertInstanceOf(SSLHandshakeException.class, h.serverFailure(), () -> "server: " + h.serverFailure());
    assertNotNull(h.clientFailure(), "the client must not get through");
    assertNull(h.clientSeenByServer());
  }

  @Test
  void aServerWithACertificateFromAnotherCaIsRefused() throws Exception {
    SSLContext impostor = context(keysOf(foreign, 1), cluster);
    Handshake h = connect(impostor, node(cluster, 2));
    assertInstanceOf(SSLHandshakeException.class, h.clientFailure(), () -> "client: " + h.clientFailure());
    assertNull(h.serverSeenByClient());
    assertNotNull(h.serverFailure());
  }

  @Test
  void aClientWithoutACertificateIsRefused() throws Exception {
    Handshake h = connect(node(cluster, 1), anonymous(cluster));
    assertInstanceOf(SSLHandshakeException.class, h.serverFailure(), () -> "server: " + h.serverFailure());
    assertNotNull(h.clientFailure(), "the client must not get through");
  }

  private static KeyManagerFactory keysOf(TlsFiles files, int node) throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(files.readNodeStore(node), files.password());
    return keys;
  }
}
