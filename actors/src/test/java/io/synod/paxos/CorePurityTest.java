package io.synod.paxos;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core ({@code io.synod.paxos}, main code only) stays pure, as README's "Status" promises: no Pekko,
 * no Chronicle, no I/O, no threads or concurrency, no clocks, no {@code java.util.Random}. Time
 * arrives as ticks and randomness as an injected {@code RandomGenerator}; anything else would make
 * the deterministic simulation lie.
 *
 * <p>The ArchUnit rules read bytecode, which is what matters at run time. Because javac drops an
 * unused import from the class file, one more test reads the sources' import lines, so that a
 * forbidden import cannot creep in even before it is used.
 */
class CorePurityTest {

  private static final String CORE_PACKAGE = "io.synod.paxos";

  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(new ImportOption.DoNotIncludeTests())
      .importPackages(CORE_PACKAGE);

  @Test
  void ruleSeesTheCoreClasses() {
    // Guards against the rules below passing because nothing was imported.
    for (Class<?> role : List.of(Acceptor.class, Proposer.class, Learner.class, Value.class, Checkpoint.class)) {
      assertTrue(CORE.contain(role), "ArchUnit did not import " + role.getName() + " from main code");
    }
    assertTrue(CORE.stream().noneMatch(c -> c.getSimpleName().endsWith("Test")),
        "test classes were imported despite DoNotIncludeTests");
  }

  @Test
  void coreDoesNotDependOnPekkoOrChronicle() {
    noClasses().that().resideInAPackage(CORE_PACKAGE + "..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..", "net.openhft..")
        .because("the core runs unchanged inside the actor shells and the simulator")
        .check(CORE);
  }

  @Test
  void coreDoesNoIo() {
    noClasses().that().resideInAPackage(CORE_PACKAGE + "..")
        .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio..")
        .because("roles return what to persist and send; their shells do the I/O")
        .check(CORE);
  }

  @Test
  void coreUsesNoThreadsOrConcurrency() {
    noClasses().that().resideInAPackage(CORE_PACKAGE + "..")
        .should().dependOnClassesThat().resideInAnyPackage("java.util.concurrent..")
        .orShould().dependOnClassesThat(describe("are java.lang.Thread or nested in it",
            (JavaClass c) -> c.isEquivalentTo(Thread.class) || c.isAssignableTo(Thread.class)
                || c.getName().startsWith(Thread.class.getName() + "$")))
        .because("a role handles one input at a time on its shell's thread")
        .check(CORE);
  }

  @Test
  void coreReadsNoClockAndNoRandomSource() {
    noClasses().that().resideInAPackage(CORE_PACKAGE + "..")
        .should().dependOnClassesThat().resideInAnyPackage("java.time..")
        .orShould().dependOnClassesThat().areAssignableTo(Random.class)
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .because("time arrives as ticks and randomness as an injected RandomGenerator")
        .check(CORE);
  }

  private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+(?:\\.\\*)?)\\s*;");
  private static final List<String> FORBIDDEN_PREFIXES =
      List.of("org.apache.pekko.", "net.openhft.", "java.io.", "java.nio.", "java.util.concurrent.", "java.time.");
  private static final List<String> FORBIDDEN_TYPES = List.of("java.lang.Thread", "java.util.Random");

  @Test
  void coreSourcesImportNothingForbidden() throws IOException {
    Path dir = Path.of(System.getProperty("basedir", "."), "src", "main", "java", "io", "synod", "paxos");
    assertTrue(Files.isDirectory(dir), "core sources not found at " + dir.toAbsolutePath());
    List<String> violations = new ArrayList<>();
    int files = 0;
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        files++;
        List<String> lines = Files.readAllLines(p);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = IMPORT.matcher(lines.get(i));
          if (m.find() && isForbidden(m.group(1))) {
            violations.add(dir.relativize(p) + ":" + (i + 1) + " imports " + m.group(1));
          }
        }
      }
    }
    assertTrue(files >= 10, "expected the core's sources in " + dir + ", found " + files + " files");
    assertEquals(List.of(), violations, "the pure core imports what it must not");
  }

  private static boolean isForbidden(String name) {
    for (String prefix : FORBIDDEN_PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    for (String type : FORBIDDEN_TYPES) {
      if (name.equals(type) || name.startsWith(type + ".")) {
        return true;
      }
    }
    return false;
  }
}
