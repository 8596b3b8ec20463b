package main

import (
	"fmt"
	"sort"

	"github.com/casepack/casepack/schema"
)

func submission() schema.Submission {
	return schema.Submission{
		ID:             "OCDH-2021-LV-001",
		Title:          "La Vega, Caracas, 6–9 January 2021: probable extrajudicial executions of 14 men — information for the preliminary examination Venezuela I",
		Kind:           "art15_communication",
		Date:           "2021-02-26",
		Version:        "1",
		Classification: "confidential",
		// Written in English, with the title, requests and analysis in
		// French and Spanish too (translations.go); the Spanish transcripts
		// carry their own language on their files.
		Languages: []string{"en", "fr", "es"},
		Place:     "Caracas",
		Signatories: []schema.Signatory{
			{Name: "Sample Counsel (placeholder)", Role: "Legal representative"},
			{Name: "Sample Director (placeholder)", Role: "Executive director"},
		},
		Sender: schema.Sender{
			Organisation:  org,
			ContactPerson: "Sample Contact",
			Email:         "sample.contact@example.org",
			Phone:         "+58 000 000 0000 (placeholder)",
			Address:       "Apartado postal 0000, Caracas, Venezuela (fictional)",
			Mandate: "The Observatorio Ciudadano de Derechos Humanos is a fictional organisation invented for this sample. " +
				"It stands for a Venezuelan civil-society group that documents killings by security forces in poor neighbourhoods of Caracas, " +
				"works with local organisations that support victims' families, and preserves open-source material under the Berkeley Protocol.",
		},
		Recipient: schema.Recipient{
			Body:          "Office of the Prosecutor, International Criminal Court",
			SituationCode: "ICC-02/18",
			SituationName: "Venezuela I",
			Stage:         "preliminary_examination",
			Channel:       "otplink",
		},
		Requests: []schema.Request{
			{ID: "REQ-01", Text: "Include the killings of at least 14 men in La Vega parish, Caracas, between 6 and 9 January 2021 in the preliminary examination of the situation in Venezuela I, as murder as a crime against humanity under article 7(1)(a) of the Rome Statute, committed as part of an attack directed against young men of poor neighbourhoods that is distinct from the attack on political opponents already identified by the Office [EV-0025] [EV-0032] [EV-0034]."},
			{ID: "REQ-02", Text: "Examine the responsibility of the commanders of the Fuerzas de Acciones Especiales (FAES) and of the other units of the Policía Nacional Bolivariana deployed in the operation, including the UOTE and personnel bearing CPNB insignia, and in particular of the commander of the FAES who presented the operation's results (AP-01) [EV-0004] [EV-0006] [EV-0031]."},
			{ID: "REQ-03", Text: "Treat this communication and its annexes as confidential under rule 46 of the Rules of Procedure and Evidence [RPE rule 46], take the protective measures the safety and privacy of the relatives call for [RS art. 68(1)], and do not disclose the identity of the relatives who gave testimony (R-01 to R-04) or of the persons who filmed the videos without their prior consent [EV-0026] [EV-0027] [EV-0028] [EV-0029]."},
			{ID: "REQ-04", Text: "Take into account, in the admissibility assessment, that no domestic authority has announced an investigation into these deaths [EV-0030]."},
		},
		Protection: "**Persons at risk.** The relatives who gave testimony (R-01 to R-04) still live in La Vega and fear reprisals; the residents who filmed the videos [EV-0005] [EV-0006] [EV-0007] [EV-0008] and took the photograph [EV-0010] could be identified from their vantage points. They appear only by pseudonym.\n\n" +
			"**Consent.** Each relative consented to the recording of the testimony and its sharing with the ICC (C-01 to C-04); none consented to publication.\n\n" +
			"**Requests.** Confidential treatment under rule 46 of the Rules of Procedure and Evidence [RPE rule 46] of the information the Office receives under article 15(2) [RS art. 15(2)]; protection of the relatives' safety, well-being and privacy [RS art. 68(1)]; prior consultation before any disclosure; the photographs of the bodies of the two 17-year-old victims [EV-0015] [EV-0022] are classified ex parte. The sender does not ask that any item be received only to generate new evidence [RS art. 54(3)(e)]: should a case reach trial, the Prosecutor's duties of disclosure to the defence [RS art. 67(2)] [RPE rule 77] may require that evidence be disclosed, with the protective measures the Court orders, and the relatives have been told so.\n\n" +
			"**Public edition.** A public edition exists; it withholds every item not marked public and all identifying details.",
		// With their incident, an age band would single out four of the
		// victims (casepack check-edition): the public edition omits ages.
		// The person of interest is known only by the post whose holder
		// made a public statement: the public edition may show what is
		// alleged against the post.
		PublicEdition: &schema.PublicEdition{Victims: &schema.PersonPolicy{Age: "omit"}, PersonsOfInterest: "keep"},
	}
}

