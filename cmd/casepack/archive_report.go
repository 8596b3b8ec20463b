package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/humanize"
	"github.com/casepack/casepack/internal/termsafe"
	"github.com/casepack/casepack/packager/archive"
	"github.com/casepack/casepack/packager/sign"
)

// The text reports of casepack archive: results on stdout, problems on
// stderr in the message style of main.go.

const stamp = "2006-01-02 15:04Z"

func printAdd(w io.Writer, res *archive.AddResult, version int) {
	id, _ := archive.ParseID(res.ID)
	rec := res.Record
	if res.Already {
		fmt.Fprintf(w, "already stored: %s is %s (stored %s as a %s); nothing written\n", res.Package, id.Short(), rec.StoredAt.Format(stamp), rec.Form)
		return
	}
	fmt.Fprintf(w, "stored %s as %s (%s, %s, %s; verified before and after storing)\n",
		res.Package, id.Short(), rec.Form, humanize.Count(len(rec.Objects), "file"), humanize.Bytes(rec.Bytes))
	if e := res.Entry; e != nil {
		line := fmt.Sprintf("  %s %s", e.Submission, e.Edition)
		if version > 0 {
			line += fmt.Sprintf(", version %d", version)
		}
		fmt.Fprintln(w, line+", "+humanize.Count(len(e.Signers), "signature"))
	}
	if rec.Retention != nil {
		fmt.Fprintf(w, "  locked (%s) until %s\n", strings.ToLower(string(rec.Retention.Mode)), rec.Retention.Until.Format(stamp))
	}
}

// signerLine describes a signer and its state.
func signerLine(s archive.Signer, trustGiven bool) string {
	who := []string{}
	for _, x := range []string{s.Name, s.Role, s.Organisation} {
		if x != "" {
			who = append(who, x)
		}
	}
	id := s.KeyFingerprint
	if s.CertificateSubject != "" {
		id = s.CertificateSubject
	}
	state := "INVALID"
	switch {
	case s.Status == sign.StatusValidTrusted:
		state = "valid, trusted"
		if s.TrustedBy != "" {
			state += " via " + s.TrustedBy
		}
	case s.Status == sign.StatusValidUntrusted && trustGiven:
		state = "valid, NOT trusted"
	case s.Status == sign.StatusValidUntrusted:
		state = "valid (trust not checked: give --trust)"
	}
	desc := s.Format
	if len(who) > 0 {
		desc += ", " + strings.Join(who, ", ")
	}
	if id != "" {
		desc += ", " + id
	}
	// A signer's label is the package's text: one line, escaped.
	return termsafe.Line(fmt.Sprintf("signature %s (%s): %s", s.ID, desc, state))
}

func entryLine(e *archive.Entry) string {
	return termsafe.Line(fmt.Sprintf("%s  %s  %s  version %d  bagged %s  stored %s  %s %s",
		e.Short(), e.Submission, e.Edition, e.Version, e.BaggingDate, e.StoredAt.Format(stamp), humanize.Bytes(e.Bytes), e.Form))
}

func printCatalogue(w, ew io.Writer, cat *archive.Catalogue, trustGiven bool) {
	fmt.Fprintf(w, "%s: %s\n", cat.Root, humanize.Count(len(cat.Entries), "package"))
	for _, e := range cat.Entries {
		fmt.Fprintln(w, entryLine(e))
		fmt.Fprintf(w, "  root digest %s\n", e.RootDigest)
		if e.CoSignatureOf != "" {
			id, _ := archive.ParseID(e.CoSignatureOf)
			fmt.Fprintf(w, "  co-signed version of %s\n", id.Short())
		}
		if len(e.Signers) == 0 {
			fmt.Fprintln(w, "  unsigned")
		}
		for _, s := range e.Signers {
			fmt.Fprintf(w, "  %s\n", signerLine(s, trustGiven))
		}
	}
	for _, m := range cat.Missing {
		fmt.Fprintf(ew, "casepack: warning: %s: stored, but not catalogued: %s\n", cat.Root, m)
	}
	if len(cat.Missing) > 0 {
		fmt.Fprintf(ew, "casepack: hint: run casepack archive audit %s to check those packages\n", cat.Root)
	}
}

