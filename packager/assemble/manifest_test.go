package assemble

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/evidence"
)

// TestWriteCasepackManifestItems: WriteCasepackManifest, which makes each
// item as it writes it, writes the bytes of the manifest made whole
// (bag.CasepackManifest.Marshal of every item with every file): items out
// of order, of several files out of order, without files, with custody,
// files of an ID no item has, withheld files and renamed ones; and it
// refuses what Marshal refuses (two items of one ID, a path that is not a
// bag path).
func TestWriteCasepackManifestItems(t *testing.T) {
	file := func(id, dst string) EvidenceFile {
		return EvidenceFile{ID: id, Src: "/case/" + dst, Dst: dst, MediaType: "image/jpeg"}
	}
	base := Spec{Date: testDate, Manifest: bag.CasepackManifest{SubmissionID: "LV-1", Edition: "confidential", Build: map[string]string{"lang": "en"}}}
	full := base
	full.Evidence = []EvidenceFile{
		file("EV-3", "data/evidence/EV-3/b.jpg"),
		file("EV-1", "data/evidence/EV-1/z.jpg"),
		file("EV-3", "data/evidence/EV-3/a.jpg"),
		file("EV-9", "data/evidence/EV-9/orphan.jpg"),
		file("EV-1", "data/evidence/EV-1/a.jpg"),
		{ID: "EV-2", Src: "/case/x", Dst: "data/evidence/EV-2/plain.jpg", OriginalName: "x y.jpg", Withhold: true},
		file("EV-0", "data/evidence/EV-0/first.jpg"),
	}
	full.Manifest.Evidence = []bag.EvidenceItem{
		{ID: "EV-3", Title: "Third"},
		{ID: "EV-2", Title: "Withheld", Custody: json.RawMessage(`[{"at":"2021-01-09","action":"captured"}]`)},
		{ID: "EV-5", Title: "No files"},
		{ID: "EV-1", Title: "First"},
	}
	dupID := full
	dupID.Manifest.Evidence = append(slices.Clone(full.Manifest.Evidence), bag.EvidenceItem{ID: "EV-1", Title: "Again"})
	badPath := full
	badPath.Evidence = append(slices.Clone(full.Evidence), file("EV-4", "data/evidence/EV-4/../x.jpg"))
	for name, spec := range map[string]Spec{"full": full, "no items": base, "two items of one ID": dupID, "a bad path": badPath} {
		result := func(i int) evidence.Result {
			r := evidence.Result{Size: int64(100 + i)}
			binary.BigEndian.PutUint32(r.Sum256[:], uint32(i))
			binary.BigEndian.PutUint32(r.Sum512[:], uint32(i))
			return r
		}
		want, wantErr := wholeManifest(spec, result)
		var got bytes.Buffer
		err := WriteCasepackManifest(&got, spec, result)
		if wantErr != nil || err != nil {
			if wantErr == nil || err == nil || err.Error() != wantErr.Error() {
				t.Errorf("%s: error %v, want %v", name, err, wantErr)
			}
			continue
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: wrote\n%s\nwant\n%s", name, got.Bytes(), want)
		}
	}
}

// wholeManifest is casepack/manifest.json for spec made whole: every item
// with every file's entry, then marshalled.
func wholeManifest(spec Spec, result func(i int) evidence.Result) ([]byte, error) {
	m := spec.Manifest
	m.Created = spec.Date.UTC().Format("2006-01-02T15:04:05Z07:00")
	m.Evidence = slices.Clone(m.Evidence)
	idx := map[string]int{}
	for i := range m.Evidence {
		idx[m.Evidence[i].ID] = i
	}
	for i, e := range spec.Evidence {
		j, ok := idx[e.ID]
		if !ok {
			j = len(m.Evidence)
			idx[e.ID] = j
			m.Evidence = append(m.Evidence, bag.EvidenceItem{ID: e.ID})
		}
		r := result(i)
		m.Evidence[j].Files = append(m.Evidence[j].Files, bag.ManifestFile{Path: e.Dst, OriginalName: e.OriginalName, Size: r.Size,
			MediaType: e.MediaType, SHA256: r.SHA256(), SHA512: r.SHA512(), Withheld: e.Withhold})
	}
	return m.Marshal()
}