func analysis() schema.Analysis {
	return schema.Analysis{
		Summary: "Between 6 and 9 January 2021, during an operation in which as many as 650 agents of the Venezuelan security forces were deployed in La Vega parish, Libertador municipality, Caracas, at least 14 men were killed [EV-0034]. Two of them were 17 years old [EV-0027] [EV-0034]. " +
			"Nine verified videos show police convoys entering La Vega on the morning of 8 January [EV-0001] [EV-0002], police at its border on Av. Guzmán Blanco [EV-0003], officers with UOTE badges at the Gimnasio Vertical [EV-0004], gunfire in Calle los Bloques [EV-0005] and Calle 1 de Mayo [EV-0006] [EV-0007] [EV-0008], and a police pick-up truck leaving La Vega along Calle Zulia with what appear to be bodies [EV-0009].\n\n" +
			"The authorities presented the deaths as the result of confrontations: \"resistance to authority\" [EV-0031]. The evidence contradicts that version. An external forensic pathologist who reviewed photographs of the 14 bodies found gunshot wounds over the heart on seven, single gunshot wounds immediately above the heart on two and single gunshot wounds to the head on two [EV-0025]. No member of the security forces was reported killed or injured [EV-0031]. Relatives describe officers entering homes without a warrant and shooting young men who offered no resistance [EV-0026] [EV-0027] [EV-0028] [EV-0029].\n\n" +
			"We submit that these are murders under article 7(1)(a) of the Rome Statute, committed as part of a systematic attack directed against young men of poor neighbourhoods that UN bodies have documented since 2014 [EV-0032] — an attack distinct from the one against political opponents that the Office has already found in Venezuela — and that no domestic investigation has been announced [EV-0030]. We ask the Office to include these facts in its preliminary examination (REQ-01 to REQ-04).",
		Methodology: "**Open-source material.** Videos and posts were found by systematic searches of social-media platforms for place names in La Vega between 6 and 12 January 2021. Each item was captured with its page, hashed with SHA-256 at once and stored in a write-once store; every later step is recorded in its chain of custody. Verification followed the Berkeley Protocol on Digital Open Source Investigations [BP]: source analysis (who posted it first, and where from), technical analysis (signs of editing, metadata) and content analysis, with geolocation against satellite and street-level imagery and chronolocation from posting times, shadows and the sequence between videos. Nine videos were verified [EV-0001] [EV-0002] [EV-0003] [EV-0004] [EV-0005] [EV-0006] [EV-0007] [EV-0008] [EV-0009], as was a photograph taken from the vantage point of one of them [EV-0010].\n\n" +
			"**Forensic review.** Photographs of the 14 bodies, obtained through a local partner organisation [EV-0011] to [EV-0024], were reviewed by an independent forensic pathologist (E-01), who reported on the location and kind of wounds and on the limits of a review from photographs, following the Minnesota Protocol as far as photographs allow [EV-0025] [MN]. No autopsy report was available. The expert's findings are assessments from photographs; the narrative words them so, and does not present them as established causes of death.\n\n" +
			"**Testimonies.** Local organisations interviewed relatives of the victims after explaining the purpose, the risks and the right to withdraw; consent was recorded (C-01 to C-04). Transcripts and translations are annexed [EV-0026] [EV-0027] [EV-0028] [EV-0029].\n\n" +
			"**Impartiality and limits.** The official version was recorded and tested against the evidence [EV-0031]. The individual officer who fired each shot is not identified. The wounds of three victims could not be determined from the images. Reports of ten further deaths during the operation [EV-0034] could not be verified and are not part of this submission.",
		Context: "The Office opened a preliminary examination of the situation in Venezuela (Venezuela I) on 8 February 2018, on crimes since at least April 2017. On 27 September 2018 six States Parties referred the situation, covering crimes since 12 February 2014 (situation ICC-02/18). In December 2020 the Office found a reasonable basis to believe that crimes against humanity of imprisonment, torture, rape and other sexual violence, and persecution on political grounds had been committed since at least April 2017. Murder was not among them.\n\n" +
			"United Nations bodies have documented a pattern of killings by security forces in poor neighbourhoods presented as confrontations. The independent international Fact-Finding Mission found in September 2020 that the extrajudicial executions by the FAES and the CICPC were not isolated acts and that between 2014 and 2020 there was a policy to combat crime, including by eliminating individuals perceived as \"criminals\" through extrajudicial execution [EV-0032]. The UN High Commissioner for Human Rights recommended the dissolution of the FAES [EV-0033].\n\n" +
			"The units deployed in La Vega belong to the Policía Nacional Bolivariana: the FAES, the UOTE [EV-0004] and personnel bearing CPNB insignia [EV-0006]. The La Vega operation follows the documented pattern: a large deployment, young men killed at home or nearby with shots to the chest or head, the deaths reported as \"resistance to authority\" [EV-0031] [EV-0034].",
		Jurisdiction: &schema.Jurisdiction{
			Temporal:           "Venezuela ratified the Rome Statute on 7 June 2000; the Court has jurisdiction over crimes committed on its territory since 1 July 2002 [RS arts. 11, 126]. The killings took place between 6 and 9 January 2021 [EV-0034], within the period of the referral (since 12 February 2014) and of the Office's examination (since at least April 2017).",
			Territorial:        "The killings took place in La Vega parish, Libertador municipality, Distrito Capital (Caracas), on the territory of a State Party [RS art. 12(2)(a)]. The places are established by verified videos: Avenida O'Higgins [EV-0001] [EV-0002], Av. Guzmán Blanco [EV-0003], the Gimnasio Vertical [EV-0004], Calle los Bloques [EV-0005] [EV-0010], Calle 1 de Mayo [EV-0006] [EV-0007] [EV-0008] and Calle Zulia [EV-0009].",
			SubjectMatter:      "The killings are murder as a crime against humanity under article 7(1)(a) [RS art. 7(1)(a); EoC art. 7(1)(a)]: state agents caused the death of at least 14 men [EV-0025] [EV-0034]. The elements are set out for the operation as a whole (INC-01). Arrests reported by the FAES commander [EV-0031] may amount to imprisonment under article 7(1)(e) [RS art. 7(1)(e)]; they are not characterised here for lack of verified detail.",
			ContextualElements: "The Office's finding of December 2020 concerns an attack on political opponents: imprisonment, torture, sexual violence and persecution. The killings of La Vega belong to another course of conduct, against young men of poor neighbourhoods, which this submission pleads as a separate attack, element by element. What the public reporting cannot show is said so.",
			Contextual:         contextualElements(),
		},
		Admissibility: &schema.Admissibility{
			Complementarity: "As of 20 February 2021 neither the Attorney General's Office (Ministerio Público) nor the Ombudsman's Office (Defensoría del Pueblo) had made any public statement on opening an independent, prompt and impartial investigation into the La Vega deaths [EV-0030] [EV-0034]. Inactivity makes a case admissible [RS art. 17(1)(a)]. Were an investigation opened, its genuineness would be in doubt: international bodies have for years reported a lack of independence and impartiality in the Venezuelan justice system and impunity for killings by the FAES [EV-0032] [EV-0033].",
			Gravity: &schema.Gravity{
				Scale:  "Gravity is assessed by the scale, nature, manner of commission and impact of the crimes [OTP-PE]. At least 14 men were killed in four days in a single parish [EV-0034], with reports of ten further deaths. Some 650 agents were deployed. Fourteen families lost a son, brother, father or partner [EV-0026] [EV-0027] [EV-0028] [EV-0029].",
				Nature: "Killings: the gravest harm. Two victims were children aged 17 [EV-0027] [EV-0034]; the photographs of their bodies are classified ex parte [EV-0015] [EV-0022].",
				Manner: "Shots to the most vulnerable parts of the body — over the heart on seven, just above it on two, the head on two [EV-0025] — are inconsistent with an exchange of fire and consistent with executions. No security-force casualties were reported [EV-0031]. Bodies were removed from the scene [EV-0009]. The perpetrators acted with the authority and equipment of the State [EV-0001] [EV-0004].",
				Impact: "The operation spread fear in La Vega; families report threats and the stigma of their sons being labelled criminals [EV-0026] [EV-0028]. Continued impunity [EV-0030] tells the community that such killings carry no cost.",
			},
		},
		InterestsOfJustice: "The relatives who gave testimony want the deaths investigated and those responsible held to account, and consented to share their accounts with the Court [EV-0026] [EV-0027] [EV-0028] [EV-0029]. There is a presumption in favour of proceeding; we know of no substantial reason to believe that an investigation would not serve the interests of justice.",
		Conclusions:        "There is a reasonable basis to believe that at least 14 men were murdered in La Vega between 6 and 9 January 2021 [EV-0025] [EV-0034], as part of a systematic attack directed against young men of poor neighbourhoods [EV-0032], and that no domestic investigation has been announced [EV-0030]. We ask the Office to include these facts in its examination (REQ-01), to examine the responsibility of the units involved (REQ-02), to protect the persons who provided information (REQ-03) and to take the absence of domestic proceedings into account (REQ-04).",
	}
}

