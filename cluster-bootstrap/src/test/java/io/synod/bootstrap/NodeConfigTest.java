package io.synod.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a node's configuration can be wrong fails at start, naming the key's full path. */
class NodeConfigTest {

  @TempDir
  Path dir;

  /** A valid three-node cluster file for node 1, with {@code extra} laid over it. */
  private String valid(String extra) {
    return String.join("\n",
        "synod.cluster.members = [",
        "  { id = 1, host = \"127.0.0.1\", port = 25521 }",
        "  { id = 2, host = \"127.0.0.1\", port = 25522 }",
        "  { id = 3, host = \"127.0.0.1\", port = 25523 }",
        "]",
        "synod.cluster.groups = [ { id = \"counter\", type = \"" + CounterType.class.getName() + "\" } ]",
        "synod.node.id = 1",
        "synod.node.data-dir = \"" + dir.resolve("node1") + "\"",
        "synod.cluster.insecure = on", // TLS has its own tests (NodeTlsConfigTest)
        extra);
  }

  private NodeConfig load(String hocon) {
    return NodeConfig.from(ConfigFactory.parseString(hocon));
  }

  private void assertRejected(String hocon, String... mustSay) {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> load(hocon));
    for (String s : mustSay) {
      assertTrue(e.getMessage().contains(s), "'" + e.getMessage() + "' should say '" + s + "'");
    }
  }

  @Test
  void aValidFileGivesTheNodeItsAddressDataDirAndGroups() {
    NodeConfig c = load(valid(""));
    assertEquals(1, c.self());
    assertEquals(25521, c.member().port());
    assertEquals(dir.resolve("node1").toAbsolutePath(), c.dataDir());
    assertEquals(List.of(1, 2, 3), c.groups().get(0).members());
    assertEquals(3, c.addresses().size());
    assertEquals(25521, c.config().getInt("pekko.remote.artery.canonical.port"));
    assertEquals(dir.resolve("node1").resolve("journal").toAbsolutePath().toString(),
        c.config().getString("synod.persistence.journal.dir"));
    assertEquals(32, c.settings().window(), "group settings come from synod.group, defaults included");
    assertEquals(1, c.config().getInt("synod.node.id"));
    assertEquals("127.0.0.1:25522", c.config().getString("synod.node.members.2"),
        "Synod on the actor system finds every member's address where it looks for it");
  }

  @Test
  void unknownKeysAreRejectedByFullPath() {
    assertRejected(valid("synod.node.dta-dir = x"), "synod.node.dta-dir", "unknown key");
    assertRejected(valid("synod.group.windw = 3"), "synod.group.windw", "unknown key");
    assertRejected(valid("synod.clustr.members = []"), "synod.clustr", "unknown key");
    assertRejected(valid("synod.cluster.members = [ { id = 1, host = \"h\", port = 1, weight = 2 } ]"),
        "synod.cluster.members[0].weight", "unknown key");
    assertRejected(valid("synod.persistence.journal.dir = \"/tmp/x\""), "synod.persistence.journal.dir",
        "synod.node.data-dir");
    assertRejected(valid("synod.node.members { 1 = \"127.0.0.1:25521\" }"), "synod.node.members.1",
        "synod.cluster.members");
  }

  @Test
  void missingKeysAreNamed() {
    assertRejected(valid("").replace("synod.node.id = 1", ""), "synod.node.id", "missing");
    assertRejected(valid("synod.cluster.members = [ { id = 1, port = 25521 } ]"), "synod.cluster.members[0].host",
        "missing");
    assertRejected(valid("synod.cluster.members = []"), "synod.cluster.members", "no members");
  }

  @Test
  void groupTypesNameTheKindsOfGroupThatMayBeCreatedAtRuntime() {
    NodeConfig none = load(valid("synod.cluster.groups = []"));
    assertEquals(List.of(), none.groups(), "a cluster may begin with no group and create them at runtime");
    assertEquals(java.util.Map.of(), none.groupTypes());
    NodeConfig typed = load(valid("synod.cluster.group-types { counter = \"" + CounterType.class.getName()
        + "\", \"two.words\" = \"" + CounterType.class.getName() + "\" }"));
    assertEquals(java.util.Set.of("counter", "two.words"), typed.groupTypes().keySet());
    assertTrue(typed.groupTypes().get("counter") instanceof CounterType);
    assertRejected(valid("synod.cluster.group-types { counter = \"no.such.Type\" }"),
        "synod.cluster.group-types.counter", "no such class");
    assertRejected(valid("synod.cluster.group-types { counter = \"java.lang.String\" }"),
        "synod.cluster.group-types.counter", "does not implement");
    assertRejected(valid("synod.cluster.group-types { \"bad name\" = \"" + CounterType.class.getName() + "\" }"),
        "synod.cluster.group-types.\"bad name\"", "a group type is named by");
    assertRejected(valid("synod.cluster.group-types { counter { class = x } }"), "synod.cluster.group-types.counter",
        "must name a class");
    assertRejected(valid("synod.cluster.groups = [ { id = \"synod-catalog\", type = \"" + CounterType.class.getName()
        + "\" } ]"), "synod.cluster.groups[0].id", "Synod's own group");
  }

  @Test
  void theCatalogsSettingsAreCheckedAtStart() {
    assertEquals(java.time.Duration.ofMillis(200), io.synod.actors.CatalogSettings.fromConfig(
        load(valid("synod.catalog.reconcile-interval = 200 ms")).config()).reconcileInterval());
    assertRejected(valid("synod.catalog.members = [1, 9]"), "synod.catalog.members", "node 9");
    assertRejected(valid("synod.catalog.reconcile-interval = 0 s"), "synod.catalog.reconcile-interval", "positive");
    assertRejected(valid("synod.catalog.colour = blue"), "synod.catalog.colour", "unknown key");
  }

  @Test
  void outOfRangeAndMistypedValuesAreNamed() {
    assertRejected(valid("synod.cluster.members = [ { id = 1, host = \"h\", port = 70000 } ]"),
        "synod.cluster.members[0].port", "1..65535", "70000");
    assertRejected(valid("synod.cluster.members = [ { id = one, host = \"h\", port = 1 } ]"),
        "synod.cluster.members[0].id", "number");
    assertRejected(valid("synod.group.window = 0"), "synod.group.window");
    assertRejected(valid("synod.group.lease = forever"), "synod.group.lease");
  }

  @Test
  void duplicateMembersAndAStrangerNodeIdAreRejected() {
    assertRejected(valid("synod.cluster.members = [ { id = 1, host = \"a\", port = 1 }, { id = 1, host = \"b\", port = 2 } ]"),
        "synod.cluster.members[1].id = 1", "synod.cluster.members[0]");
    assertRejected(valid("synod.cluster.members = [ { id = 1, host = \"a\", port = 7 }, { id = 2, host = \"a\", port = 7 } ]"),
        "synod.cluster.members[1]", "a:7");
    assertRejected(valid("synod.node.id = 4"), "synod.node.id = 4", "[1, 2, 3]");
  }

  @Test
  void badGroupsAreRejected() {
    assertRejected(valid("synod.cluster.groups = [ { id = \"g\", type = \"no.such.Type\" } ]"),
        "synod.cluster.groups[0].type", "no such class");
    assertRejected(valid("synod.cluster.groups = [ { id = \"g\", type = \"java.lang.String\" } ]"),
        "synod.cluster.groups[0].type", "does not implement");
    assertRejected(valid("synod.cluster.groups = [ { id = \"g\", type = \"" + CounterType.class.getName()
        + "\", members = [1, 9] } ]"), "synod.cluster.groups[0].members");
    assertRejected(valid("synod.cluster.groups = [ { id = \"g\", type = \"" + CounterType.class.getName() + "\" }, "
        + "{ id = \"g\", type = \"" + CounterType.class.getName() + "\" } ]"), "synod.cluster.groups[1].id");
  }

  @Test
  void learnersAndJoinedGroupsAreReadAndChecked() {
    String type = CounterType.class.getName();
    NodeConfig learner = load(valid("synod.cluster.groups = [ { id = \"g\", type = \"" + type
        + "\", members = [2, 3], learners = [1] } ]"));
    assertEquals(List.of(1), learner.groups().get(0).learners());
    assertTrue(learner.groups().get(0).runsOn(1));
    NodeConfig joiner = load(valid("synod.cluster.groups = [ { id = \"g\", type = \"" + type
        + "\", members = [2, 3] } ]\nsynod.node.join = [\"g\"]"));
    assertTrue(joiner.groups().get(0).joins() && joiner.groups().get(0).runsOn(1));
    NodeConfig outside = load(valid("synod.cluster.groups = [ { id = \"g\", type = \"" + type
        + "\", members = [2, 3] } ]"));
    assertEquals(false, outside.groups().get(0).runsOn(1), "a node in no list and not joining does not run it");
    assertRejected(valid("synod.cluster.groups = [ { id = \"g\", type = \"" + type
        + "\", members = [2, 3], learners = [3] } ]"), "synod.cluster.groups[0].learners", "none of them in members");
    assertRejected(valid("synod.cluster.groups = [ { id = \"g\", type = \"" + type
        + "\", members = [2, 3], learners = [9] } ]"), "synod.cluster.groups[0].learners");
    assertRejected(valid("synod.node.join = [\"nope\"]"), "synod.node.join", "no group 'nope'");
    assertRejected(valid("synod.node.join = [\"counter\"]"), "synod.node.join", "node 1 is in group 'counter'",
        "cannot also join it");
  }

  @Test
  void aPreferredLeaderIsReadAndMustBeAMemberOfTheGroup() {
    String type = CounterType.class.getName();
    NodeConfig preferring = load(valid("synod.cluster.groups = [ { id = \"g\", type = \"" + type
        + "\", members = [1, 2, 3], preferred-leader = 2 } ]"));
    assertEquals(2, preferring.groups().get(0).preferredLeader());
    assertEquals(-1, load(valid("")).groups().get(0).preferredLeader(), "none unless configured");
    assertRejected(valid("synod.cluster.groups = [ { id = \"g\", type = \"" + type
        + "\", members = [2, 3], preferred-leader = 1 } ]"), "synod.cluster.groups[0].preferred-leader = 1",
        "one of the group's members [2, 3]");
    assertRejected(valid("synod.cluster.groups = [ { id = \"g\", type = \"" + type
        + "\", preferred-leader = \"two\" } ]"), "synod.cluster.groups[0].preferred-leader");
  }

  @Test
  void httpAdminTokenAndAllowedHostsAreCheckedAndTheTokenIsNeverShown() {
    NodeConfig c = load(valid("synod.node.http { admin-token = \"0123456789abcdef\", allowed-hosts = [\"a.example\","
        + " \"10.0.0.5\", \"[::1]\"] }"));
    assertEquals("0123456789abcdef", c.http().adminToken());
    assertEquals(List.of("a.example", "10.0.0.5", "[::1]"), c.http().allowedHosts());
    assertTrue(!c.http().toString().contains("0123456789abcdef") && !c.toString().contains("0123456789abcdef"),
        c.http().toString());
    assertEquals("", load(valid("")).http().adminToken(), "empty by default: the token file");
    assertRejected(valid("synod.node.http.admin-token = \"short-secret\""), "synod.node.http.admin-token",
        "at least 16 characters", "got 12");
    assertRejected(valid("synod.node.http.admin-token = \"0123456789 abcdef\""), "synod.node.http.admin-token",
        "printable ASCII");
    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> load(valid("synod.node.http.admin-token = \"short-secret\"")));
    assertTrue(!e.getMessage().contains("short-secret"), "the token is never shown: " + e.getMessage());
    assertRejected(valid("synod.node.http.allowed-hosts = [\"a.example:8081\"]"), "synod.node.http.allowed-hosts[0]",
        "without a port");
    assertRejected(valid("synod.node.http.allowed-hosts = [\" \"]"), "synod.node.http.allowed-hosts[0]");
    assertRejected(valid("synod.node.http.admin-tokn = x"), "synod.node.http.admin-tokn", "unknown key",
        "admin-token", "allowed-hosts");
  }

  @Test
  void anUnwritableDataDirIsRejected() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    assertRejected(valid("synod.node.data-dir = \"" + file.resolve("sub") + "\""), "synod.node.data-dir",
        "cannot create or write");
  }

  @Test
  void aMissingFileIsRejected() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> NodeConfig.load(dir.resolve("nope.conf")));
    assertTrue(e.getMessage().contains("nope.conf"), e.getMessage());
  }
}
