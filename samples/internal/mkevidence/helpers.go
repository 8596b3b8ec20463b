package main

import (
	"fmt"
	"time"

	"github.com/casepack/casepack/schema"
)

// Names used across the La Vega sample. The sender is a fictional
// organisation; collector and verifier IDs are pseudonymous, as the Berkeley
// Protocol allows.
const (
	org        = "Observatorio Ciudadano de Derechos Humanos (fictional sample organisation)"
	collector  = "OCDH-INV-01"
	collector2 = "OCDH-INV-02"
	verifier   = "OCDH-VER-01"
	archivist  = "OCDH-ARCH-01"
	office     = "OCDH office, Caracas (fictional)"
	store      = "OCDH evidence store (write-once, encrypted; fictional)"
	partner    = "Local human rights organisation in La Vega (partner; name withheld in this sample)"
	synthetic  = "SYNTHETIC STAND-IN"
)

func ptr[T any](v T) *T { return &v }

// caracas is a location in Libertador municipality, Caracas. Coordinates are
// deliberately left out: the public reporting gives places, not coordinates,
// and a sample must not invent precise positions.
func caracas(parish, place string) *schema.Location {
	return &schema.Location{Country: "VE", State: "Distrito Capital", Municipality: "Libertador", Parish: parish, Place: place}
}

// located adds approximate coordinates to a location whose geolocation the
// sample records as confirmed. They are rounded to street level (250 m):
// the sample places the videos on the streets the public reporting names,
// not at any filmer's window.
func located(l *schema.Location, lat, lon float64) *schema.Location {
	prec := 250.0
	l.Lat, l.Lon, l.PrecisionM = &lat, &lon, &prec
	return l
}

// at parses an RFC 3339 time written in this file; a typo is a programming
// error, caught by the first run.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(fmt.Sprintf("mkevidence: bad time %q: %v", s, err))
	}
	return t
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// custodyOpenSource is the chain of an item captured from the open web:
// captured, hashed at once, stored, then verified. Every step that touches
// the bytes records the digest, so a reader sees the same hash throughout.
func custodyOpenSource(captured time.Time, by, tool, sha string, verified time.Time) []schema.Custody {
	return []schema.Custody{
		{At: stamp(captured), Actor: by, Action: "captured", Location: office, Note: "Captured with " + tool + " from the address in the provenance record, with the page around it."},
		{At: stamp(captured.Add(4 * time.Minute)), Actor: by, Action: "hashed", Location: office, SHA256: sha, Note: "SHA-256 computed on the capture workstation immediately after capture."},
		{At: stamp(captured.Add(35 * time.Minute)), Actor: archivist, Action: "stored", Location: store, SHA256: sha, Note: "Copied to the write-once store; the digest was recomputed and matched."},
		{At: stamp(verified), Actor: verifier, Action: "verified", Location: office, Note: "Verification completed on a working copy; the stored copy was not opened."},
	}
}

// custodyPartner is the chain of an item handed over by a partner
// organisation: received, hashed, stored, then reviewed by someone.
func custodyPartner(received time.Time, sha string, reviewed time.Time, reviewer, note string) []schema.Custody {
	return []schema.Custody{
		{At: stamp(received), Actor: collector2, Action: "received", Location: office, Note: "Received from the partner organisation by hand, on an encrypted drive, with a signed handover note."},
		{At: stamp(received.Add(10 * time.Minute)), Actor: collector2, Action: "hashed", Location: office, SHA256: sha, Note: "SHA-256 computed on receipt; it matched the digest on the partner's handover note."},
		{At: stamp(received.Add(time.Hour)), Actor: archivist, Action: "stored", Location: store, SHA256: sha},
		{At: stamp(reviewed), Actor: reviewer, Action: "reviewed", Location: office, Note: note},
	}
}

// custodyOwn is the chain of a document the sender made itself.
func custodyOwn(created time.Time, by, sha string) []schema.Custody {
	return []schema.Custody{
		{At: stamp(created), Actor: by, Action: "acquired", Location: office, Note: "Document finalised by its author and handed to the archivist."},
		{At: stamp(created.Add(15 * time.Minute)), Actor: archivist, Action: "hashed", Location: office, SHA256: sha},
		{At: stamp(created.Add(20 * time.Minute)), Actor: archivist, Action: "stored", Location: store, SHA256: sha},
	}
}