func incidents() []schema.Incident {
	photos := make([]string, 14)
	for i := range photos {
		photos[i] = fmt.Sprintf("EV-%04d", 11+i)
	}
	testimonies := []string{"EV-0026", "EV-0027", "EV-0028", "EV-0029"}
	cat := func(lists ...[]string) []string {
		var out []string
		for _, l := range lists {
			out = append(out, l...)
		}
		sort.Strings(out)
		return out
	}
	return []schema.Incident{
		{
			ID: "INC-01", Title: "Security operation in La Vega parish, Caracas, in which at least 14 men were killed",
			Start: "2021-01-06", End: "2021-01-09",
			Location: *caracas("La Vega", "La Vega parish (the whole area of the operation)"),
			Description: "Residents reported police presence in La Vega from 6 January 2021. On 8 January as many as 650 agents of the security forces, among them the FAES and other units of the Policía Nacional Bolivariana, were deployed in the parish, officially because of clashes between gangs and police [EV-0034]. Convoys entered the parish that morning [EV-0001] [EV-0002] [EV-0003] (incident INC-02); gunfire followed in Calle los Bloques and Calle 1 de Mayo (INC-03); a police pick-up truck was filmed leaving along Calle Zulia with what appear to be bodies (INC-04).\n\n" +
				"At least 14 men died during the operation, which lasted until 9 January; two were 17 years old. Three were killed at or near their homes on 6 and 7 January, before the main deployment; nine during the gunfire of 8 and 9 January (INC-03); two on 9 January, whose bodies relatives say the police took away (INC-04). An external forensic pathologist found, on photographs of the 14 bodies, gunshot wounds over the heart on seven, single gunshot wounds immediately above the heart on two and single gunshot wounds to the head on two; the wounds of the other three could not be determined [EV-0025]. Relatives describe officers entering homes without a warrant, immobilising the young man and shooting him inside or just outside the house, then removing the body [EV-0026] [EV-0027] [EV-0028] [EV-0029]. No member of the security forces was reported killed or injured.",
			OfficialVersion: "On 8 January 2021 the commander of the FAES publicly presented the operation's results as alleged criminals killed in confrontations with the police, and reported people arrested; the deaths were classified as \"resistance to authority\" [EV-0031].",
			Characterisation: []schema.Characterisation{{
				Article: "7(1)(a)", Label: "Murder as a crime against humanity",
				Elements: []schema.Element{
					{
						Element:     "The perpetrator killed one or more persons.",
						Assessment:  "supported",
						Argument:    "Fourteen men died of violence during the operation [EV-0034]. The wounds reviewed on 11 of the 14 bodies are gunshot wounds over or just above the heart or to the head [EV-0025], seen on the photographs [EV-0011] to [EV-0024]. Police fired in the streets [EV-0006] [EV-0007] and carried away what appear to be bodies [EV-0009]; relatives describe the shootings [EV-0026] [EV-0027] [EV-0028] [EV-0029].",
						EvidenceIDs: cat(photos, []string{"EV-0025"}, testimonies, []string{"EV-0006", "EV-0007", "EV-0009", "EV-0034"}),
					},
					{
						Element:     "The conduct was committed as part of a widespread or systematic attack directed against a civilian population.",
						Assessment:  "supported",
						Argument:    "The victims were civilians: residents of La Vega, young men, with nothing to show that they took part in hostilities, and no security-force casualty was reported [EV-0031]. The operation was planned and large [EV-0001] [EV-0002] [EV-0003] [EV-0004] and its killings follow the pattern of executions presented as confrontations that UN bodies documented from 2014 to 2020 [EV-0032] [EV-0033].",
						EvidenceIDs: []string{"EV-0001", "EV-0002", "EV-0003", "EV-0004", "EV-0005", "EV-0008", "EV-0010", "EV-0031", "EV-0032", "EV-0033", "EV-0034"},
					},
					{
						Element:     "The perpetrator knew that the conduct was part of or intended the conduct to be part of a widespread or systematic attack directed against a civilian population.",
						Assessment:  "unsupported",
						Note:        "The officers who fired are not identified; their knowledge is inferred from public reports and the commander's statement, not shown (see the contextual element of knowledge).",
						Argument:    "The officers acted in organised units under command, in uniform and with insignia [EV-0004] [EV-0006]; their units have long been publicly named for the same practice [EV-0032] [EV-0033]; their commander presented the deaths as results [EV-0031]. Knowledge of individual officers is inferred, not shown directly.",
						EvidenceIDs: []string{"EV-0004", "EV-0006", "EV-0031", "EV-0032", "EV-0033"},
					},
				},
			}},
			VictimIDs:   victimsOf("INC-01"),
			UnitIDs:     []string{"U-PNB", "U-FAES", "U-UOTE"},
			EvidenceIDs: cat([]string{"EV-0001", "EV-0002", "EV-0003", "EV-0004", "EV-0005", "EV-0006", "EV-0007", "EV-0008", "EV-0009", "EV-0010"}, photos, []string{"EV-0025"}, testimonies, []string{"EV-0030", "EV-0031", "EV-0034"}),
		},
		{
			ID: "INC-02", Title: "Police convoys deployed toward and into La Vega",
			Start: "2021-01-08", End: "2021-01-08",
			Location:    *caracas("", "Avenida O'Higgins, Av. Guzmán Blanco (border of La Vega parish) and the Gimnasio Vertical (La Vega)"),
			Description: "On the morning of 8 January 2021 a convoy of police vehicles drove south down Avenida O'Higgins toward La Vega [EV-0001] [EV-0002]. Police and their vehicles took position on Av. Guzmán Blanco, at the border of La Vega parish [EV-0003]. Local media filmed a heavy police presence near the Gimnasio Vertical, with vehicles, weapons, armour and UOTE badges [EV-0004].",
			UnitIDs:     []string{"U-PNB", "U-FAES", "U-UOTE"},
			EvidenceIDs: []string{"EV-0001", "EV-0002", "EV-0003", "EV-0004"},
		},
		{
			ID: "INC-03", Title: "Police gunfire in Calle los Bloques and Calle 1 de Mayo, La Vega",
			Start: "2021-01-08", End: "2021-01-09",
			Location:    *caracas("La Vega", "Calle los Bloques and Calle 1 de Mayo"),
			Description: "Gunshots are heard at Calle los Bloques, near the centre of La Vega, where a photograph from the same vantage point shows police trucks and a heavy police presence [EV-0005] [EV-0010]. Deep in La Vega, around Calle 1 de Mayo, a gunshot is heard at about 20 seconds and an officer ducks [EV-0006 @ 0:20]; at about 30 seconds he aims his gun from cover where other police wait [EV-0006 @ 0:30]; CPNB and Policía Nacional Bolivariana insignia are visible [EV-0006]. Other videos show the same street as gunshots ring out [EV-0007] and armed police patrolling [EV-0008].",
			VictimIDs:   victimsOf("INC-03"),
			UnitIDs:     []string{"U-PNB"},
			EvidenceIDs: cat([]string{"EV-0005", "EV-0006", "EV-0007", "EV-0008", "EV-0010"}, photosOf("INC-03")),
		},
		{
			ID: "INC-04", Title: "Police pick-up truck carrying apparent bodies west along Calle Zulia",
			Start: "2021-01-09", End: "2021-01-09",
			Location:    *caracas("La Vega", "Calle Zulia, heading west out of La Vega parish"),
			Description: "Filmed from above the street, a police pick-up truck drives westward along Calle Zulia out of La Vega parish with what appear to be bodies in the back [EV-0009]. Moving bodies away from where they fell prevents a crime-scene investigation; relatives describe the same practice [EV-0026] [EV-0029].",
			VictimIDs:   victimsOf("INC-04"),
			UnitIDs:     []string{"U-PNB"},
			EvidenceIDs: cat([]string{"EV-0009"}, photosOf("INC-04")),
		},
	}
}

