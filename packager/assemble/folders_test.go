package assemble

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestItemFoldersDatedByEvidencePass: a folder that holds evidence copies
// and nothing else is dated with the build date by the time the evidence
// pass ends — one copy or several, copied side by side — while a folder a
// generated file also goes in, or that holds another folder, is left to
// the end of the build; and every folder of the package carries the build
// date in the end, whatever dated it.
func TestItemFoldersDatedByEvidencePass(t *testing.T) {
	evs := []evSpec{
		{"EV-0001", "video.mp4", "video/mp4", 3 << 20, false},
		{"EV-0002", "photo.jpg", "image/jpeg", 20 << 10, false},
		{"EV-0003", "a.pdf", "application/pdf", 7 << 10, false},
		{"EV-0004", "b.pdf", "application/pdf", 9 << 10, false},
		{"EV-0005", "notes.txt", "text/plain", 1500, false},
		{"EV-0006", "inner.txt", "text/plain", 900, false},
		{"EV-0007", "held.jpg", "image/jpeg", 4 << 10, true},
		{"EV-0008", "shared.txt", "text/plain", 300, false},
	}
	c := newCase(t, evs)
	spec := c.spec(evs)
	for i := range spec.Evidence {
		switch spec.Evidence[i].ID {
		case "EV-0004": // a second file of item EV-0003
			spec.Evidence[i].Dst = "data/evidence/EV-0003/b.pdf"
		case "EV-0006": // in a folder inside EV-0005's
			spec.Evidence[i].Dst = "data/evidence/EV-0005/more/inner.txt"
		case "EV-0008": // beside a generated file
			spec.Evidence[i].Dst = "data/case/shared.txt"
		}
	}
	// The copies are listed out of folder order: the pass counts a
	// folder's copies wherever they are listed.
	spec.Evidence[2], spec.Evidence[5] = spec.Evidence[5], spec.Evidence[2]
	early := []string{"data/evidence/EV-0001", "data/evidence/EV-0002", "data/evidence/EV-0003", "data/evidence/EV-0005/more"}
	late := []string{"data/evidence", "data/evidence/EV-0005", "data/case", "data"}
	out := t.TempDir()
	checked := false
	_, err := Build(context.Background(), spec, Options{OutDir: out, Workers: 2, EvidenceDone: func(err error) {
		if err != nil {
			return
		}
		tmp, _ := filepath.Glob(filepath.Join(out, "."+spec.Name+".tmp-*"))
		if len(tmp) != 1 {
			t.Errorf("the package being written: %v", tmp)
			return
		}
		for _, d := range slices.Concat(early, late) {
			fi, err := os.Stat(filepath.Join(tmp[0], filepath.FromSlash(d)))
			if err != nil {
				t.Error(err)
				continue
			}
			if dated := fi.ModTime().Equal(testDate); dated != slices.Contains(early, d) {
				t.Errorf("%s: dated %v when the evidence pass ends (%v), want %v", d, dated, fi.ModTime(), !dated)
			}
		}
		checked = true
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !checked {
		t.Fatal("the package was not checked when the evidence pass ended")
	}
	pkg := filepath.Join(out, spec.Name)
	for _, p := range listTree(t, pkg) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.ModTime().Equal(testDate) {
			t.Errorf("%s: %v, want the build date", p, fi.ModTime())
		}
	}
	if _, err := os.Stat(filepath.Join(pkg, "data", "evidence", "EV-0007")); !os.IsNotExist(err) {
		t.Errorf("withheld item's folder: %v", err)
	}
}
