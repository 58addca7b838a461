package io.synod.bootstrap;

import static io.synod.bootstrap.tls.CertificateChecks.SAN_URI;
import static io.synod.bootstrap.tls.CertificateChecks.chain;
import static io.synod.bootstrap.tls.CertificateChecks.sans;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code certs [--dir DIR] [--days N] [--renew] <cluster-file>}: what it prints and its exit codes. */
class CertsCommandTest {

  @TempDir
  Path tmp;

  /** One run's exit code and what it printed. */
  private record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  /** Node {@code id}'s store in {@code dir}, opened with the password on the first line of the password file. */
  private static KeyStore nodeStore(Path dir, int id) throws Exception {
    char[] password = Files.readAllLines(dir.resolve("password")).get(0).strip().toCharArray();
    try (InputStream in = Files.newInputStream(dir.resolve("node" + id + ".p12"))) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      return store;
    }
  }

  private static Run certs(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = CertsCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path clusterFile(String members) throws Exception {
    Path file = tmp.resolve("cluster.conf");
    Files.writeString(file, "synod.cluster.members = [\n" + members + "\n]\n");
    return file;
  }

  private static void assertOneLineError(Run run, int code, String... mustSay) {
    assertEquals(code, run.code(), run.err());
    assertEquals(1, run.errLines().size(), run.err());
    for (String s : mustSay) {
      assertTrue(run.err().contains(s), "'" + run.err().strip() + "' should say '" + s + "'");
    }
  }

  @Test
  void theRepositorysClusterFileGetsAStorePerMember() throws Exception {
    Path dir = tmp.resolve("tls");
    Run run = certs("--dir", dir.toString(), Path.of("..", "conf", "cluster.conf").toString());
    assertEquals(0, run.code(), run.err());
    assertEquals("", run.err());
    for (int id = 1; id <= 3; id++) {
      assertTrue(run.out().contains("created  " + dir.resolve("node" + id + ".p12")), run.out());
      KeyStore store = nodeStore(dir, id);
      assertEquals(List.of("synod:node:" + id), sans(chain(store)[0], SAN_URI));
    }
    assertTrue(run.out().contains("created  " + dir.resolve("ca.p12")), run.out());
    assertTrue(run.out().contains("password is in " + dir.resolve("password")), run.out());
  }

  @Test
  void aSecondRunSaysWhatItKeptAndRenewSaysWhatItRenewed() throws Exception {
    Path dir = tmp.resolve("tls");
    Path cluster = clusterFile("{ id = 1, host = \"127.0.0.1\", port = 25521 }");
    assertEquals(0, certs("--dir", dir.toString(), cluster.toString()).code());
    clusterFile("{ id = 1, host = \"127.0.0.1\", port = 25521 }\n{ id = 2, host = \"localhost\", port = 25522 }");

    Run again = certs("--dir", dir.toString(), "--days", "90", cluster.toString());
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("kept     " + dir.resolve("ca.p12")), again.out());
    assertTrue(again.out().contains("kept     " + dir.resolve("node1.p12")), again.out());
    assertTrue(again.out().contains("created  " + dir.resolve("node2.p12")), again.out());
    assertFalse(again.out().contains("created  " + dir.resolve("ca.p12")), again.out());

    Run renew = certs("--renew", "--dir", dir.toString(), cluster.toString());
    assertEquals(0, renew.code(), renew.err());
    assertTrue(renew.out().contains("renewed  " + dir.resolve("node1.p12")), renew.out());
    assertTrue(renew.out().contains("renewed  " + dir.resolve("node2.p12")), renew.out());
    assertTrue(renew.out().contains("kept     " + dir.resolve("ca.p12")), renew.out());
  }

  @Test
  void aMissingClusterFileIsOneLineAndExitCode2() {
    Path missing = tmp.resolve("nope.conf");
    assertOneLineError(certs("--dir", tmp.resolve("tls").toString(), missing.toString()), 2, missing.toString(),
        "does not exist");
    assertFalse(Files.exists(tmp.resolve("tls")));
  }

  @Test
  void aClusterFileWithoutMembersIsOneLineAndExitCode2() throws Exception {
    Path empty = clusterFile("");
    assertOneLineError(certs("--dir", tmp.resolve("tls").toString(), empty.toString()), 2, empty.toString(),
        "synod.cluster.members", "no members");
    Files.writeString(empty, "synod.cluster.groups = []\n");
    assertOneLineError(certs("--dir", tmp.resolve("tls").toString(), empty.toString()), 2,
        "synod.cluster.members: missing");
    Files.writeString(empty, "synod.cluster.members = [ { id = 1, port = 25521 } ]\n");
    assertOneLineError(certs("--dir", tmp.resolve("tls").toString(), empty.toString()), 2,
        "synod.cluster.members[0].host: missing");
    Files.writeString(empty, "synod.cluster.members = [ { id = 1, host = \n");
    assertOneLineError(certs("--dir", tmp.resolve("tls").toString(), empty.toString()), 2, empty.toString());
  }

  @Test
  void aDirectoryThatCannotBeMadeIsOneLineAndExitCode2() throws Exception {
    Path cluster = clusterFile("{ id = 1, host = \"127.0.0.1\", port = 25521 }");
    Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
    Path dir = file.resolve("tls");
    assertOneLineError(certs("--dir", dir.toString(), cluster.toString()), 2, dir.toString());
  }

  @Test
  void badDaysAreExitCode2AndAWrongCommandLine64() throws Exception {
    Path cluster = clusterFile("{ id = 1, host = \"127.0.0.1\", port = 25521 }");
    assertOneLineError(certs("--days", "0", cluster.toString()), 2, "--days", "got 0");
    assertOneLineError(certs("--days", "soon", cluster.toString()), 2, "got soon");
    assertOneLineError(certs("--force", cluster.toString()), 64, "unknown option --force", "usage:");
    assertOneLineError(certs("--dir"), 64, "--dir needs a value");
    assertOneLineError(certs(), 64, "no cluster file");
    assertOneLineError(certs(cluster.toString(), cluster.toString()), 64, "one cluster file only");
  }
}
