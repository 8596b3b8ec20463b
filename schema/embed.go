package schema

import _ "embed"

// JSON is the case schema, as shipped in every package (data/case/case.schema.json).
//
//go:embed case.schema.json
var JSON []byte

// ID is the schema's $id.
const ID = "https://casepack.org/schema/case/1.0/case.schema.json"
