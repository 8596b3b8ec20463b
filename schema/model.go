package schema

// The typed case model. Field names and JSON tags mirror case.schema.json;
// the schema is the documentation of each field. Optional scalars that must
// be told apart from their zero value (age 0, minor false) are pointers.

// Case is the data of one submission, as read from case.json.
type Case struct {
	Schema        string     `json:"$schema,omitempty"`
	SchemaVersion string     `json:"schema_version"`
	Submission    Submission `json:"submission"`
	Analysis      Analysis   `json:"analysis"`
	Incidents     []Incident `json:"incidents"`
	Persons       []Person   `json:"persons,omitempty"`
	Units         []Unit     `json:"units,omitempty"`
	Evidence      []Evidence `json:"evidence"`
	Consents      []Consent  `json:"consents,omitempty"`
	// Authorities are the legal sources texts cite as [RS art. 7(1)(a)].
	Authorities []Authority `json:"authorities,omitempty"`
	// PotentialCases are the persons and conduct the admissibility
	// assessment is made against.
	PotentialCases []PotentialCase `json:"potential_cases,omitempty"`
	// Translations are the case's own texts in other languages
	// (translations.go).
	Translations []Translation `json:"translations,omitempty"`
}

// Translation is one text of the case in another language, naming the
// text by its JSON pointer.
type Translation struct {
	Language string `json:"language"`
	Pointer  string `json:"pointer"`
	Text     string `json:"text"`
}

// Authority is a legal source the texts cite: a statute, rules, a policy
// paper, a decision or a report.
type Authority struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Short string `json:"short,omitempty"`
	// A legal instrument can be centuries old (the Hague Convention of
	// 1899, the Lieber Code of 1863): its date may be from the year 1000.
	Date      When   `json:"date,omitempty" years:"1000-2100"`
	Reference string `json:"reference,omitempty"`
	URL       string `json:"url,omitempty"`
}

// ShortTitle is the form footnotes use: Short, else Title.
func (a *Authority) ShortTitle() string {
	if a.Short != "" {
		return a.Short
	}
	return a.Title
}

// Signatory is a person who signs the submission for the sender.
type Signatory struct {
	Name         string `json:"name"`
	Role         string `json:"role"`
	Organisation string `json:"organisation,omitempty"`
}

type Submission struct {
	ID             string    `json:"id"`
	Title          string    `json:"title"`
	Kind           string    `json:"kind"`
	Date           string    `json:"date"`
	Version        string    `json:"version"`
	Supersedes     string    `json:"supersedes,omitempty"`
	Classification string    `json:"classification"`
	Languages      []string  `json:"languages"`
	Sender         Sender    `json:"sender"`
	Recipient      Recipient `json:"recipient"`
	Requests       []Request `json:"requests,omitempty"`
	Protection     string    `json:"protection,omitempty"`
	// PublicEdition tunes what the public edition shows (packager/edition
	// applies it and fills in the defaults).
	PublicEdition *PublicEdition `json:"public_edition,omitempty"`
	// Place is where the submission is signed; Signatories sign it.
	Place       string      `json:"place,omitempty"`
	Signatories []Signatory `json:"signatories,omitempty"`
}

// PublicEdition is the case's policy for its public edition. Empty fields
// take the defaults of packager/edition.
type PublicEdition struct {
	MinGroupSize           int           `json:"min_group_size,omitempty"`
	Victims                *PersonPolicy `json:"victims,omitempty"`
	Witnesses              *PersonPolicy `json:"witnesses,omitempty"`
	Relationships          string        `json:"relationships,omitempty"`
	Accounts               string        `json:"accounts,omitempty"`
	TextCitingConfidential string        `json:"text_citing_confidential,omitempty"`
	PersonsOfInterest      string        `json:"persons_of_interest,omitempty"`
}

// PersonPolicy says what the public edition shows of a kind of person.
type PersonPolicy struct {
	Sex          string `json:"sex,omitempty"`
	Age          string `json:"age,omitempty"`
	Occupation   string `json:"occupation,omitempty"`
	Residence    string `json:"residence,omitempty"`
	DateOfDeath  string `json:"date_of_death,omitempty"`
	PlaceOfDeath string `json:"place_of_death,omitempty"`
}

