package io.synod.samples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link ProcFiles} reads CPU ticks and context switches from /proc's texts. */
class ProcFilesTest {

  @Test
  void cpuTicksAreUtimePlusStimeCountedAfterTheCommandName() {
    // A command name with a space and a parenthesis, as a Java thread's may have.
    String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194304 97 0 0 0 1234 567 0 0 20 0 40 0 3282908 3133440 407";
    assertEquals(1234 + 567, ProcFiles.cpuTicksOf(stat));
  }

  @Test
  void aStatLineWithoutItsFieldsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ProcFiles.cpuTicksOf("4242 (java) S 1 2"));
    assertThrows(IllegalArgumentException.class, () -> ProcFiles.cpuTicksOf("no parenthesis"));
  }

  @Test
  void contextSwitchesAreVoluntaryPlusInvoluntary() {
    String status = "Name:\tjava\nThreads:\t40\nvoluntary_ctxt_switches:\t150\nnonvoluntary_ctxt_switches:\t7\n";
    assertEquals(157, ProcFiles.contextSwitchesOf(status));
    assertThrows(IllegalArgumentException.class, () -> ProcFiles.contextSwitchesOf("Name:\tjava\n"));
  }

  @Test
  void thisProcessCanBeReadOnLinux() {
    long pid = ProcessHandle.current().pid();
    if (ProcFiles.cpuTicks(pid) < 0) {
      return; // not Linux: nothing to read
    }
    assertTrue(ProcFiles.contextSwitches(pid) > 0, "a running JVM has switched context");
    assertEquals(-1, ProcFiles.contextSwitches(Long.MAX_VALUE), "no such process");
  }
}
