package annex_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/schema"
)

type buffer struct{ bytes.Buffer }

func (*buffer) Close() error { return nil }

// Write produces the workbook and one CSV twin per sheet. A build passes the
// digests it computed while copying the evidence; here they are given.
func ExampleWrite() {
	c := &schema.Case{
		Submission: schema.Submission{ID: "SUB-1", Title: "Example"},
		Evidence: []schema.Evidence{{
			ID: "EV-0001", Title: "Video", Type: "video", Classification: "public",
			Description: `=HYPERLINK("http://x","y")`,
			Files:       []schema.File{{Path: "evidence/clip.mp4", Role: "original"}},
		}},
	}
	files := []annex.FileInfo{{
		ID: "EV-0001", Source: "evidence/clip.mp4", Path: edition.PackagePath("EV-0001", "evidence/clip.mp4"),
		MediaType: "video/mp4", Size: 17, SHA256: strings.Repeat("a", 64), SHA512: strings.Repeat("b", 128),
	}}
	opt := annex.Options{
		Date:    time.Date(2021, 2, 18, 0, 0, 0, 0, time.UTC),
		Edition: edition.Confidential,
		Version: "1.0.0",
	}
	var xlsx bytes.Buffer
	twins := map[string]*buffer{}
	open := func(name string) (io.WriteCloser, error) {
		twins[name] = &buffer{}
		return twins[name], nil
	}
	if err := annex.Write(context.Background(), c, files, opt, &xlsx, open); err != nil {
		log.Fatal(err)
	}
	fmt.Println(annex.Dir+"/"+annex.XLSXName, xlsx.Len() > 0)
	for _, name := range annex.CSVNames() {
		fmt.Println(annex.Dir+"/"+annex.CSVDir+"/"+name, twins[name].Len() > 0)
	}
	line := strings.SplitN(twins["evidence.csv"].String(), "\r\n", 3)[1]
	fmt.Println(line[:strings.Index(line, ",,")])
	// Output:
	// data/annexes/annexes.xlsx true
	// data/annexes/csv/evidence.csv true
	// data/annexes/csv/files.csv true
	// data/annexes/csv/incidents.csv true
	// data/annexes/csv/victims.csv true
	// data/annexes/csv/units.csv true
	// data/annexes/csv/custody.csv true
	// data/annexes/csv/crimes.csv true
	// data/annexes/csv/persons_of_interest.csv true
	// data/annexes/csv/chain_of_command.csv true
	// data/annexes/csv/victim_matrix.csv true
	// data/annexes/csv/about.csv true
	// data/annexes/csv/redactions.csv true
	// EV-0001,Video,video,"'=HYPERLINK(""http://x"",""y"")"
}
