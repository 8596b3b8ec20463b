// Package edition owns the disclosure policy of a submission package: what
// an edition is (confidential or public), which evidence a public edition
// withholds, how a person is redacted, where an evidence file goes in the
// package, and the leak check that stops a public build from publishing a
// protected detail.
//
// The builder (packager/submission), the annexes (packager/annex) and the
// narrative (packager/narrative) all decide through this package, so the
// public edition of one case is the same whichever of them produces it.
// See packager/FORMAT.md ("Editions") for the rules as a reader of a
// package sees them.
package edition
