// Package verify owns read-only verification of a casepack package, a
// folder or a .zip read in place (never extracted). It reports every finding
// with a stable code and the file it is about, never stopping at the first
// and never letting a summary (Payload-Oxum) hide which file changed. It
// imports nothing of the builder: the verifier that `casepack verify` runs
// is the one `casepack build` runs on what it has just written.
//
// Paths and sizes in a package are hostile input: manifest lines and ZIP
// entries that are absolute, climb out with "..", use backslashes, collide
// by case or Unicode normalisation, are symbolic links or declare impossible
// sizes become findings, and nothing they name is followed or written.
package verify