func persons() []schema.Person {
	var out []schema.Person
	for i, v := range victims {
		n := i + 1
		id := fmt.Sprintf("V-%02d", n)
		photo := fmt.Sprintf("EV-%04d", 10+n)
		// The review was of photographs only: it assesses a cause where the
		// wounds could be seen and says plainly where they could not; it
		// does not establish a manner of death, so none is recorded.
		d := &schema.Death{
			Date: v.died, IncidentID: v.inc,
			Place:              deathPlace[v.inc],
			OfficialCauseClaim: "\"Resistance to authority\": killed in a confrontation with police",
			CauseCertainty:     schema.CertaintyAssessed,
		}
		review := &schema.ForensicReview{
			ExpertID: "E-01", Date: "2021-02-05", Materials: []string{photo}, ReportEvidenceID: "EV-0025",
			Limitations: "Review of photographs only; no autopsy report, no examination of the body, clothing or projectiles. Range and trajectory cannot be established.",
		}
		switch v.wound {
		case "heart":
			d.Cause = "Gunshot wound to the chest, over the heart"
			d.Wounds = []schema.Wound{{Location: "chest, over the heart", Type: "gunshot", Count: 1,
				Note: "At least one entry wound over the heart on the photographs; whether there are others cannot be seen."}}
			review.Findings = "Gunshot wound over the heart, a location consistent with a deliberate shot to a vital area rather than with crossfire [EV-0025]."
		case "above":
			d.Cause = "Single gunshot wound to the chest, immediately above the heart"
			d.Wounds = []schema.Wound{{Location: "chest, immediately above the heart", Type: "gunshot", Count: 1,
				Note: "A single entry wound immediately above the heart on the photographs."}}
			review.Findings = "A single gunshot wound immediately above the heart [EV-0025]."
		case "head":
			d.Cause = "Single gunshot wound to the head"
			d.Wounds = []schema.Wound{{Location: "head", Type: "gunshot", Count: 1,
				Note: "A single entry wound to the head on the photographs."}}
			review.Findings = "A single gunshot wound to the head [EV-0025]."
		default:
			d.CauseCertainty = schema.CertaintyNotDeterminable
			review.Findings = "The wounds could not be determined from the images available [EV-0025]."
		}
		d.ForensicReview = review
		attribute(d, id)
		p := schema.Person{
			ID: id, Pseudonym: fmt.Sprintf("Victim %02d", n), Roles: []string{"victim"},
			Sex: "male", Age: ptr(v.age), Minor: ptr(v.age < 18),
			ResidenceArea: "La Vega parish, Caracas",
			EvidenceIDs:   append([]string{photo}, v.videos...),
			Death:         d,
		}
		if n == 1 {
			// One record exercises the public edition: its protected details
			// are obvious placeholders, never a real name.
			p.Protected = &schema.Protected{
				FullName: "[withheld — sample placeholder name V-01]",
				Notes:    "Synthetic placeholder: this sample holds no real identities.",
			}
		}
		out = append(out, p)
	}
	out = append(out, schema.Person{
		ID: "E-01", Pseudonym: "Forensic Expert 01", Roles: []string{"expert"},
		Qualification: "Forensic pathologist, independent of the parties, with long practice in medico-legal death investigation and in the review of photographic material under the Minnesota Protocol (synthetic particulars).",
		EvidenceIDs:   []string{"EV-0025"},
	})
	sexes := []string{"female", "female", "male", "female"}
	for i := range relatives {
		n := i + 1
		p := schema.Person{
			ID: fmt.Sprintf("R-%02d", n), Pseudonym: fmt.Sprintf("Relative %02d", n), Roles: []string{"relative", "witness"},
			Sex: sexes[i], ResidenceArea: "La Vega parish, Caracas",
			ConsentIDs:  []string{fmt.Sprintf("C-%02d", n)},
			EvidenceIDs: []string{fmt.Sprintf("EV-%04d", 25+n)},
		}
		if n == 1 {
			p.Protected = &schema.Protected{
				FullName: "[withheld — sample placeholder name R-01]",
				Contacts: []string{"[withheld — sample placeholder contact R-01]"},
			}
		}
		out = append(out, p)
	}
	return out
}

