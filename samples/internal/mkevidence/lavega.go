package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/casepack/casepack/schema"
)

// The La Vega sample follows the public reporting of the 6–9 January 2021
// police operation in La Vega parish, Caracas (Amnesty International,
// public statement of 18 February 2021). Everything else is synthetic: the
// sender, the persons (pseudonyms only), ages, dates of death, URLs, capture
// times, testimonies and every file. samples/README.md says so.

// video is one of the nine verified videos of the public reporting.
type video struct {
	id, slug, title  string
	parish, place    string
	day              schema.When
	platform, acct   string
	posted, captured string
	verified         string
	description      string
	content          string
	geo, chrono      string
	lat, lon         float64 // approximate, see samples/README.md
	classification   string
	graphic          bool
	confidence       string
	frame            []string // what the still frame stand-in says
	notes            string
}

var videos = []video{
	{
		id: "EV-0001", lat: 10.4862, lon: -66.9377, slug: "avenida-ohiggins-convoy-a",
		title:  "Police convoy driving south on Avenida O'Higgins toward La Vega, morning of 8 January 2021 (video A) — still frame (synthetic stand-in)",
		parish: "", place: "Avenida O'Higgins, heading south toward La Vega",
		day: "2021-01-08", platform: "Twitter", acct: "@sample_resident_01 (placeholder)",
		posted: "2021-01-08T12:41:00Z", captured: "2021-01-09T14:10:00Z", verified: "2021-01-21T16:00:00Z",
		description:    "A convoy of police vehicles drives south down Avenida O'Higgins toward the La Vega area on the morning of 8 January 2021. Several vehicles carry the markings of the Policía Nacional Bolivariana.",
		content:        "Counted 11 vehicles in the convoy: pick-up trucks, armoured vehicles and motorcycles. Markings of the Policía Nacional Bolivariana are legible on four of them. Officers in the open trucks carry long guns and wear body armour and balaclavas.",
		geo:            "Matched the avenue's lanes, a pedestrian bridge, the central reservation and the building line on both sides against satellite and street-level imagery of Avenida O'Higgins. The convoy moves south, toward La Vega.",
		chrono:         "First posted at 08:41 local time (UTC−4) on 8 January 2021; no earlier copy found by reverse image search of key frames. Shadows fall to the west, consistent with early morning.",
		classification: "public", confidence: "high",
		frame: []string{"Represents: VIDEO A - police convoy heading south", "on Avenida O'Higgins toward La Vega, morning of 8 January 2021."},
	},
	{
		id: "EV-0002", lat: 10.4808, lon: -66.938, slug: "avenida-ohiggins-convoy-b",
		title:  "Police convoy driving south on Avenida O'Higgins, morning of 8 January 2021 (video B) — still frame (synthetic stand-in)",
		parish: "", place: "Avenida O'Higgins, further south, heading toward La Vega",
		day: "2021-01-08", platform: "Instagram", acct: "@sample_resident_02 (placeholder)",
		posted: "2021-01-08T13:05:00Z", captured: "2021-01-09T14:25:00Z", verified: "2021-01-21T16:30:00Z",
		description:    "The same convoy as in [EV-0001], filmed from street level further south on Avenida O'Higgins, still moving toward La Vega.",
		content:        "The order of the vehicles and their markings match [EV-0001]. An armoured vehicle leads; officers in the open pick-up trucks wear black uniforms of the kind worn by the FAES.",
		geo:            "Matched a shop front, a bus stop and the slope of the avenue against street-level imagery of Avenida O'Higgins, about 600 m south of the vantage point of [EV-0001].",
		chrono:         "Posted at 09:05 local time on 8 January 2021. The vehicles pass in the same order as in [EV-0001], some minutes later, consistent with the distance between the two points.",
		classification: "public", confidence: "high",
		frame: []string{"Represents: VIDEO B - the same convoy further south", "on Avenida O'Higgins, morning of 8 January 2021."},
	},
	{
		id: "EV-0003", lat: 10.4833, lon: -66.9318, slug: "av-guzman-blanco",
		title:  "Police officers and vehicles on Av. Guzmán Blanco, at the border of La Vega parish — still frame (synthetic stand-in)",
		parish: "La Vega", place: "Av. Guzmán Blanco, at the border of La Vega parish",
		day: "2021-01-08", platform: "Twitter", acct: "@sample_resident_03 (placeholder)",
		posted: "2021-01-08T15:20:00Z", captured: "2021-01-09T15:02:00Z", verified: "2021-01-22T11:00:00Z",
		description:    "Police officers and their vehicles stationed on Av. Guzmán Blanco, at the border of La Vega parish.",
		content:        "About 20 officers stand beside parked pick-up trucks and an armoured vehicle; some direct traffic away from the road into La Vega. Long guns and body armour are visible.",
		geo:            "Matched the road's curve, a petrol station and the hillside housing behind it against satellite and street-level imagery of Av. Guzmán Blanco where it meets La Vega parish.",
		chrono:         "Posted at 11:20 local time on 8 January 2021; the vehicles match those of the convoy in [EV-0001] and [EV-0002].",
		classification: "public", confidence: "high",
		frame: []string{"Represents: VIDEO - police and vehicles on Av. Guzman Blanco,", "at the border of La Vega parish."},
	},
	{
		id: "EV-0004", lat: 10.4772, lon: -66.9418, slug: "gimnasio-vertical",
		title:  "Heavy police presence near the Gimnasio Vertical, La Vega, 8 January 2021 (local media video) — still frame (synthetic stand-in)",
		parish: "La Vega", place: "Near the Gimnasio Vertical, La Vega",
		day: "2021-01-08", platform: "YouTube", acct: "Local media outlet (placeholder)",
		posted: "2021-01-08T17:45:00Z", captured: "2021-01-09T15:30:00Z", verified: "2021-01-22T12:00:00Z",
		description:    "A video posted by local media on 8 January 2021 shows a heavy police presence near the Gimnasio Vertical in La Vega parish: police vehicles, weapons and armour. Badges of the UOTE (Unidad de Operaciones Tácticas Especiales) are visible on uniforms.",
		content:        "Badges reading UOTE are legible on the sleeves of at least three officers. Officers carry rifles and wear helmets and body armour; several police pick-up trucks are parked by the building.",
		geo:            "Matched the façade and climbing wall of the Gimnasio Vertical and the street in front of it against street-level imagery and the outlet's own earlier reports from the same place.",
		chrono:         "Published by the outlet on 8 January 2021 in a report on that day's operation; the outlet's reporter is heard giving the date.",
		classification: "public", confidence: "high",
		frame: []string{"Represents: VIDEO (local media) - heavy police presence near", "the Gimnasio Vertical, La Vega; UOTE badges visible."},
	},
	{
		id: "EV-0005", lat: 10.4745, lon: -66.9452, slug: "calle-los-bloques",
		title:  "Calle los Bloques, near the centre of La Vega, 8 January 2021: gunshots audible — still frame (synthetic stand-in)",
		parish: "La Vega", place: "Calle los Bloques, near the centre of La Vega",
		day: "2021-01-08", platform: "Twitter", acct: "@sample_resident_04 (placeholder)",
		posted: "2021-01-08T19:10:00Z", captured: "2021-01-09T16:05:00Z", verified: "2021-01-23T10:00:00Z",
		description:    "The scene at Calle los Bloques, near the centre of La Vega, on 8 January 2021. Gunshots can be heard. The vehicles in the street are shown to be police trucks by a photograph taken from the same vantage point [EV-0010].",
		content:        "Several gunshots are heard in the first minute; people shout to get inside. Vehicles are parked across the street; in the video alone their markings cannot be read.",
		geo:            "Matched the apartment blocks that give the street its name, a stairway and the layout of the street against satellite imagery and the photograph [EV-0010] taken from the same vantage point.",
		chrono:         "Posted at 15:10 local time on 8 January 2021; the photograph from the same vantage point [EV-0010] carries the same date in its metadata.",
		classification: "confidential", confidence: "high",
		frame: []string{"Represents: VIDEO - Calle los Bloques, near the centre of", "La Vega, 8 January 2021; gunshots audible."},
		notes: "Kept confidential because the person who filmed it lives on the street and could be identified from the vantage point.",
	},
	{
		id: "EV-0006", lat: 10.4718, lon: -66.948, slug: "calle-1-de-mayo-a",
		title:  "Calle 1 de Mayo, La Vega: gunshot at about 20 seconds, officer ducks, then aims at about 30 seconds — still frame (synthetic stand-in)",
		parish: "La Vega", place: "Calle 1 de Mayo, deep in La Vega",
		day: "2021-01-08", platform: "Facebook", acct: "Sample community page (placeholder)",
		posted: "2021-01-08T21:30:00Z", captured: "2021-01-10T13:00:00Z", verified: "2021-01-23T15:00:00Z",
		description:    "A video filmed around Calle 1 de Mayo, deep in La Vega. At about the 20-second mark a gunshot is heard and a police officer ducks. At about the 30-second mark the same officer aims his gun while taking cover where other police officers are waiting. Insignia of the CPNB (Cuerpo de Policía Nacional Bolivariana) and of the Policía Nacional Bolivariana are clearly visible on some uniforms.",
		content:        "00:20 gunshot, the officer in the foreground ducks; 00:30 the same officer, now behind a wall with three other officers, aims his pistol up the street. CPNB and PNB insignia are legible on two uniforms. No armed civilian is seen.",
		geo:            "Matched the street's slope, a corner shop and the pattern of overhead cables against street-level imagery of Calle 1 de Mayo.",
		chrono:         "Posted at 17:30 local time on 8 January 2021; other videos of the same street that day ([EV-0007], [EV-0008]) show the same vehicles.",
		classification: "confidential", confidence: "high",
		frame: []string{"Represents: VIDEO - Calle 1 de Mayo, La Vega. ~00:20 gunshot,", "officer ducks; ~00:30 officer aims; CPNB and PNB insignia."},
		notes: "Kept confidential to protect the person who filmed it.",
	},
	{
		id: "EV-0007", lat: 10.472, lon: -66.9477, slug: "calle-1-de-mayo-b",
		title:  "Calle 1 de Mayo, La Vega: gunshots ring out in the street — still frame (synthetic stand-in)",
		parish: "La Vega", place: "Calle 1 de Mayo, deep in La Vega",
		day: "2021-01-08", platform: "Twitter", acct: "@sample_resident_05 (placeholder)",
		posted: "2021-01-08T22:05:00Z", captured: "2021-01-10T13:20:00Z", verified: "2021-01-24T10:00:00Z",
		description:    "Another video of the same street, Calle 1 de Mayo, as gunshots ring out.",
		content:        "At least six gunshots in 40 seconds; the street is empty of people; a police pick-up truck is parked at the corner seen in [EV-0006].",
		geo:            "Same street and corner shop as [EV-0006], seen from a window higher up the slope.",
		chrono:         "Posted at 18:05 local time on 8 January 2021; the parked pick-up truck is the one seen in [EV-0006].",
		classification: "confidential", confidence: "medium",
		frame: []string{"Represents: VIDEO - Calle 1 de Mayo, La Vega;", "gunshots ring out in the street."},
		notes: "The direction of the shots cannot be established from the sound alone.",
	},
	{
		id: "EV-0008", lat: 10.4716, lon: -66.9483, slug: "calle-1-de-mayo-c",
		title:  "Calle 1 de Mayo, La Vega: armed police patrol the street — still frame (synthetic stand-in)",
		parish: "La Vega", place: "Calle 1 de Mayo, deep in La Vega",
		day: "2021-01-09", platform: "Twitter", acct: "@sample_resident_06 (placeholder)",
		posted: "2021-01-09T14:15:00Z", captured: "2021-01-10T13:40:00Z", verified: "2021-01-24T11:00:00Z",
		description:    "A further video of Calle 1 de Mayo, showing armed police patrolling the area as gunshots ring out.",
		content:        "Five officers with rifles walk down the street in file, checking doorways; two gunshots are heard off camera.",
		geo:            "Same street as [EV-0006] and [EV-0007]; matched the corner shop and a painted wall.",
		chrono:         "Posted at 10:15 local time on 9 January 2021; the painted wall shows damage not present in [EV-0006], consistent with a later time.",
		classification: "confidential", confidence: "medium",
		frame: []string{"Represents: VIDEO - Calle 1 de Mayo, La Vega;", "armed police patrol the street."},
	},
	{
		id: "EV-0009", lat: 10.476, lon: -66.95, slug: "calle-zulia-pickup",
		title:  "Police pick-up truck driving west along Calle Zulia out of La Vega with what appear to be bodies in the back — still frame (synthetic stand-in)",
		parish: "La Vega", place: "Calle Zulia, heading west out of La Vega parish",
		day: "2021-01-09", platform: "WhatsApp (forwarded), later posted on Twitter", acct: "@sample_resident_07 (placeholder)",
		posted: "2021-01-09T18:50:00Z", captured: "2021-01-10T14:00:00Z", verified: "2021-01-25T10:00:00Z",
		description:    "Filmed from above the street: a police pick-up truck drives westward along Calle Zulia, out of La Vega parish, with what appear to be bodies in the back.",
		content:        "The open back of the pick-up holds shapes covered by sheets, at least two of them with legs visible; two officers ride on the tailgate. Police markings are legible on the doors.",
		geo:            "Matched the street's bend, rooftops and a water tank seen from above against satellite imagery of Calle Zulia; the truck moves west, out of the parish.",
		chrono:         "Posted at 14:50 local time on 9 January 2021; shadows are short, consistent with early afternoon.",
		classification: "confidential", confidence: "high", graphic: true,
		frame: []string{"Represents: VIDEO (graphic in the original) - police pick-up", "driving west on Calle Zulia out of La Vega with apparent bodies."},
		notes: "Whether the shapes are bodies cannot be confirmed from the video alone; the forensic review [EV-0025] does not rely on it.",
	},
}

