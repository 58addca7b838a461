package io.synod;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.synod.actors.GroupClient;
import io.synod.actors.internal.GroupCoordinator;
import io.synod.packagecycle.ping.Ping;
import io.synod.paxos.Acceptor;
import io.synod.persistence.ChronicleJournal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Synod's packages depend on each other one way (main code of every module on this classpath: the
 * root entry points, the actors' public and internal packages, the core, persistence). No package
 * cycle: the public {@code io.synod.actors} never names {@code io.synod.actors.internal}, which
 * uses it; only the root package {@code io.synod} ({@link Synod}, the TLS hook) names both. And
 * the layering beside {@code CorePurityTest}: the core depends on no other Synod package. The
 * cycle rule proves it can fail on a deliberate cycle in test code.
 */
class PackageCyclesTest {

  /** Every Synod package is its own slice: a cycle between any two, at any depth, is one. */
  private static final SliceAssignment SYNOD_PACKAGES = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      String p = c.getPackageName();
      return p.equals("io.synod") || p.startsWith("io.synod.") ? SliceIdentifier.of(p) : SliceIdentifier.ignore();
    }

    @Override
    public String getDescription() {
      return "Synod's packages, each on its own";
    }
  };

  private static final ArchRule NO_CYCLES = slices().assignedFrom(SYNOD_PACKAGES).should().beFreeOfCycles()
      .because("a package that depends on one that depends back on it cannot be read, tested or moved alone");

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(new ImportOption.DoNotIncludeTests())
      .importPackages("io.synod");

  @Test
  void ruleSeesEveryPackageOfTheMainCode() {
    // Guards against the rules passing because nothing, or only a part, was imported.
    for (Class<?> c : List.of(Synod.class, GroupClient.class, GroupCoordinator.class, Acceptor.class,
        ChronicleJournal.class)) {
      assertTrue(MAIN.contain(c), "ArchUnit did not import " + c.getName() + " from main code");
    }
    assertTrue(MAIN.stream().noneMatch(c -> c.getPackageName().startsWith("io.synod.packagecycle")),
        "the test fixture's cycle was imported despite DoNotIncludeTests");
  }

  @Test
  void synodsPackagesHaveNoCycle() {
    NO_CYCLES.check(MAIN);
  }

  @Test
  void thePublicPackageNeverNamesTheInternalOne() {
    noClasses().that().resideInAPackage("io.synod.actors")
        .should().dependOnClassesThat().resideInAPackage("io.synod.actors.internal..")
        .because("the implementation uses the API, not the reverse; io.synod.Synod builds the implementation")
        .check(MAIN);
  }

  @Test
  void theCoreDependsOnNoOtherSynodPackage() {
    noClasses().that().resideInAPackage("io.synod.paxos..")
        .should().dependOnClassesThat().resideInAnyPackage("io.synod", "io.synod.actors..", "io.synod.persistence..")
        .because("the core runs unchanged inside the actor shells and the simulator")
        .check(MAIN);
  }

  @Test
  void theCycleRuleCatchesADeliberateCycle() {
    JavaClasses fixture = new ClassFileImporter().importPackages(Ping.class.getPackageName(),
        "io.synod.packagecycle.pong");
    AssertionError e = assertThrows(AssertionError.class, () -> NO_CYCLES.check(fixture));
    assertTrue(e.getMessage().contains("io.synod.packagecycle.ping")
        && e.getMessage().contains("io.synod.packagecycle.pong"), e.getMessage());
  }
}
