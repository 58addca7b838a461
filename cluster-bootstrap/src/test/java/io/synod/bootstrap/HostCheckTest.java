package io.synod.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which names a node answers HTTP requests for, and when it listens beyond this machine. */
class HostCheckTest {

  private static HostCheck of(String host, String... allowed) {
    return HostCheck.of(new NodeConfig.Http(host, 8081, 1024, "", List.of(allowed)));
  }

  @Test
  void aLoopbackNodeAnswersItsLoopbackNamesAndTheAllowedOnes() {
    HostCheck loopback = of("127.0.0.1", "Node1.Example", "[FE80::1]");
    assertTrue(loopback.loopback());
    assertEquals(Set.of("127.0.0.1", "localhost", "::1", "node1.example", "fe80::1"), loopback.names());
    assertTrue(of("localhost").loopback());
    assertEquals(Set.of("127.0.0.1", "localhost", "::1"), of("[::1]").names());
  }

  @Test
  void aNodeBeyondLoopbackAnswersItsHostAndTheAllowedOnesOnly() {
    HostCheck wildcard = of("0.0.0.0", "node1.example");
    assertFalse(wildcard.loopback(), "0.0.0.0 listens on every interface");
    assertEquals(Set.of("node1.example"), wildcard.names(), "not 0.0.0.0, which some browsers send to reach local services");
    HostCheck address = of("10.1.2.3");
    assertFalse(address.loopback());
    assertEquals(Set.of("10.1.2.3"), address.names());
  }
}
