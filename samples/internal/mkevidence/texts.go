package main

import "fmt"

// The texts of the stand-in files. Each one says first that it is synthetic.

const banner = "SYNTHETIC STAND-IN — casepack sample case (La Vega, Caracas, 6–9 January 2021).\n" +
	"Not a real document. Built from public reporting; every person is a pseudonym.\n\n"

const forensicReport = "<!-- " + "SYNTHETIC STAND-IN — casepack sample case. Not a real forensic report. -->\n\n" +
	`# Review of photographs of 14 bodies — La Vega, Caracas, January 2021

**SYNTHETIC STAND-IN.** This file stands in for an expert report in the casepack sample case. It
paraphrases the findings made public in February 2021; it is not the report of any real expert.

- Expert: Forensic Expert 01 (E-01), independent forensic pathologist
- Date of review: 5 February 2021
- Materials: photographs of the bodies of Victims 01 to 14 (EV-0011 to EV-0024)
- Method: examination of each photograph for the location, number and appearance of wounds,
  following the Minnesota Protocol on the Investigation of Potentially Unlawful Death (2016)
  as far as photographs allow

## Findings

| Group | Bodies | Finding |
|---|---|---|
| A | Victims 01–07 | gunshot wounds over the heart |
| B | Victims 08–09 | a single gunshot wound immediately above the heart |
| C | Victims 10–11 | a single gunshot wound to the head |
| D | Victims 12–14 | wounds not determinable from the images |

Eleven of the fourteen bodies show shots to a highly vulnerable area of the body. The location
and number of the wounds are hard to reconcile with deaths in an exchange of fire.

## Limitations

Photographs only. No autopsy report, no examination of the bodies, clothing or projectiles. Range
of fire and trajectory cannot be established. Identification of each body rests on the partner
organisation's records.
`

// testimonyES is the Spanish transcript of a relative's testimony.
func testimonyES(n int, relation, victim, day string, age int) string {
	rel := map[string]string{"mother": "madre", "sister": "hermana", "father": "padre", "partner": "pareja"}[relation]
	return "MUESTRA SINTÉTICA — caso de ejemplo de casepack (La Vega, Caracas, 6–9 de enero de 2021).\n" +
		"No es un testimonio real. Construido a partir de información pública; todas las personas son seudónimos.\n\n" +
		fmt.Sprintf("Testimonio de Familiar %02d (R-%02d), %s de la Víctima %s (%s)\n", n, n, rel, victim[2:], victim) +
		fmt.Sprintf("Entrevista realizada por una organización local el %s. Transcripción.\n\n", day) +
		"P: ¿Qué ocurrió?\n" +
		"R: Los funcionarios entraron a la casa sin orden. Lo sometieron adentro; él no tenía nada en las manos, " +
		"no hubo ningún enfrentamiento. Nos sacaron a los demás. Después escuchamos uno o dos disparos.\n\n" +
		"P: ¿Qué pasó después?\n" +
		"R: Se lo llevaron en una camioneta de la policía. Luego nos dijeron que había muerto por \"resistencia a la autoridad\".\n\n" +
		fmt.Sprintf("P: ¿Qué edad tenía?\nR: %d años.\n\n", age) +
		"P: ¿Cómo les ha afectado?\n" +
		"R: Tenemos miedo; los funcionarios siguen pasando por la calle. Y dicen que él era un delincuente, y no es verdad.\n\n" +
		"P: ¿Qué quiere usted que pase ahora?\n" +
		"R: Que se sepa la verdad y que los responsables respondan ante la justicia.\n"
}

// testimonyEN is the English translation of testimonyES.
func testimonyEN(n int, relation, victim, day string, age int) string {
	return banner +
		fmt.Sprintf("Testimony of Relative %02d (R-%02d), %s of Victim %s (%s)\n", n, n, relation, victim[2:], victim) +
		fmt.Sprintf("Interview by a local organisation on %s. Translation from the Spanish transcript.\n\n", day) +
		"Q: What happened?\n" +
		"A: The officers came into the house without a warrant. They held him down inside; he had nothing in his hands, " +
		"there was no confrontation. They made the rest of us go out. Then we heard one or two shots.\n\n" +
		"Q: What happened next?\n" +
		"A: They took him away in a police pick-up truck. Later they told us he had died for \"resistance to authority\".\n\n" +
		fmt.Sprintf("Q: How old was he?\nA: %d.\n\n", age) +
		"Q: How has this affected you?\n" +
		"A: We are afraid; the officers still drive down the street. And they say he was a criminal, which is not true.\n\n" +
		"Q: What do you want to happen now?\n" +
		"A: That the truth be known and that those responsible answer to justice.\n"
}

const searchLog = banner + `Search log — official statements on the La Vega deaths (6–9 January 2021)
Captured 20 February 2021 by OCDH-INV-01. Addresses are replaced by placeholders in this sample.

1. Ministerio Público (Attorney General's Office) — website news section, 6 Jan–20 Feb 2021,
   terms "La Vega", "enero", "investigación": no statement on the La Vega deaths.
2. Ministerio Público — official social-media accounts, same period and terms: no statement.
3. Defensoría del Pueblo (Ombudsman's Office) — website, same period and terms: no statement.
4. Defensoría del Pueblo — official social-media accounts, same period and terms: no statement.

Result: no public statement on the opening of an independent, prompt and impartial
investigation was found.
`

const officialStatement = banner + `The official version, as reported on 8 January 2021 (paraphrase)

The commander of the Fuerzas de Acciones Especiales (FAES) publicly presented the results of the
operation in La Vega as alleged criminals killed in confrontations with the police, two
bystanders killed, and people arrested. The deaths were described as "resistance to authority".
No death or injury of any member of the security forces was reported.
`

const ffmExcerpt = banner + `UN independent international Fact-Finding Mission on the Bolivarian Republic of Venezuela,
first report (September 2020) — paraphrase of the passages relied on

- The extrajudicial executions by the FAES and the CICPC were not isolated acts by individuals
  acting alone; there was information about an agreed practice to kill individuals with criminal
  records even if they offered no resistance, including to show "results" against crime.
- Between 2014 and 2020 there was a policy to combat crime, including by eliminating individuals
  perceived as "criminals" through extrajudicial execution.
`

const ohchrExcerpt = banner + `UN High Commissioner for Human Rights, report on the Bolivarian Republic of Venezuela
(July 2019) — paraphrase of the recommendation relied on

The High Commissioner recommended that the Special Action Forces (FAES) be dissolved, given the
numerous reports of extrajudicial executions attributed to them since their creation.
`

const publicReporting = banner + `Public statement of an international human rights organisation, 18 February 2021
(AMR 53/3632/2021) — summary of the facts relied on

- At least 14 men died in La Vega, Caracas, between 6 and 9 January 2021: probable extrajudicial
  executions. Reports of ten further deaths. Two victims reportedly were 17 years old.
- Police presence was reported from 6 January; on 8 January as many as 650 agents were deployed,
  among them the FAES and other members of the Policía Nacional Bolivariana.
- Nine videos filmed on 8 and 9 January were verified (Avenida O'Higgins, Av. Guzmán Blanco,
  Gimnasio Vertical, Calle los Bloques, Calle 1 de Mayo, Calle Zulia).
- An external forensic pathologist reviewed images of 14 bodies: seven with gunshot wounds over
  the heart, two with single gunshot wounds immediately above the heart, two with single gunshot
  wounds to the head.
- No public statement by the Attorney General's Office or the Ombudsman's Office on opening an
  independent, prompt and impartial investigation.
`
