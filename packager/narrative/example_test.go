package narrative_test

import (
	"bytes"
	"fmt"
	"log"
	"time"

	"github.com/casepack/casepack/packager/narrative"
)

func ExampleRenderPDF() {
	md := []byte("Situation ICC-02/18 — Venezuela I\n\n" +
		"# Facts\n\nOfficers entered the house at dawn [EV-0001].\n\n" +
		"# Evidence index\n\n| ID | Title |\n|---|---|\n| EV-0001 | Testimony of Witness 01 |\n")
	var pdf bytes.Buffer
	err := narrative.RenderPDF(&pdf, md, narrative.PDFOptions{
		Title:          "Killings in La Vega",
		Classification: "Confidential",
		SubmissionID:   "OGB-LV-2021-001",
		Date:           time.Date(2021, 2, 18, 0, 0, 0, 0, time.UTC), // fixed: reproducible bytes
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(pdf.Bytes()[:8]))
	// Output: %PDF-1.3
}