// victim holds the synthetic particulars of one of the 14 men killed. The
// wound groups follow the public reporting: seven with gunshot wounds over
// the heart, two with single gunshot wounds immediately above the heart, two
// with single gunshot wounds to the head, three not determinable.
//
// Each victim is tied to the incident of the public reporting in which the
// death falls: the killings in homes on 6 and 7 January, before the main
// deployment, to the operation as a whole (INC-01); the deaths of 8 and 9
// January during the gunfire in Calle los Bloques and Calle 1 de Mayo to
// INC-03, with the videos of that gunfire; two deaths of 9 January to the
// pick-up truck filmed leaving along Calle Zulia with what appear to be
// bodies (INC-04). Which victim falls where is synthetic.
type victim struct {
	age  int
	died schema.When
	// wound is "heart", "above", "head" or "" (not determinable).
	wound string
	inc   string
	// videos of the incident bearing on the death (none shows the killing).
	videos []string
}

var (
	gunfire8 = []string{"EV-0005", "EV-0006", "EV-0007"}
	gunfire9 = []string{"EV-0008"}
	pickup   = []string{"EV-0009"}
)

var victims = []victim{
	{22, "2021-01-07", "heart", "INC-01", nil},
	{19, "2021-01-08", "heart", "INC-03", gunfire8},
	{25, "2021-01-07", "heart", "INC-01", nil},
	{28, "2021-01-08", "heart", "INC-03", gunfire8},
	{17, "2021-01-08", "heart", "INC-03", gunfire8},
	{21, "2021-01-08", "heart", "INC-03", gunfire8},
	{30, "2021-01-08", "heart", "INC-03", gunfire8},
	{24, "2021-01-08", "above", "INC-03", gunfire8},
	{20, "2021-01-08", "above", "INC-03", gunfire8},
	{26, "2021-01-08", "head", "INC-03", gunfire8},
	{18, "2021-01-09", "head", "INC-03", gunfire9},
	{17, "2021-01-09", "", "INC-04", pickup},
	{23, "2021-01-09", "", "INC-04", pickup},
	{27, "2021-01-06", "", "INC-01", nil},
}