type Sender struct {
	Organisation  string `json:"organisation"`
	ContactPerson string `json:"contact_person"`
	Email         string `json:"email"`
	Phone         string `json:"phone,omitempty"`
	Address       string `json:"address,omitempty"`
	Mandate       string `json:"mandate,omitempty"`
}

type Recipient struct {
	Body          string `json:"body"`
	SituationCode string `json:"situation_code"`
	SituationName string `json:"situation_name"`
	Stage         string `json:"stage,omitempty"`
	Channel       string `json:"channel,omitempty"`
}

type Request struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

type Analysis struct {
	Summary            string         `json:"summary"`
	Methodology        string         `json:"methodology,omitempty"`
	Context            string         `json:"context,omitempty"`
	Jurisdiction       *Jurisdiction  `json:"jurisdiction,omitempty"`
	Admissibility      *Admissibility `json:"admissibility,omitempty"`
	InterestsOfJustice string         `json:"interests_of_justice,omitempty"`
	Conclusions        string         `json:"conclusions,omitempty"`
}

type Jurisdiction struct {
	Temporal           string `json:"temporal,omitempty"`
	Territorial        string `json:"territorial,omitempty"`
	SubjectMatter      string `json:"subject_matter,omitempty"`
	ContextualElements string `json:"contextual_elements,omitempty"`
	// Contextual argues the contextual elements of crimes against
	// humanity one by one.
	Contextual []ContextualElement `json:"contextual,omitempty"`
}

// The contextual elements of crimes against humanity (the schema's
// contextual_element enum), in the order the narrative and the checklist
// take them.
const (
	ContextAttack     = "attack"
	ContextWidespread = "widespread"
	ContextSystematic = "systematic"
	ContextPolicy     = "policy"
	ContextNexus      = "nexus"
	ContextKnowledge  = "knowledge"
)

// ContextualElements lists the contextual elements in order.
var ContextualElements = []string{ContextAttack, ContextWidespread, ContextSystematic, ContextPolicy, ContextNexus, ContextKnowledge}

// ContextualElement is one contextual element of crimes against humanity,
// argued for the whole pattern of conduct.
type ContextualElement struct {
	Element     string   `json:"element"`
	Argument    string   `json:"argument,omitempty"`
	Assessment  string   `json:"assessment,omitempty"`
	EvidenceIDs []string `json:"evidence_ids,omitempty"`
	Note        string   `json:"note,omitempty"`
}

type Admissibility struct {
	Complementarity string   `json:"complementarity,omitempty"`
	Gravity         *Gravity `json:"gravity,omitempty"`
}

type Gravity struct {
	Scale  string `json:"scale,omitempty"`
	Nature string `json:"nature,omitempty"`
	Manner string `json:"manner,omitempty"`
	Impact string `json:"impact,omitempty"`
}

type Location struct {
	Country      string   `json:"country,omitempty"`
	State        string   `json:"state,omitempty"`
	Municipality string   `json:"municipality,omitempty"`
	Parish       string   `json:"parish,omitempty"`
	Place        string   `json:"place,omitempty"`
	Lat          *float64 `json:"lat,omitempty"`
	Lon          *float64 `json:"lon,omitempty"`
	PrecisionM   *float64 `json:"precision_m,omitempty"`
}

type Incident struct {
	ID               string             `json:"id"`
	Title            string             `json:"title"`
	Start            When               `json:"start"`
	End              When               `json:"end,omitempty"`
	Location         Location           `json:"location"`
	Description      string             `json:"description"`
	OfficialVersion  string             `json:"official_version,omitempty"`
	Characterisation []Characterisation `json:"characterisation,omitempty"`
	VictimIDs        []string           `json:"victim_ids,omitempty"`
	UnitIDs          []string           `json:"unit_ids,omitempty"`
	EvidenceIDs      []string           `json:"evidence_ids,omitempty"`
}

// Characterisation is one crime under the Rome Statute, element by element.
type Characterisation struct {
	Article  string    `json:"article"`
	Label    string    `json:"label"`
	Elements []Element `json:"elements"`
}

type Element struct {
	Element     string   `json:"element"`
	Assessment  string   `json:"assessment,omitempty"`
	Argument    string   `json:"argument,omitempty"`
	EvidenceIDs []string `json:"evidence_ids,omitempty"`
	Note        string   `json:"note,omitempty"`
}

