package io.synod.samples.linearizability;

import io.synod.samples.linearizability.Linearizability.Operation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void find() throws Exception {
    java.lang.reflect.Method m = LinearizabilityTest.class.getDeclaredMethod("clientsHistory", int.class, long.class);
    m.setAccessible(true);
    java.lang.reflect.Method pre = Linearizability.class.getDeclaredMethod("prefix", List.class, long.class);
    pre.setAccessible(true);
    Linearizability<Long> c = new Linearizability<>(Models.COUNTER, 3_000_000);
    @SuppressWarnings("unchecked")
    List<Operation> h = new ArrayList<>((List<Operation>) m.invoke(null, 30_000, 7L));
    List<Operation> wrong = new ArrayList<>(h.subList(0, 5000));
    for (long end = 1000; end < 40000; end += 1000) {
      @SuppressWarnings("unchecked")
      List<Operation> p = (List<Operation>) pre.invoke(null, wrong, end);
      long t0 = System.nanoTime();
      String r;
      try {
        r = "" + c.check(p).linearizable();
      } catch (RuntimeException e) {
        r = e.getMessage();
      }
      System.out.println("SCRATCH end=" + end + " ops=" + p.size() + " unknown=" + p.stream().filter(Operation::unknown).count() + " -> " + r + " in " + (System.nanoTime() - t0) / 1000000 + " ms");
    }
  }
}