// TestWriteCasepackManifestHoldsLittle: while casepack/manifest.json is
// written, the live heap holds about 16 bytes a file beyond the plan and
// the results (the order of the items and of the files, what is being
// written), not every file's entry with both its digests in hex (369
// bytes a file here: a copy of the items, an entry and two hex strings
// for each file; 7.5 MB at 20,000 photos, the
// build's most live heap).
func TestWriteCasepackManifestHoldsLittle(t *testing.T) {
	const n = 20000
	spec := Spec{Date: testDate, Manifest: bag.CasepackManifest{SubmissionID: "LV-1"}}
	results := make([]evidence.Result, n)
	for i := range n {
		id := fmt.Sprintf("EV-%06d", i)
		spec.Evidence = append(spec.Evidence, EvidenceFile{ID: id, Src: "/case/" + id, Dst: "data/evidence/" + id + "/photo.jpg", MediaType: "image/jpeg"})
		spec.Manifest.Evidence = append(spec.Manifest.Evidence, bag.EvidenceItem{ID: id, Title: "Photograph " + id})
		results[i] = evidence.Result{Size: int64(i)}
		binary.BigEndian.PutUint32(results[i].Sum256[:], uint32(i))
	}
	w := &heapAtWrite{}
	before := testtool.LiveHeap()
	if err := WriteCasepackManifest(w, spec, func(i int) evidence.Result { return results[i] }); err != nil {
		t.Fatal(err)
	}
	perFile := (float64(w.most) - float64(before)) / n
	t.Logf("the live heap while the manifest is written: %.0f bytes a file more", perFile)
	if perFile > 60 {
		t.Errorf("writing the manifest holds %.0f bytes a file, want at most 60 (every entry made at once: 369)", perFile)
	}
	if !strings.HasSuffix(w.last, "\n  ]\n}\n") {
		t.Errorf("the manifest ends with %q", w.last)
	}
	// A build holds its plan and results through the writing.
	runtime.KeepAlive(&spec)
	runtime.KeepAlive(results)
}

// heapAtWrite discards what is written to it and keeps the most live
// heap it saw at every 1,000th write.
type heapAtWrite struct {
	writes int
	most   uint64
	last   string
}

func (w *heapAtWrite) Write(p []byte) (int, error) {
	if w.writes++; w.writes%1000 == 0 {
		w.most = max(w.most, testtool.LiveHeap())
	}
	w.last = string(p)
	return len(p), nil
}

// TestHexSums: hexSums gives a result's two digests in hex as Result.SHA256
// and SHA512 do, in one allocation (they make four): the manifests ask
// for every file's.
func TestHexSums(t *testing.T) {
	var pattern evidence.Result
	for i := range pattern.Sum512 {
		pattern.Sum512[i] = byte(i * 37)
	}
	for i := range pattern.Sum256 {
		pattern.Sum256[i] = byte(255 - i*11)
	}
	var ones evidence.Result
	for i := range ones.Sum512 {
		ones.Sum512[i] = 0xff
	}
	for i := range ones.Sum256 {
		ones.Sum256[i] = 0xff
	}
	for _, tc := range []struct {
		name string
		r    evidence.Result
	}{
		{"zero", evidence.Result{}},
		{"ones", ones},
		{"pattern", pattern},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sha256, sha512 := hexSums(&tc.r)
			if sha256 != tc.r.SHA256() || sha512 != tc.r.SHA512() {
				t.Errorf("hexSums = %s, %s; want %s, %s", sha256, sha512, tc.r.SHA256(), tc.r.SHA512())
			}
			if n := testing.AllocsPerRun(100, func() { hexSums(&tc.r) }); n > 1 {
				t.Errorf("hexSums allocates %.0f times, want 1", n)
			}
		})
	}
}
