// Package assemble owns Build: the orchestration that turns a Spec (what to
// put in a package, already mapped from the case data by the caller) into a
// BagIt package folder and, optionally, its ZIP, with the files that go
// beside it (the covering letter).
//
// Build works in a temporary folder beside the target, streams evidence
// through packager/evidence, writes the BagIt and casepack files through
// packager/bag, signs the tag manifest, runs packager/verify over what it
// wrote, and only then puts the folder, the ZIP and the files beside it in
// place as one unit (internal/atomicfs; packager/FORMAT.md §11). Any failure or
// cancellation removes everything it created; the case folder is only ever
// read. The packager does not know the case model: it takes paths, bytes and
// writer callbacks.
package assemble
