// Package templates holds the default narrative templates, embedded in the
// binary. They are Go text/template files producing Markdown; see README.md
// for the data they receive and the helper functions they may call. A user's
// folder passed with --templates is parsed after these, so it can replace
// the whole narrative or a single section.
package templates

import (
	"embed"
	"io/fs"
)

//go:embed *.tmpl
var files embed.FS

// FS is the folder of default templates: narrative.md.tmpl and the section
// files it includes.
var FS fs.FS = files
