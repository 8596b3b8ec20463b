package bag

import (
	"archive/zip"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// deflated lists the extensions of text files WriteZip compresses. Anything
// else is stored: evidence is mostly video, images, audio, PDF and office
// files, which are compressed already, and storing keeps a ZIP entry
// readable at the offset of the original bytes.
var deflated = map[string]bool{
	".txt": true, ".json": true, ".csv": true, ".tsv": true, ".xml": true,
	".md": true, ".html": true, ".htm": true, ".pem": true, ".log": true,
	".svg": true, ".yaml": true, ".yml": true,
}

// A ZIP entry records its time in MS-DOS fields, which hold the years
// 1980 to 2107 only; every date a package carries must lie between them.
const (
	MinYear = 1980
	MaxYear = 2107
)

// CheckDate says, in words, why a package cannot carry date; nil when it
// can.
func CheckDate(date time.Time) error {
	if y := date.UTC().Year(); y < MinYear || y > MaxYear {
		return fmt.Errorf("%s is outside %d–%d, the years a ZIP can record", date.UTC().Format("2006-01-02"), MinYear, MaxYear)
	}
	return nil
}

// IsDeflated reports whether WriteZip compresses a file of this name.
func IsDeflated(name string) bool { return deflated[strings.ToLower(path.Ext(name))] }

// WriteZip writes every directory and regular file of fsys into a ZIP under
// one top folder named top. The output depends only on the files' names and
// bytes and on date: entries (directories included, with a trailing slash)
// are sorted by name bytes, every entry has Modified = date in UTC and mode
// 0644 (files) or 0755 (directories), text is deflated and everything else
// stored, and ZIP64 records appear only where a size needs them. Symbolic
// links and other special files are an error, not followed.
func WriteZip(w io.Writer, fsys fs.FS, top string, date time.Time) error {
	if err := CheckName(top); err != nil {
		return err
	}
	type item struct {
		name string // entry name
		src  string // path in fsys, "" for the top folder
		dir  bool
	}
	items := []item{{name: top + "/", dir: true}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		switch {
		case d.IsDir():
			items = append(items, item{name: top + "/" + p + "/", src: p, dir: true})
		case d.Type().IsRegular():
			items = append(items, item{name: top + "/" + p, src: p})
		default:
			return fmt.Errorf("%s: not a regular file or folder (%v)", p, d.Type())
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.name, b.name) })

	date = date.UTC().Truncate(time.Second)
	zw := zip.NewWriter(w)
	buf := make([]byte, 1<<20)
	for _, it := range items {
		h := &zip.FileHeader{Name: it.name, Modified: date, Method: zip.Store}
		if it.dir {
			h.SetMode(fs.ModeDir | 0o755)
			if _, err := zw.CreateHeader(h); err != nil {
				return fmt.Errorf("%s: %w", it.name, err)
			}
			continue
		}
		h.SetMode(0o644)
		if IsDeflated(it.name) {
			h.Method = zip.Deflate
		}
		if err := copyEntry(zw, h, fsys, it.src, buf); err != nil {
			return fmt.Errorf("%s: %w", it.src, err)
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return nil
}

func copyEntry(zw *zip.Writer, h *zip.FileHeader, fsys fs.FS, name string, buf []byte) error {
	if h.Method == zip.Store {
		return copyStored(zw, h, fsys, name, buf)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	ew, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(ew, struct{ io.Reader }{f}, buf)
	return err
}

// copyStored writes a stored entry with its CRC-32 and size in the local
// header, read in a first pass over the file. zip.Writer.CreateHeader would
// put them in a data descriptor after the data instead (flag bit 3), which
// Java's ZipInputStream, and so the archival systems and e-court platforms
// that stream ZIPs with it, refuses on a stored entry ("only DEFLATED entries
// can have EXT descriptor"). The second pass checks the file did not change
// in between.
func copyStored(zw *zip.Writer, h *zip.FileHeader, fsys fs.FS, name string, buf []byte) error {
	crc, size, err := crcOf(fsys, name, buf)
	if err != nil {
		return err
	}
	ew, err := CreateStored(zw, h, crc, size)
	if err != nil {
		return err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	c := crc32.NewIEEE()
	n, err := io.CopyBuffer(io.MultiWriter(ew, c), io.LimitReader(f, size+1), buf)
	if err != nil {
		return err
	}
	if n != size || c.Sum32() != crc {
		return fmt.Errorf("changed while it was being written to the ZIP")
	}
	return nil
}

// CreateStored adds a stored entry whose CRC-32 and size are known, so they
// go in the local header and no data descriptor follows the data (see
// copyStored); the caller writes exactly size bytes. h.Modified is recorded
// as zip.Writer.CreateHeader records it: MS-DOS date and time plus the
// extended-timestamp field.
func CreateStored(zw *zip.Writer, h *zip.FileHeader, crc uint32, size int64) (io.Writer, error) {
	h.Method = zip.Store
	h.Flags &^= 0x8
	h.CRC32, h.CompressedSize64, h.UncompressedSize64 = crc, uint64(size), uint64(size)
	if !h.Modified.IsZero() {
		t := h.Modified
		h.ModifiedDate = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
		h.ModifiedTime = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
		var ext [9]byte // extended timestamp (0x5455): flags 1 = mtime, Unix seconds
		binary.LittleEndian.PutUint16(ext[0:], 0x5455)
		binary.LittleEndian.PutUint16(ext[2:], 5)
		ext[4] = 1
		binary.LittleEndian.PutUint32(ext[5:], uint32(t.Unix()))
		h.Extra = append(h.Extra, ext[:]...)
	}
	return zw.CreateRaw(h)
}

func crcOf(fsys fs.FS, name string, buf []byte) (uint32, int64, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	c := crc32.NewIEEE()
	n, err := io.CopyBuffer(c, struct{ io.Reader }{f}, buf)
	return c.Sum32(), n, err
}
