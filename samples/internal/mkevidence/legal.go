package main

import (
	"fmt"

	"github.com/casepack/casepack/schema"
)

// The legal model of the La Vega sample: the contextual elements argued
// one by one, the person of interest, who caused each death and the
// potential case. It stays within what the public reporting supports:
// where it cannot show an element, the element says so in its note and the
// checklist keeps it open. The person of interest is known only by post;
// no name is given or invented.

func contextualElements() []schema.ContextualElement {
	return []schema.ContextualElement{
		{
			Element:    schema.ContextAttack,
			Assessment: "partly_supported",
			Argument: "A course of conduct involving the multiple commission of acts under article 7(1) [RS art. 7(2)(a)]: killings of young men of poor neighbourhoods by security forces in operations presented as confrontations, documented from 2014 to 2020 [EV-0032] and continuing in La Vega [EV-0034]. " +
				"The population attacked is civilian: residents, nothing indicating that they took part in hostilities, and no security-force casualty reported [EV-0031]. " +
				"This is not the attack the Office found in December 2020, whose victims were political opponents; it is pleaded on its own [Kenya-15].",
			EvidenceIDs: []string{"EV-0031", "EV-0032", "EV-0034"},
			Note:        "The course of conduct beyond La Vega rests on UN findings [EV-0032], not on evidence this submission gathered.",
		},
		{
			Element: schema.ContextWidespread,
			Note:    "Not argued: the public reporting supports one operation with at least 14 deaths in one parish; the number of such killings across Venezuela is documented by UN bodies [EV-0032] but not by this submission. The attack is pleaded as systematic.",
		},
		{
			Element:    schema.ContextSystematic,
			Assessment: "partly_supported",
			Argument: "The same modus operandi recurs: entry without a warrant, a shot to a vital area, alteration of the scene or removal of the body, and a report of \"resistance to authority\" [EV-0026] [EV-0027] [EV-0028] [EV-0029] [EV-0032]. " +
				"The deployment of some 650 agents with convoys of vehicles shows organisation [EV-0001] [EV-0002] [EV-0003] [EV-0034]; the wounds are those of aimed shots, not of crossfire [EV-0025].",
		},
		{
			Element:    schema.ContextPolicy,
			Assessment: "partly_supported",
			Argument:   "The Fact-Finding Mission found a policy to combat crime, including by eliminating individuals perceived as criminals through extrajudicial execution [EV-0032] [Katanga-TJ]; the FAES commander's public presentation of the deaths as results of the operation is consistent with it [EV-0031].",
			Note:       "The policy is shown by the Mission's findings; the submission has no document of the State or the police setting it out.",
		},
		{
			Element:    schema.ContextNexus,
			Assessment: "supported",
			Argument:   "The killings were committed by uniformed police units during an official operation [EV-0004] [EV-0006], in the manner the attack is carried out [EV-0025] [EV-0026] [EV-0029], and were reported as its results [EV-0031].",
		},
		{
			Element:    schema.ContextKnowledge,
			Assessment: "unsupported",
			Argument:   "The units deployed have long been publicly named for the same practice [EV-0032] [EV-0033] and their commander presented the deaths as results [EV-0031]; from this knowledge of the attack can be inferred.",
			Note:       "The officers who fired are not identified, so their knowledge cannot be shown; the inference from public reports and the commander's statement is all the public reporting allows.",
		},
	}
}

// personsOfInterest: the commander who made the official statement, known
// only by post.
func personsOfInterest() []schema.Person {
	return []schema.Person{{
		ID: "AP-01", Pseudonym: "Person of interest 01", Roles: []string{schema.RoleAlleged},
		Identification: "by_role",
		Basis:          "The commander of the FAES at the time of the operation, who on 8 January 2021 publicly presented its results as alleged criminals killed in confrontations [EV-0031].",
		Positions: []schema.Position{{
			UnitID: "U-FAES", Title: "Commander", Commands: true, From: "2021-01-08", To: "2021-01-08",
			Status:      schema.StatusReported,
			Qualifier:   "as the media reported the statement of 8 January 2021; when the post was taken up and left is not known",
			EvidenceIDs: []string{"EV-0031"},
		}},
		Liability: []schema.Liability{{
			Mode: "command_responsibility", Articles: []string{"7(1)(a)"},
			Assessment: "partly_supported",
			Facts: "As commander of the FAES the person had authority over the FAES officers deployed in La Vega [EV-0031] [RS art. 28(a)]. The unit had for years been publicly named for executions presented as confrontations [EV-0032] [EV-0033], so the person knew or should have known that its officers were committing such killings. " +
				"After the operation the person presented the deaths as results [EV-0031]; no measure to investigate or punish is known [EV-0030].",
			EvidenceIDs: []string{"EV-0030", "EV-0031", "EV-0032", "EV-0033"},
			Note:        "Effective control over the officers who fired is inferred from the post; which FAES officers were deployed, and what orders were given, is not shown by the public reporting.",
		}},
	}}
}