type Person struct {
	ID            string     `json:"id"`
	Pseudonym     string     `json:"pseudonym"`
	Roles         []string   `json:"roles"`
	Protected     *Protected `json:"protected,omitempty"`
	Sex           string     `json:"sex,omitempty"`
	Age           *int       `json:"age,omitempty"`
	BirthDate     When       `json:"birth_date,omitempty"`
	Minor         *bool      `json:"minor,omitempty"`
	Occupation    string     `json:"occupation,omitempty"`
	ResidenceArea string     `json:"residence_area,omitempty"`
	Qualification string     `json:"qualification,omitempty"`
	// For an alleged perpetrator (a person of interest): how the submission
	// identifies the person, why the person is of interest and the modes
	// of liability alleged. Positions may be given for anyone in the chain
	// of command.
	Identification string      `json:"identification,omitempty"`
	Basis          string      `json:"basis,omitempty"`
	Positions      []Position  `json:"positions,omitempty"`
	Liability      []Liability `json:"liability,omitempty"`
	ConsentIDs     []string    `json:"consent_ids,omitempty"`
	EvidenceIDs    []string    `json:"evidence_ids,omitempty"`
	Death          *Death      `json:"death,omitempty"`
}

// RoleAlleged is the role of a person of interest.
const RoleAlleged = "alleged_perpetrator"

// The status of a fact about a person, a unit or a death (the schema's
// fact_status enum).
const (
	StatusEstablished = "established"
	StatusReported    = "reported"
	StatusAssumed     = "assumed"
)

// Position is a post a person held in a unit.
type Position struct {
	UnitID      string   `json:"unit_id"`
	Title       string   `json:"title,omitempty"`
	Rank        string   `json:"rank,omitempty"`
	Commands    bool     `json:"commands,omitempty"`
	From        When     `json:"from,omitempty"`
	To          When     `json:"to,omitempty"`
	Status      string   `json:"status"`
	Qualifier   string   `json:"qualifier,omitempty"`
	EvidenceIDs []string `json:"evidence_ids,omitempty"`
	Note        string   `json:"note,omitempty"`
}

// Liability is one mode of liability alleged against a person of interest.
type Liability struct {
	Mode        string   `json:"mode"`
	Articles    []string `json:"articles,omitempty"`
	Facts       string   `json:"facts,omitempty"`
	Assessment  string   `json:"assessment,omitempty"`
	EvidenceIDs []string `json:"evidence_ids,omitempty"`
	Note        string   `json:"note,omitempty"`
}

// LiabilityArticle is the Rome Statute provision of a mode of liability:
// "25(3)(a)" … "28(b)"; "" for a mode the schema does not know.
func LiabilityArticle(mode string) string {
	switch mode {
	case "direct_perpetration", "co_perpetration", "indirect_perpetration":
		return "25(3)(a)"
	case "ordering", "soliciting_inducing":
		return "25(3)(b)"
	case "aiding_abetting":
		return "25(3)(c)"
	case "common_purpose":
		return "25(3)(d)"
	case "command_responsibility":
		return "28(a)"
	case "superior_responsibility":
		return "28(b)"
	}
	return ""
}

