// Package schema owns the case data format: the embedded JSON Schema
// (case.schema.json, draft 2020-12), the typed Case model, the loader that
// rejects what a lenient JSON reader would let through, and Validate, which
// reports every schema and consistency problem at once, each located by
// file:line:column and JSON pointer and explained in plain words.
//
// It imports no other casepack package.
package schema