// attribute records who is alleged to have caused a death and the
// evidence of its place and date. A relative's testimony places and dates
// the death and describes the officers; the unit is the force whose
// insignia were filmed in those streets that day. For the other deaths
// nothing ties the death to a place, a time or a unit beyond the
// operation itself: the attribution is an assumption, and the checklist
// says so.
func attribute(d *schema.Death, victimID string) {
	for i, r := range relatives {
		if r.victim != victimID {
			continue
		}
		testimony := fmt.Sprintf("EV-%04d", 26+i)
		d.PlaceEvidenceIDs = []string{testimony}
		d.DateEvidenceIDs = []string{testimony}
		d.Perpetrators = &schema.Attribution{
			UnitIDs: []string{"U-PNB"}, Status: schema.StatusReported,
			Qualifier:   "the relative describes police officers; PNB insignia were filmed in the same streets that day (EV-0006)",
			EvidenceIDs: []string{testimony, "EV-0006"},
		}
		return
	}
	d.Perpetrators = &schema.Attribution{
		UnitIDs: []string{"U-PNB"}, Status: schema.StatusAssumed,
		Qualifier: "working assumption of the sender: the death occurred during the PNB operation; no evidence ties it to a unit",
	}
}

func potentialCases() []schema.PotentialCase {
	return []schema.PotentialCase{{
		ID: "PC-01", Title: "Killings in La Vega by the police units deployed, 6–9 January 2021",
		PersonIDs: []string{"AP-01"}, UnitIDs: []string{"U-FAES", "U-PNB", "U-UOTE"}, IncidentIDs: []string{"INC-01"},
		Articles: []string{"7(1)(a)"},
		Conduct:  "The killing of at least 14 men in La Vega parish, Caracas, between 6 and 9 January 2021 by officers of the FAES and other units of the Policía Nacional Bolivariana, and the failure of their commanders to prevent or punish it.",
		Searches: []schema.Search{{
			Date: "2021-02-20", By: "The sender",
			Method:      "Searches of the websites and official social-media accounts of the Ministerio Público and the Defensoría del Pueblo for any statement on the La Vega deaths since 6 January 2021; no request for information was made to the authorities.",
			Sources:     "The two institutions' websites and official accounts",
			Result:      "No statement on opening an investigation into the La Vega deaths [EV-0030]; the NGO that investigated the operation reports the same [EV-0034].",
			EvidenceIDs: []string{"EV-0030", "EV-0034"},
		}},
		Indicators: []schema.Indicator{
			{
				Indicator: "inactivity", Assessment: "partly_supported",
				Argument: "No domestic investigation of the same persons for substantially the same conduct has been announced [EV-0030] [EV-0034]. Inactivity makes the potential case admissible [RS art. 17(1)(a)] [OTP-PE].",
				Note:     "The absence of a public statement does not show that no investigation exists; the Office may seek information from the State [RS art. 15(2)].",
			},
			{
				Indicator: "lack_of_independence", Assessment: "partly_supported",
				Argument: "International bodies have reported for years a lack of independence and impartiality in the Venezuelan justice system and impunity for killings by the FAES [EV-0032] [EV-0033] [RS art. 17(2)(c)].",
				Note:     "General findings about the justice system, not about proceedings on these deaths: they matter only if proceedings are opened.",
			},
		},
		Assessment: "Admissible for inactivity; were proceedings opened, their independence would be in doubt.",
	}}
}