func printShow(w io.Writer, sh *archive.Shown, trustGiven bool) {
	e, rec := sh.Entry, sh.Record
	row := func(k, v string) { fmt.Fprintf(w, "%-16s %s\n", k+":", v) }
	row("package", e.ID)
	row("name", e.Name+map[archive.Form]string{archive.FormZip: ".zip", archive.FormFolder: " (folder)"}[e.Form])
	row("submission", e.Submission)
	row("edition", e.Edition)
	row("version", fmt.Sprintf("%d of %d", e.Version, len(sh.Versions)))
	row("bagging date", e.BaggingDate)
	if e.Organisation != "" {
		row("sender", e.Organisation)
	}
	row("stored", e.StoredAt.Format(stamp))
	if rec.CopiedAt != nil {
		row("copied here", rec.CopiedAt.Format(stamp))
	}
	row("size", fmt.Sprintf("%s in %s (payload %s, %s)", humanize.Bytes(rec.Bytes), humanize.Count(len(rec.Objects), "object"), humanize.Count(e.PayloadFiles, "file"), humanize.Bytes(e.PayloadBytes)))
	row("root digest", e.RootDigest)
	row("signature set", e.SignatureSet)
	if rec.Retention != nil {
		row("locked", fmt.Sprintf("%s until %s", strings.ToLower(string(rec.Retention.Mode)), rec.Retention.Until.Format(stamp)))
	}
	included, withheld := 0, 0
	for _, f := range e.Evidence {
		if f.Withheld {
			withheld++
		} else {
			included++
		}
	}
	row("evidence", fmt.Sprintf("%s included, %d withheld from this edition", humanize.Count(included, "file"), withheld))
	if c := sh.LastChecked; c != nil {
		row("last audit", fmt.Sprintf("%s: %s", c.At.Format(stamp), c.Result))
	} else {
		row("last audit", "never")
	}
	for _, s := range e.Signers {
		fmt.Fprintln(w, signerLine(s, trustGiven))
	}
	if e.CoSignatureOf != "" {
		id, _ := archive.ParseID(e.CoSignatureOf)
		fmt.Fprintf(w, "co-signed version of %s (same content, more signatures)\n", id.Short())
	}
	fmt.Fprintf(w, "versions of %s %s:\n", e.Submission, e.Edition)
	for _, v := range sh.Versions {
		mark := " "
		if v.ID == e.ID {
			mark = "*"
		}
		fmt.Fprintf(w, " %s version %d  %s  stored %s  %s\n", mark, v.Version, v.Short(), v.StoredAt.Format(stamp), humanize.Count(len(v.Signers), "signature"))
	}
}

func printFound(w, ew io.Writer, found *archive.Found) {
	q := found.Query.Evidence
	if q == "" {
		q = "SHA-256 " + found.Query.SHA256
	}
	if len(found.Disclosures) == 0 {
		fmt.Fprintf(w, "%s: in no stored package\n", q)
	}
	// One block per file (an evidence ID may have several files; one file
	// may have been filed under several IDs).
	var order []string
	byFile := map[string][]archive.Disclosure{}
	for _, d := range found.Disclosures {
		k := d.File.SHA256 + " " + d.File.Evidence + " " + d.File.Path
		if _, ok := byFile[k]; !ok {
			order = append(order, k)
		}
		byFile[k] = append(byFile[k], d)
	}
	included, withheld := 0, 0
	for _, k := range order {
		ds := byFile[k]
		f := ds[0].File
		fmt.Fprintf(w, "%s %s (%s, sha256 %s)\n", f.Evidence, f.Path, humanize.Bytes(f.Size), f.SHA256)
		for _, d := range ds {
			state := "DISCLOSED (included)"
			if !d.Included {
				state = "withheld (digests only)"
				withheld++
			} else {
				included++
			}
			fmt.Fprintf(w, "  %s  %-12s  version %d  %s  bagged %s  %s\n", d.Submission, d.Edition, d.Version, d.Short, d.BaggingDate, state)
		}
	}
	if len(found.Disclosures) > 0 {
		fmt.Fprintf(w, "included in %d, withheld from %d\n", included, withheld)
	}
	for _, m := range found.NotCatalogued {
		fmt.Fprintf(ew, "casepack: warning: not searched (not catalogued): %s\n", m)
	}
}