// victimsOf lists the IDs of the victims who died in an incident.
func victimsOf(inc string) []string {
	var out []string
	for i, v := range victims {
		if v.inc == inc {
			out = append(out, fmt.Sprintf("V-%02d", i+1))
		}
	}
	return out
}

// relatives who gave testimony, with the victim each speaks about.
var relatives = []struct {
	relation, victim, lang string
	day                    string
}{
	{"mother", "V-02", "es", "2021-01-18"},
	{"sister", "V-05", "es", "2021-01-19"},
	{"father", "V-08", "es", "2021-01-20"},
	{"partner", "V-10", "es", "2021-01-22"},
}

func laVega(w *writer) (*schema.Case, error) {
	c := &schema.Case{
		Schema:        schema.ID,
		SchemaVersion: "1.0",
		Submission:    submission(),
		Analysis:      analysis(),
		Translations:  laVegaTranslations(),
	}
	var err error
	check := func(e error) {
		if err == nil && e != nil {
			err = e
		}
	}

	// The nine videos and the photograph from the Calle los Bloques vantage point.
	for _, v := range videos {
		rel := fmt.Sprintf("evidence/video/%s-%s.png", lower(v.id), v.slug)
		lines := append([]string{
			synthetic + " - " + v.id + " - not real footage",
			"casepack sample case: La Vega, Caracas, 6-9 January 2021",
		}, v.frame...)
		lines = append(lines, "Still frame of a video that is not included. Built from public reporting.")
		sha, e := w.frame(rel, lines...)
		check(e)
		captured := at(v.captured)
		ev := schema.Evidence{
			ID: v.id, Title: v.title, Type: "video", Description: v.description,
			Files:       []schema.File{{Path: rel, Role: "working", SHA256: sha, MediaType: "image/png"}},
			ContentTime: v.day,
			Location:    located(caracas(v.parish, v.place), v.lat, v.lon),
			Provenance: &schema.Provenance{
				SourceType: "open_source", Platform: v.platform, Account: v.acct,
				URL:         "https://example.com/sample/la-vega/" + lower(v.id),
				ArchivedURL: "https://archive.example.org/sample/la-vega/" + lower(v.id),
				PostedAt:    v.posted, CapturedAt: v.captured, CapturedBy: collector,
				CaptureTool: "youtube-dl 2021.01.08 and a full-page capture (sample)",
			},
			Verification: &schema.Verification{
				SourceAnalysis:    "The account's history, location indicators and earlier posts were reviewed; the earliest copy found online is the one captured. The account is a placeholder in this sample.",
				TechnicalAnalysis: "The captured file was checked for signs of editing (frame-rate breaks, re-encoding, cuts); none found. Platform metadata was stripped on upload, so the time rests on the posting time and the content.",
				ContentAnalysis:   v.content,
				Geolocation:       &schema.Check{Status: "confirmed", Method: v.geo},
				Chronolocation:    &schema.Check{Status: "confirmed", Method: v.chrono},
				Status:            "verified", Confidence: v.confidence, Verifier: verifier,
				Date: at(v.verified).Format("2006-01-02"),
			},
			Sensitivity:    &schema.Sensitivity{Graphic: v.graphic, IdentifiablePersons: true},
			Classification: v.classification,
			Custody:        custodyOpenSource(captured, collector, "youtube-dl 2021.01.08", sha, at(v.verified)),
			Notes:          strings.TrimSpace(v.notes + stillFrameNote),
		}
		c.Evidence = append(c.Evidence, ev)
	}
	{
		rel := "evidence/photo/ev-0010-calle-los-bloques-photo.png"
		sha, e := w.frame(rel,
			synthetic+" - EV-0010 - not a real photograph",
			"casepack sample case: La Vega, Caracas, 6-9 January 2021",
			"Represents: PHOTOGRAPH - Calle los Bloques, same vantage point",
			"as EV-0005; the vehicles are police trucks; heavy police presence.",
			"No real image content. Built from public reporting.")
		check(e)
		c.Evidence = append(c.Evidence, schema.Evidence{
			ID: "EV-0010", Title: "Photograph of Calle los Bloques from the vantage point of EV-0005 (synthetic stand-in)", Type: "photo",
			Description: "A photograph taken from the same vantage point as the video [EV-0005]. It shows that the vehicles in the video are police trucks and that there is a heavy police presence in the area.",
			Files:       []schema.File{{Path: rel, Role: "original", SHA256: sha, MediaType: "image/png"}},
			ContentTime: "2021-01-08",
			Location:    located(caracas("La Vega", "Calle los Bloques, near the centre of La Vega"), 10.4745, -66.9452),
			Provenance: &schema.Provenance{
				SourceType: "witness", CapturedAt: "2021-01-11T15:00:00Z", CapturedBy: collector2,
				CaptureTool: "Original file received from the photographer by encrypted messaging (sample)",
			},
			Verification: &schema.Verification{
				SourceAnalysis:  "The photographer is known to the partner organisation and gave the original file.",
				ContentAnalysis: "Police markings are legible on three trucks; at least 15 officers are in view.",
				Geolocation:     &schema.Check{Status: "confirmed", Method: "Same apartment blocks, stairway and street layout as [EV-0005]."},
				Chronolocation:  &schema.Check{Status: "confirmed", Method: "The original file's metadata gives 8 January 2021 at 15:02 local time; the vehicles match those in [EV-0005]."},
				Status:          "verified", Confidence: "high", Verifier: verifier, Date: "2021-01-23",
			},
			Sensitivity:    &schema.Sensitivity{IdentifiablePersons: true},
			Classification: "confidential",
			Custody: []schema.Custody{
				{At: "2021-01-11T15:00:00Z", Actor: collector2, Action: "received", Location: office, Note: "Original file received from the photographer."},
				{At: "2021-01-11T15:03:00Z", Actor: collector2, Action: "hashed", Location: office, SHA256: sha},
				{At: "2021-01-11T15:40:00Z", Actor: archivist, Action: "stored", Location: store, SHA256: sha},
				{At: "2021-01-23T10:30:00Z", Actor: verifier, Action: "verified", Location: office},
			},
			Notes: "Kept confidential to protect the photographer. The file is a synthetic stand-in: the sample carries no real image.",
		})
	}

	// Photographs of the 14 bodies, one item per victim.
	for i, v := range victims {
		n := i + 1
		evID := fmt.Sprintf("EV-%04d", 10+n)
		vid := fmt.Sprintf("V-%02d", n)
		rel := fmt.Sprintf("evidence/photo/%s-body-%s.png", lower(evID), lower(vid))
		sha, e := w.frame(rel,
			synthetic+" - "+evID+" - not a real photograph",
			"casepack sample case: La Vega, Caracas, 6-9 January 2021",
			fmt.Sprintf("Represents: PHOTOGRAPHS of the body of Victim %02d (%s),", n, vid),
			"as reviewed by the external forensic pathologist (E-01).",
			"No real image content. Built from public reporting.")
		check(e)
		class := "confidential"
		if v.age < 18 {
			class = "confidential_ex_parte"
		}
		c.Evidence = append(c.Evidence, schema.Evidence{
			ID: evID, Title: fmt.Sprintf("Photographs of the body of Victim %02d (synthetic stand-in)", n), Type: "photo",
			Description: fmt.Sprintf("Photographs of the body of Victim %02d taken after death, obtained through the partner organisation and reviewed by the external forensic pathologist [EV-0025].", n),
			Files:       []schema.File{{Path: rel, Role: "original", SHA256: sha, MediaType: "image/png"}},
			ContentTime: v.died,
			Location:    caracas("La Vega", "La Vega parish (exact place withheld)"),
			Provenance:  &schema.Provenance{SourceType: "partner", CapturedAt: "2021-01-15T14:00:00Z", CapturedBy: collector2},
			Verification: &schema.Verification{
				SourceAnalysis:  "Taken by a relative or neighbour and passed to the partner organisation, which recorded who took them and when.",
				ContentAnalysis: "Reviewed by the external forensic pathologist E-01 for the location and kind of wounds [EV-0025].",
				Geolocation:     &schema.Check{Status: "not_attempted", Method: "Close-up photographs; the background does not allow a location to be confirmed."},
				Chronolocation:  &schema.Check{Status: "partly_confirmed", Method: "File metadata and the partner's record agree on the day; the hour is not confirmed."},
				Status:          "partly_verified", Confidence: "medium", Verifier: verifier, Date: "2021-02-06",
			},
			Sensitivity:    &schema.Sensitivity{Graphic: true, Minors: v.age < 18, IdentifiablePersons: true},
			Classification: class,
			Custody: custodyPartner(at("2021-01-15T14:00:00Z").Add(time.Duration(n)*time.Minute), sha,
				at("2021-02-05T13:00:00Z"), "E-01 (Forensic Expert 01)", "Reviewed by the external forensic pathologist on a working copy."),
			Notes: "Graphic. The identity of the deceased rests on the partner organisation's record and the family's recognition, not on the photograph.",
		})
	}

	// The forensic pathologist's report.
	{
		rel := "evidence/forensic/ev-0025-forensic-review-e01.md"
		sha, e := w.text(rel, forensicReport)
		check(e)
		c.Evidence = append(c.Evidence, schema.Evidence{
			ID: "EV-0025", Title: "Report of the external forensic pathologist on photographs of 14 bodies (synthetic stand-in)", Type: "forensic_report",
			Description: "Independent review, by an external forensic pathologist (E-01), of photographs of the 14 bodies ([EV-0011] to [EV-0024]). Seven bodies had gunshot wounds over the heart, two had single gunshot wounds immediately above the heart and two had single gunshot wounds to the head; for three the wounds could not be determined from the images.",
			Files:       []schema.File{{Path: rel, Role: "original", SHA256: sha, MediaType: "text/markdown", Language: "en"}},
			ContentTime: "2021-02-05",
			Provenance:  &schema.Provenance{SourceType: "own_investigation", CapturedBy: "E-01 (Forensic Expert 01)"},
			Verification: &schema.Verification{
				SourceAnalysis: "Commissioned by the sender from an independent forensic pathologist with no link to the parties; the expert's qualifications are on record (E-01).",
				Status:         "verified", Confidence: "high", Verifier: verifier, Date: "2021-02-08",
			},
			Sensitivity:    &schema.Sensitivity{Graphic: true, Minors: true},
			Classification: "confidential",
			Custody:        custodyOwn(at("2021-02-05T18:00:00Z"), "E-01 (Forensic Expert 01)", sha),
			Notes:          "Based on photographs only: no autopsy report, no examination of the bodies. The expert states the limits in the report.",
		})
	}

	// Testimonies of relatives, collected by local organisations.
	for i, r := range relatives {
		n := i + 1
		evID := fmt.Sprintf("EV-%04d", 25+n)
		base := fmt.Sprintf("evidence/testimony/%s-relative-%02d", lower(evID), n)
		age := victimAge(r.victim)
		esSHA, e := w.text(base+"-es.txt", testimonyES(n, r.relation, r.victim, r.day, age))
		check(e)
		enSHA, e := w.text(base+"-en.txt", testimonyEN(n, r.relation, r.victim, r.day, age))
		check(e)
		day := at(r.day + "T15:00:00Z")
		c.Evidence = append(c.Evidence, schema.Evidence{
			ID: evID, Title: fmt.Sprintf("Testimony of Relative %02d, %s of Victim %s (synthetic stand-in)", n, r.relation, r.victim[2:]), Type: "testimony",
			Description: fmt.Sprintf("Testimony of Relative %02d (R-%02d), %s of Victim %s (%s), collected by a local organisation in La Vega. Transcript in Spanish with an English translation.", n, n, r.relation, r.victim[2:], r.victim),
			Files: []schema.File{
				{Path: base + "-es.txt", Role: "transcript", SHA256: esSHA, MediaType: "text/plain", Language: "es"},
				{Path: base + "-en.txt", Role: "translation", SHA256: enSHA, MediaType: "text/plain", Language: "en"},
			},
			ContentTime: schema.When(r.day),
			Location:    caracas("La Vega", "La Vega parish (place of interview withheld)"),
			Provenance:  &schema.Provenance{SourceType: "partner", CapturedAt: stamp(day), CapturedBy: "Partner interviewer (pseudonymous)"},
			Verification: &schema.Verification{
				SourceAnalysis:  "Interview by a trained interviewer of the partner organisation, with informed consent recorded; the account was compared with the videos and the forensic review.",
				ContentAnalysis: "The account of entry without a warrant, a shot to the chest or head and removal of the body matches the modus operandi documented in the context reports [EV-0032].",
				Status:          "partly_verified", Confidence: "medium", Verifier: verifier, Date: "2021-01-28",
			},
			Classification: "confidential",
			ConsentIDs:     []string{fmt.Sprintf("C-%02d", n)},
			Custody: []schema.Custody{
				{At: stamp(day), Actor: "Partner interviewer (pseudonymous)", Action: "captured", Location: "La Vega (place withheld)", Note: "Interview recorded with consent; the audio stays with the partner organisation."},
				{At: stamp(day.Add(48 * time.Hour)), Actor: collector2, Action: "received", Location: office, Note: "Transcript and translation received from the partner."},
				{At: stamp(day.Add(48*time.Hour + 5*time.Minute)), Actor: collector2, Action: "hashed", Location: office, SHA256: esSHA, Note: "Digest of the Spanish transcript (" + base + "-es.txt); the translation was hashed at the same time."},
				{At: stamp(day.Add(49 * time.Hour)), Actor: archivist, Action: "stored", Location: store},
			},
			Notes: "The audio recording is held by the partner organisation and can be provided on request under protective measures.",
		})
	}

	// Complementarity: no public statement on an investigation.
	{
		png := "evidence/web/ev-0030-official-sites-search.png"
		log := "evidence/web/ev-0030-official-sites-search-log.txt"
		pngSHA, e := w.frame(png,
			synthetic+" - EV-0030 - not a real screen capture",
			"casepack sample case: La Vega, Caracas, 6-9 January 2021",
			"Represents: SCREEN CAPTURE of searches of the websites and accounts",
			"of the Ministerio Publico and the Defensoria del Pueblo: no results.",
			"No real content. Built from public reporting.")
		check(e)
		logSHA, e := w.text(log, searchLog)
		check(e)
		c.Evidence = append(c.Evidence, schema.Evidence{
			ID: "EV-0030", Title: "Searches of the Attorney General's Office and Ombudsman's Office websites and accounts: no statement on an investigation (synthetic stand-in)", Type: "web_capture",
			Description: "Captures of searches, run on 20 February 2021, of the websites and official social-media accounts of the Attorney General's Office (Ministerio Público) and the Ombudsman's Office (Defensoría del Pueblo) for any statement on the La Vega deaths of 6–9 January 2021. None announced the opening of an independent, prompt and impartial investigation.",
			Files: []schema.File{
				{Path: png, Role: "original", SHA256: pngSHA, MediaType: "image/png"},
				{Path: log, Role: "original", SHA256: logSHA, MediaType: "text/plain", Language: "en"},
			},
			ContentTime: "2021-02-20",
			Provenance: &schema.Provenance{
				SourceType: "open_source", Platform: "Official websites and accounts (addresses replaced by placeholders)",
				URL: "https://example.org/sample/official-site-search", CapturedAt: "2021-02-20T15:00:00Z", CapturedBy: collector,
				CaptureTool: "Full-page capture with the search log (sample)",
			},
			Verification: &schema.Verification{
				SourceAnalysis: "Official channels of the two institutions, identified from their own published contact pages.",
				Status:         "verified", Confidence: "medium", Verifier: verifier, Date: "2021-02-21",
			},
			Classification: "public",
			Custody:        custodyOpenSource(at("2021-02-20T15:00:00Z"), collector, "a full-page capture tool", pngSHA, at("2021-02-21T10:00:00Z")),
			Notes:          "An absence of public statements does not prove that no investigation exists; it shows that none was announced. The digest in the custody record is that of the screen capture; the log's digest is on its file entry.",
		})
	}

	// The official version, and context documents.
	docs := []struct {
		id, slug, title, typ, desc, body string
		day                              schema.When
		src, platform                    string
	}{
		{"EV-0031", "faes-commander-statement", "Public statement of the FAES commander on the La Vega operation, 8 January 2021, as reported (synthetic stand-in)", "official_statement",
			"The commander of the FAES publicly presented the operation's results on 8 January 2021 as alleged criminals killed in confrontations, and reported people arrested. This is the official version the submission tests. No death or injury among the security forces was reported.",
			officialStatement, "2021-01-08", "open_source", "Media reports of the statement (placeholders)"},
		{"EV-0032", "un-ffm-report-2020", "UN independent international Fact-Finding Mission on Venezuela, first report, September 2020 (A/HRC/45/33) — excerpt (synthetic stand-in)", "document",
			"The Mission's first report found that extrajudicial executions by the FAES and the CICPC were not isolated acts, and that between 2014 and 2020 there was a policy to combat crime, including by eliminating individuals perceived as \"criminals\" through extrajudicial execution.",
			ffmExcerpt, "2020-09", "official", "United Nations Human Rights Council (address replaced by a placeholder)"},
		{"EV-0033", "ohchr-report-2019", "UN High Commissioner for Human Rights, report on Venezuela, July 2019, recommending the dissolution of the FAES — excerpt (synthetic stand-in)", "document",
			"The High Commissioner recommended dissolving the FAES in view of the many reports of extrajudicial executions since its creation.",
			ohchrExcerpt, "2019-07", "official", "OHCHR (address replaced by a placeholder)"},
		{"EV-0034", "public-reporting-feb-2021", "International NGO public statement on La Vega, 18 February 2021 (AMR 53/3632/2021) — summary (synthetic stand-in)", "media_report",
			"Public reporting of an open-source investigation into the La Vega operation: at least 14 deaths between 6 and 9 January 2021, as many as 650 security-force agents deployed, nine videos verified, forensic review of photographs of 14 bodies, two victims aged 17, reports of ten further deaths, and no public statement on an investigation by the Attorney General's Office or the Ombudsman's Office.",
			publicReporting, "2021-02-18", "open_source", "NGO website (address replaced by a placeholder)"},
	}
	for _, d := range docs {
		rel := fmt.Sprintf("evidence/documents/%s-%s.txt", lower(d.id), d.slug)
		sha, e := w.text(rel, d.body)
		check(e)
		captured := at(string(d.day)[:7] + "-01T12:00:00Z")
		if len(d.day) == 10 {
			captured = at(string(d.day) + "T20:00:00Z")
		}
		if d.id == "EV-0032" || d.id == "EV-0033" {
			captured = at("2021-01-12T10:00:00Z")
		}
		c.Evidence = append(c.Evidence, schema.Evidence{
			ID: d.id, Title: d.title, Type: d.typ, Description: d.desc,
			Files:       []schema.File{{Path: rel, Role: "working", SHA256: sha, MediaType: "text/plain", Language: "en"}},
			ContentTime: d.day,
			Provenance: &schema.Provenance{
				SourceType: d.src, Platform: d.platform,
				URL: "https://example.org/sample/" + d.slug, CapturedAt: stamp(captured), CapturedBy: collector,
			},
			Verification: &schema.Verification{
				SourceAnalysis: "Published by the named body on its own channel; the text was compared with other copies.",
				Status:         "verified", Confidence: "high", Verifier: verifier, Date: "2021-02-22",
			},
			Classification: "public",
			Custody:        custodyOpenSource(captured, collector, "a full-page capture tool", sha, at("2021-02-22T10:00:00Z")),
			Notes:          "The file is a short synthetic stand-in that paraphrases the public document; it is not the document itself.",
		})
	}
	if err != nil {
		return nil, err
	}

	c.Incidents = incidents()
	c.Persons = append(persons(), personsOfInterest()...)
	c.PotentialCases = potentialCases()
	c.Units = units()
	c.Consents = consents()
	c.Authorities = authorities()
	return c, nil
}

const stillFrameNote = " The file is a synthetic still frame standing in for the video: the sample carries no real footage."

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// victimAge is the synthetic age of the victim with the given ID (V-01…).
func victimAge(id string) int {
	var n int
	if _, err := fmt.Sscanf(id, "V-%d", &n); err != nil || n < 1 || n > len(victims) {
		panic("mkevidence: no victim " + id)
	}
	return victims[n-1].age
}
