// Package narrative owns the submission's narrative PDF: it executes a Go
// text/template over the case data to produce Markdown (Markdown), and lays that
// Markdown out as a PDF with embedded Unicode fonts, a classification banner,
// numbered sections, a clickable table of contents, bookmarks and evidence
// citations that link to the evidence index (RenderPDF). Render does both.
//
// The package never touches evidence bytes: it receives their digests from the
// build.
package narrative
