package bag_test

import (
	"fmt"
	"strings"

	"github.com/casepack/casepack/packager/bag"
)

// Marshal sorts by path bytes, lower-cases hex and percent-encodes %, CR
// and LF; ParseManifest accepts exactly that form back.
func ExampleManifest_Marshal() {
	m := &bag.Manifest{Alg: bag.SHA256, Entries: []bag.Entry{
		{Path: "data/b.mp4", Digest: strings.Repeat("B", 64)},
		{Path: "data/100%.txt", Digest: strings.Repeat("a", 64)},
	}}
	out, _ := m.Marshal()
	fmt.Print(string(out))
	_, err := bag.ParseManifest(bag.SHA256, out)
	fmt.Println("canonical:", err == nil)
	// Output:
	// aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  data/100%25.txt
	// bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb  data/b.mp4
	// canonical: true
}
