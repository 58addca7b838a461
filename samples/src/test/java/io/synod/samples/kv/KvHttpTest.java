package io.synod.samples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synod.samples.LocalNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key-value store's HTTP API on three standalone nodes, keys spread over four groups. */
class KvHttpTest {

  @TempDir
  Path dir;

  @Test
  void putGetDeleteAndCompareAndSetAcrossNodesAndGroups() throws Exception {
    try (LocalNodes nodes = LocalNodes.start(dir)) {
      for (int i = 0; i < 8; i++) { // eight keys land in several of the four groups
        assertEquals(200, nodes.send(i % 3, "PUT", "/kv/key-" + i, "value-" + i).statusCode());
      }
      for (int i = 0; i < 8; i++) {
        HttpResponse<String> r = nodes.send((i + 1) % 3, "GET", "/kv/key-" + i);
        assertEquals(200, r.statusCode());
        assertEquals("value-" + i, r.body(), "another node reads key-" + i);
      }
      assertEquals(404, nodes.send(0, "GET", "/kv/absent").statusCode());

      HttpResponse<String> lost = nodes.send(1, "POST", "/kv/key-1/cas?expected=wrong", "new");
      assertEquals(409, lost.statusCode());
      assertTrue(lost.body().contains("value-1"), lost.body());
      assertEquals(200, nodes.send(2, "POST", "/kv/key-1/cas?expected=value-1", "new").statusCode());
      assertEquals("new", nodes.send(0, "GET", "/kv/key-1").body());

      assertEquals(200, nodes.send(0, "DELETE", "/kv/key-2").statusCode());
      assertEquals(404, nodes.send(1, "GET", "/kv/key-2").statusCode());
      assertEquals(404, nodes.send(2, "DELETE", "/kv/key-2").statusCode());
      assertEquals(400, nodes.send(0, "GET", "/kv/" + "k".repeat(2000)).statusCode());
      assertEquals(400, nodes.send(0, "POST", "/kv/key-3/cas", "no expected value").statusCode());
    }
  }
}
