package io.synod.samples;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.synod.Synod;
import io.synod.bootstrap.NodeConfig;
import io.synod.bootstrap.tls.ClusterCertificates;
import io.synod.paxos.Acceptor;
import io.synod.persistence.ChronicleJournal;
import io.synod.samples.counter.CounterMachine;
import io.synod.samples.embedded.EmbeddedCounter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No package cycle in the main code of every module: the actors' {@code PackageCyclesTest} (which
 * also proves the rule can fail) sees only the actors and persistence; this module's tests see the
 * cluster bootstrap and the samples too. Every Synod package is its own slice.
 */
class PackageCyclesTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(new ImportOption.DoNotIncludeTests())
      .importPackages("io.synod");

  @Test
  void everyModulesPackagesAreFreeOfCycles() {
    for (Class<?> c : List.of(Synod.class, Acceptor.class, ChronicleJournal.class, NodeConfig.class,
        ClusterCertificates.class, CounterMachine.class, EmbeddedCounter.class)) {
      assertTrue(MAIN.contain(c), "ArchUnit did not import " + c.getName() + " from main code");
    }
    slices().assignedFrom(new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass c) {
        String p = c.getPackageName();
        return p.equals("io.synod") || p.startsWith("io.synod.") ? SliceIdentifier.of(p) : SliceIdentifier.ignore();
      }

      @Override
      public String getDescription() {
        return "Synod's packages, each on its own";
      }
    }).should().beFreeOfCycles().check(MAIN);
  }
}
