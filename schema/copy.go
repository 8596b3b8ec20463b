package schema

import (
	"encoding/json"
	"fmt"
)

// Copy is a deep copy of c, made through its JSON form, the one form every
// field of the model round-trips through (a number JSON cannot hold, such
// as a NaN coordinate read from another format, is an error). The public
// edition and a document in another language change their copy, never the
// case.
func Copy(c *Case) (*Case, error) {
	var out Case
	b, err := json.Marshal(c)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		return nil, fmt.Errorf("copy the case data: %w", err)
	}
	return &out, nil
}
