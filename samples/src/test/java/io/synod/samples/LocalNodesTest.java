package io.synod.samples;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test of three standalone nodes in this JVM ({@link LocalNodes}), fresh for every test method. */
public abstract class LocalNodesTest {

  @TempDir
  protected Path dir;

  protected LocalNodes nodes;

  @BeforeEach
  void startNodes() throws Exception {
    nodes = LocalNodes.start(dir);
  }

  @AfterEach
  void stopNodes() {
    nodes.close();
  }
}
