import java.io.FileInputStream;
import java.io.InputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

// Reads a ZIP front to back the way Java archival systems and e-court
// platforms stream uploads, and prints each entry's name and size. Exits
// non-zero on the first entry ZipInputStream refuses.
public class ZipStreamRead {
    public static void main(String[] args) throws Exception {
        try (InputStream in = new FileInputStream(args[0]);
             ZipInputStream zin = new ZipInputStream(in)) {
            byte[] buf = new byte[1 << 16];
            ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                long n = 0;
                for (int r; (r = zin.read(buf)) > 0; ) {
                    n += r;
                }
                System.out.println(e.getName() + " " + n);
            }
        }
    }
}
