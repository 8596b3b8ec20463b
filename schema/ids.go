package schema

// idLists are the case's lists whose items carry an ID, named as in a JSON
// pointer to them, in the order of the schema.
var idLists = []string{"incidents", "persons", "units", "evidence", "consents", "authorities", "submission/requests", "potential_cases"}

// IDs lists the IDs of the items of one of the case's lists, named as in a
// JSON pointer ("incidents", "persons", …, "submission/requests",
// "potential_cases"), in order; nil for a name that is no such list.
func (c *Case) IDs(list string) []string {
	switch list {
	case "incidents":
		return idsOf(c.Incidents, func(x Incident) string { return x.ID })
	case "persons":
		return idsOf(c.Persons, func(x Person) string { return x.ID })
	case "units":
		return idsOf(c.Units, func(x Unit) string { return x.ID })
	case "evidence":
		return idsOf(c.Evidence, func(x Evidence) string { return x.ID })
	case "consents":
		return idsOf(c.Consents, func(x Consent) string { return x.ID })
	case "authorities":
		return idsOf(c.Authorities, func(x Authority) string { return x.ID })
	case "submission/requests":
		return idsOf(c.Submission.Requests, func(x Request) string { return x.ID })
	case "potential_cases":
		return idsOf(c.PotentialCases, func(x PotentialCase) string { return x.ID })
	}
	return nil
}

func idsOf[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, x := range items {
		out[i] = id(x)
	}
	return out
}