// HasRole reports whether the person has the role r.
func (p *Person) HasRole(r string) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Protected holds identifying details that never leave the confidential edition.
type Protected struct {
	FullName    string   `json:"full_name,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
	Address     string   `json:"address,omitempty"`
	Contacts    []string `json:"contacts,omitempty"`
	IDDocuments []string `json:"id_documents,omitempty"`
	Notes       string   `json:"notes,omitempty"`
}

// Certainty of a finding (the schema's certainty enum).
const (
	CertaintyEstablished     = "established"
	CertaintyAssessed        = "assessed"
	CertaintyReported        = "reported"
	CertaintyNotDeterminable = "not_determinable"
)

type Death struct {
	Date               When            `json:"date"`
	IncidentID         string          `json:"incident_id"`
	Place              string          `json:"place,omitempty"`
	PlaceEvidenceIDs   []string        `json:"place_evidence_ids,omitempty"`
	DateEvidenceIDs    []string        `json:"date_evidence_ids,omitempty"`
	Perpetrators       *Attribution    `json:"perpetrators,omitempty"`
	Cause              string          `json:"cause,omitempty"`
	CauseCertainty     string          `json:"cause_certainty,omitempty"`
	OfficialCauseClaim string          `json:"official_cause_claim,omitempty"`
	Manner             string          `json:"manner,omitempty"`
	MannerCertainty    string          `json:"manner_certainty,omitempty"`
	Wounds             []Wound         `json:"wounds,omitempty"`
	Autopsy            *Autopsy        `json:"autopsy,omitempty"`
	ForensicReview     *ForensicReview `json:"forensic_review,omitempty"`
}

// Attribution says who is alleged to have caused a death.
type Attribution struct {
	UnitIDs     []string `json:"unit_ids,omitempty"`
	PersonIDs   []string `json:"person_ids,omitempty"`
	Status      string   `json:"status,omitempty"`
	Qualifier   string   `json:"qualifier,omitempty"`
	EvidenceIDs []string `json:"evidence_ids,omitempty"`
}

type Wound struct {
	Location string `json:"location"`
	Type     string `json:"type"`
	Count    int    `json:"count"`
	Note     string `json:"note,omitempty"`
}

type Autopsy struct {
	Performed        bool   `json:"performed"`
	By               string `json:"by,omitempty"`
	ReportEvidenceID string `json:"report_evidence_id,omitempty"`
}

type ForensicReview struct {
	ExpertID         string   `json:"expert_id"`
	Date             When     `json:"date,omitempty"`
	Materials        []string `json:"materials,omitempty"`
	Findings         string   `json:"findings"`
	Limitations      string   `json:"limitations,omitempty"`
	ReportEvidenceID string   `json:"report_evidence_id,omitempty"`
}

type Unit struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	NameEN      string     `json:"name_en,omitempty"`
	Acronym     string     `json:"acronym,omitempty"`
	Type        string     `json:"type"`
	Aliases     []string   `json:"aliases,omitempty"`
	ParentID    string     `json:"parent_id,omitempty"`
	Superiors   []Superior `json:"superiors,omitempty"`
	Description string     `json:"description,omitempty"`
	EvidenceIDs []string   `json:"evidence_ids,omitempty"`
}

// Superior is a unit above another one during a period.
type Superior struct {
	SuperiorID  string   `json:"superior_id"`
	Relation    string   `json:"relation,omitempty"` // part_of (default) or under_command
	From        When     `json:"from,omitempty"`
	To          When     `json:"to,omitempty"`
	Status      string   `json:"status"`
	Qualifier   string   `json:"qualifier,omitempty"`
	EvidenceIDs []string `json:"evidence_ids,omitempty"`
}

// PotentialCase is a set of persons and conduct the admissibility
// assessment looks at (Rome Statute art. 17).
type PotentialCase struct {
	ID          string       `json:"id"`
	Title       string       `json:"title"`
	PersonIDs   []string     `json:"person_ids,omitempty"`
	UnitIDs     []string     `json:"unit_ids,omitempty"`
	IncidentIDs []string     `json:"incident_ids,omitempty"`
	Articles    []string     `json:"articles,omitempty"`
	Conduct     string       `json:"conduct"`
	Searches    []Search     `json:"searches,omitempty"`
	Proceedings []Proceeding `json:"proceedings,omitempty"`
	Indicators  []Indicator  `json:"indicators,omitempty"`
	Assessment  string       `json:"assessment,omitempty"`
}

// Search is one search for national proceedings.
type Search struct {
	Date        When     `json:"date"`
	By          string   `json:"by,omitempty"`
	Method      string   `json:"method"`
	Sources     string   `json:"sources,omitempty"`
	Result      string   `json:"result"`
	EvidenceIDs []string `json:"evidence_ids,omitempty"`
}

// Proceeding is a national proceeding found on a potential case.
type Proceeding struct {
	Authority   string   `json:"authority"`
	Reference   string   `json:"reference,omitempty"`
	Opened      When     `json:"opened,omitempty"`
	Stage       string   `json:"stage,omitempty"`
	Persons     string   `json:"persons,omitempty"`
	Conduct     string   `json:"conduct,omitempty"`
	SamePerson  string   `json:"same_person,omitempty"`
	SameConduct string   `json:"same_conduct,omitempty"`
	Assessment  string   `json:"assessment,omitempty"`
	EvidenceIDs []string `json:"evidence_ids,omitempty"`
}

// Indicator is one indicator under Rome Statute art. 17.
type Indicator struct {
	Indicator   string   `json:"indicator"`
	Argument    string   `json:"argument,omitempty"`
	Assessment  string   `json:"assessment,omitempty"`
	EvidenceIDs []string `json:"evidence_ids,omitempty"`
	Note        string   `json:"note,omitempty"`
}

// IndicatorArticle is the Rome Statute provision of an indicator.
func IndicatorArticle(ind string) string {
	switch ind {
	case "inactivity":
		return "17(1)(a)"
	case "shielding":
		return "17(2)(a)"
	case "unjustified_delay":
		return "17(2)(b)"
	case "lack_of_independence":
		return "17(2)(c)"
	case "inability":
		return "17(3)"
	}
	return ""
}

type Evidence struct {
	ID             string        `json:"id"`
	Title          string        `json:"title"`
	Type           string        `json:"type"`
	Description    string        `json:"description,omitempty"`
	Files          []File        `json:"files"`
	ContentTime    When          `json:"content_time,omitempty"`
	Location       *Location     `json:"location,omitempty"`
	Provenance     *Provenance   `json:"provenance,omitempty"`
	Verification   *Verification `json:"verification,omitempty"`
	Sensitivity    *Sensitivity  `json:"sensitivity,omitempty"`
	Classification string        `json:"classification"`
	ConsentIDs     []string      `json:"consent_ids,omitempty"`
	Custody        []Custody     `json:"custody,omitempty"`
	Notes          string        `json:"notes,omitempty"`
}

// File is one file of an evidence item, by its path inside the case folder.
type File struct {
	Path      string `json:"path"`
	Role      string `json:"role"`
	SHA256    string `json:"sha256,omitempty"`
	MediaType string `json:"media_type,omitempty"`
	Language  string `json:"language,omitempty"`
	Duration  string `json:"duration,omitempty"` // h:mm:ss or m:ss
	Pages     int    `json:"pages,omitempty"`
}

type Provenance struct {
	SourceType  string `json:"source_type,omitempty"`
	Platform    string `json:"platform,omitempty"`
	Account     string `json:"account,omitempty"`
	URL         string `json:"url,omitempty"`
	ArchivedURL string `json:"archived_url,omitempty"`
	PostedAt    string `json:"posted_at,omitempty"`
	CapturedAt  string `json:"captured_at,omitempty"`
	CapturedBy  string `json:"captured_by,omitempty"`
	CaptureTool string `json:"capture_tool,omitempty"`
}

type Verification struct {
	SourceAnalysis    string `json:"source_analysis,omitempty"`
	TechnicalAnalysis string `json:"technical_analysis,omitempty"`
	ContentAnalysis   string `json:"content_analysis,omitempty"`
	Geolocation       *Check `json:"geolocation,omitempty"`
	Chronolocation    *Check `json:"chronolocation,omitempty"`
	Status            string `json:"status"`
	Confidence        string `json:"confidence,omitempty"`
	Verifier          string `json:"verifier,omitempty"`
	Date              string `json:"date,omitempty"`
}

type Check struct {
	Status string `json:"status"`
	Method string `json:"method,omitempty"`
}

type Sensitivity struct {
	Graphic             bool `json:"graphic,omitempty"`
	Minors              bool `json:"minors,omitempty"`
	IdentifiablePersons bool `json:"identifiable_persons,omitempty"`
}

// Custody is one event in an evidence item's chain of custody.
type Custody struct {
	At       string `json:"at"`
	Actor    string `json:"actor"`
	Action   string `json:"action"`
	Location string `json:"location,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	Note     string `json:"note,omitempty"`
}

type Consent struct {
	ID          string   `json:"id"`
	PersonID    string   `json:"person_id"`
	Date        string   `json:"date"`
	Method      string   `json:"method"`
	Scope       []string `json:"scope"`
	WithdrawnAt string   `json:"withdrawn_at,omitempty"`
}