// deathPlace is where the victims of each incident died, as precisely as
// the sample says.
var deathPlace = map[string]string{
	"INC-01": "At or near their homes in La Vega parish, Caracas (exact place withheld)",
	"INC-03": "Calle los Bloques and Calle 1 de Mayo area, La Vega, Caracas (exact place withheld)",
	"INC-04": "La Vega parish, Caracas; the bodies were removed along Calle Zulia (exact place withheld)",
}

// photosOf lists the photographs of the bodies of an incident's victims.
func photosOf(inc string) []string {
	var out []string
	for i, v := range victims {
		if v.inc == inc {
			out = append(out, fmt.Sprintf("EV-%04d", 11+i))
		}
	}
	return out
}

// authorities are the legal sources the analysis cites. The titles are
// those of the public documents; pinpoints cite articles and rules only.
func authorities() []schema.Authority {
	return []schema.Authority{
		{ID: "RS", Kind: "statute", Title: "Rome Statute of the International Criminal Court, adopted 17 July 1998, 2187 UNTS 90", Short: "Rome Statute", Date: "1998-07-17"},
		{ID: "RPE", Kind: "rules", Title: "Rules of Procedure and Evidence of the International Criminal Court, ICC-ASP/1/3 (2002)", Short: "Rules of Procedure and Evidence", Date: "2002-09-09"},
		{ID: "EoC", Kind: "elements", Title: "Elements of Crimes of the International Criminal Court (2011)", Short: "Elements of Crimes", Date: "2011"},
		{ID: "OTP-PE", Kind: "policy", Title: "Office of the Prosecutor, Policy Paper on Preliminary Examinations, November 2013", Short: "OTP Policy Paper on Preliminary Examinations", Date: "2013-11"},
		{ID: "BP", Kind: "other", Title: "Berkeley Protocol on Digital Open Source Investigations, OHCHR and Human Rights Center, UC Berkeley School of Law, HR/PUB/20/2 (2020)", Short: "Berkeley Protocol", Date: "2020"},
		{ID: "OTP-CS", Kind: "policy", Title: "Office of the Prosecutor, Policy Paper on Case Selection and Prioritisation, 15 September 2016", Short: "OTP Policy Paper on Case Selection", Date: "2016-09-15"},
		{ID: "Kenya-15", Kind: "case_law", Title: "Situation in the Republic of Kenya, Decision Pursuant to Article 15 of the Rome Statute on the Authorization of an Investigation into the Situation in the Republic of Kenya, Pre-Trial Chamber II, 31 March 2010", Short: "Kenya article 15 decision", Date: "2010-03-31", Reference: "ICC-01/09-19-Corr"},
		{ID: "Katanga-TJ", Kind: "case_law", Title: "The Prosecutor v. Germain Katanga, Judgment pursuant to article 74 of the Statute, Trial Chamber II, 7 March 2014", Short: "Katanga trial judgment", Date: "2014-03-07", Reference: "ICC-01/04-01/07-3436-tENG"},
		{ID: "MN", Kind: "other", Title: "The Minnesota Protocol on the Investigation of Potentially Unlawful Death (2016), OHCHR, HR/PUB/17/4 (2017)", Short: "Minnesota Protocol", Date: "2017"},
	}
}