func printAudit(w, ew io.Writer, fx *archive.Fixity, took time.Duration, quiet bool) {
	for _, p := range fx.Packages {
		id, _ := archive.ParseID(p.ID)
		switch p.Result {
		case archive.ResultDamaged:
			fmt.Fprintf(ew, "casepack: error: %s %s: DAMAGED (%s)\n", id.Short(), p.Name, humanize.Count(len(p.Findings), "problem"))
			printFindings(ew, p.Findings, quiet, p.Name)
		case archive.ResultError:
			fmt.Fprintf(ew, "casepack: error: %s %s: could not be checked: %s\n", id.Short(), p.Name, p.Error)
		}
	}
	for _, u := range fx.Unfinished {
		if !quiet {
			fmt.Fprintf(ew, "casepack: warning: %s: an unfinished upload (an add that was interrupted; %s in %s) holds nothing stored and can be deleted\n", u.Prefix, humanize.Bytes(u.Bytes), humanize.Count(u.Files, "object"))
		}
	}
	notDone := 0
	for _, p := range fx.Packages {
		if p.Result == archive.ResultSkipped {
			notDone++
		}
	}
	state := "all intact"
	switch {
	case fx.Damaged > 0:
		state = fmt.Sprintf("%d DAMAGED", fx.Damaged)
	case fx.Errors > 0: // not all were checked: "all intact" would claim too much
		state = "none damaged"
	}
	fmt.Fprintf(w, "audit of %s: %d of %s checked (%s, %s) in %s; %s\n",
		fx.Root, fx.Checked, humanize.Count(fx.Stored, "package"), humanize.Count(fx.Files, "file"), humanize.Bytes(fx.Bytes), took.Round(time.Millisecond), state)
	if fx.Errors > 0 {
		fmt.Fprintf(w, "  %d could not be checked\n", fx.Errors)
	}
	if notDone > 0 {
		fmt.Fprintf(w, "  %d not reached within the budget (checked first next time)\n", notDone)
	}
	fmt.Fprintf(w, "  fixity record %s\n", fx.Key)
}

func printGet(w io.Writer, res *archive.GetResult) {
	c := res.Check
	what := "file for file"
	if res.Record.Form == archive.FormZip {
		what = "byte for byte"
	}
	fmt.Fprintf(w, "wrote %s (as stored, %s; verified: %s, %s, %d valid and trusted)\n",
		res.Path, what, humanize.Count(c.Integrity.Files, "file"), humanize.Count(len(c.Signatures.Signatures), "signature"), c.Signatures.TrustedValid)
}

func printSync(w, ew io.Writer, rep *archive.SyncReport, quiet bool) {
	for _, f := range rep.Failed {
		id, _ := archive.ParseID(f.ID)
		fmt.Fprintf(ew, "casepack: error: %s %s: not copied: %s\n", id.Short(), f.Name, f.Error)
		if f.Check != nil {
			printFindings(ew, f.Check.Integrity.Findings, quiet, f.Name)
		}
	}
	if !quiet {
		for _, c := range rep.Copied {
			id, _ := archive.ParseID(c.ID)
			fmt.Fprintf(w, "copied %s %s (%s, verified in %s)\n", id.Short(), c.Name, humanize.Bytes(c.Bytes), rep.Destination)
		}
	}
	fmt.Fprintf(w, "sync %s -> %s: %d copied, %d already there, %d failed\n", rep.Source, rep.Destination, len(rep.Copied), rep.Present, len(rep.Failed))
}

func printReindex(w, ew io.Writer, rep *archive.ReindexReport, err error) {
	for _, f := range rep.Failed {
		fmt.Fprintf(ew, "casepack: error: %s\n", f)
	}
	entries := "entries"
	if len(rep.Removed) == 1 {
		entries = "entry"
	}
	fmt.Fprintf(w, "catalogued %s in %s; removed %d %s without a package; last-checked index rebuilt from %s\n",
		humanize.Count(rep.Packages, "package"), rep.Root, len(rep.Removed), entries, humanize.Count(rep.Fixity, "fixity record"))
	if h := hint(err); h != "" {
		fmt.Fprintf(ew, "casepack: hint: %s\n", h)
	}
}
