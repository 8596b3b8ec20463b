// Package bag owns the byte formats of a casepack package: the BagIt tag
// files (bagit.txt, bag-info.txt, manifest-<alg>.txt, tagmanifest-<alg>.txt,
// RFC 8493), the casepack manifest (casepack/manifest.json), the path rules
// every bag path must follow, and the deterministic ZIP serialisation.
//
// Every writer here has exactly one output for a given input (sorted, LF,
// lowercase hex), and every parser refuses input that is not in that
// canonical form, so that a parsed manifest marshals back to the same bytes
// and a signature over those bytes means one thing only.
//
// The package does no file I/O of its own except WriteZip, which reads from an
// fs.FS it is handed.
package bag