func units() []schema.Unit {
	return []schema.Unit{
		{
			ID: "U-PNB", Name: "Policía Nacional Bolivariana", NameEN: "Bolivarian National Police", Acronym: "PNB", Type: "police",
			// CPNB is the corps' formal name, seen on insignia beside PNB in
			// the same footage: one force, not two.
			Aliases:     []string{"CPNB", "Cuerpo de Policía Nacional Bolivariana"},
			Description: "The national police force, also named Cuerpo de Policía Nacional Bolivariana (CPNB), whose insignia are seen beside PNB insignia on the same uniforms [EV-0006]. Its vehicles and officers are seen throughout the operation [EV-0001] [EV-0006] [EV-0010].",
			EvidenceIDs: []string{"EV-0001", "EV-0002", "EV-0006", "EV-0009", "EV-0010"},
		},
		{
			ID: "U-FAES", Name: "Fuerzas de Acciones Especiales", NameEN: "Special Action Forces", Acronym: "FAES", Type: "police",
			Superiors: []schema.Superior{{
				SuperiorID: "U-PNB", Relation: "part_of", To: "2021-01-09", Status: schema.StatusReported,
				Qualifier:   "as UN bodies describe it",
				EvidenceIDs: []string{"EV-0032", "EV-0033"},
			}},
			Description: "Special unit of the Policía Nacional Bolivariana. The UN Fact-Finding Mission found its extrajudicial executions were not isolated acts [EV-0032]; the UN High Commissioner recommended its dissolution [EV-0033]. Its commander presented the results of the La Vega operation [EV-0031].",
			EvidenceIDs: []string{"EV-0002", "EV-0031", "EV-0032", "EV-0033"},
		},
		{
			ID: "U-UOTE", Name: "Unidad de Operaciones Tácticas Especiales", NameEN: "Special Tactics Operational Unit", Acronym: "UOTE", Type: "police",
			Superiors: []schema.Superior{{
				SuperiorID: "U-PNB", Relation: "part_of", Status: schema.StatusAssumed,
				Qualifier:   "working assumption of the sender, from the UOTE badges seen beside PNB vehicles in EV-0004",
				EvidenceIDs: []string{"EV-0004"},
			}},
			Description: "UOTE badges are visible on officers near the Gimnasio Vertical [EV-0004].",
			EvidenceIDs: []string{"EV-0004"},
		},
	}
}

func consents() []schema.Consent {
	var out []schema.Consent
	methods := []string{"oral_recorded", "written", "oral_recorded", "written"}
	for i, r := range relatives {
		scope := []string{"record", "share_icc"}
		if i%2 == 1 {
			scope = append(scope, "share_national")
		}
		out = append(out, schema.Consent{
			ID: fmt.Sprintf("C-%02d", i+1), PersonID: fmt.Sprintf("R-%02d", i+1),
			Date: r.day, Method: methods[i], Scope: scope,
		})
	}
	return out
}
