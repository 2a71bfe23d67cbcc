// StiltsCells prints the cells of a VOTable as STILTS's own streaming
// VOTable reader decodes them, one row a line, cells separated by ';'
// (boolean arrays as [true, false]). The oracle tests run it with
// java -cp starlink-ttools.jar StiltsCells.java FILE: STILTS 3.4.7's
// stored readers (tpipe, tcopy) fail on a scalar bit in BINARY and BINARY2
// ("class [Z cannot be cast to class java.lang.Boolean"), its streaming
// reader does not.
import uk.ac.starlink.table.*;
import uk.ac.starlink.votable.*;
public class StiltsCells {
  public static void main(String[] a) throws Exception {
    TableSink sink = new TableSink() {
      public void acceptMetadata(StarTable meta) {}
      public void acceptRow(Object[] row) {
        StringBuilder sb = new StringBuilder();
        for (Object o : row) {
          if (o instanceof boolean[]) sb.append(java.util.Arrays.toString((boolean[]) o)); else sb.append(o);
          sb.append(';');
        }
        System.out.println(sb);
      }
      public void endRows() {}
    };
    new VOTableBuilder().streamStarTable(new java.io.FileInputStream(a[0]), sink, null);
  }
}
