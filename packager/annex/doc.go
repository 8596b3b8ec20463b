// Package annex owns the spreadsheet annexes of a submission package:
// data/annexes/annexes.xlsx and its CSV twins data/annexes/csv/<sheet>.csv.
//
// Every sheet is streamed (excelize StreamWriter), so a register of
// 100,000 rows stays within a bounded amount of memory. The workbook is
// built for analysts (typed cells, frozen bold header, filters, cell
// hyperlinks from an ID to the row that defines it), for print (A4
// landscape, one page wide unless that would shrink the text below about
// half size, header row on every page, page numbers, digests whole in a
// monospace font) and for hostile input: no cell is a formula,
// and the CSV twins escape values a spreadsheet would evaluate (see
// FORMAT-annex.md). Two builds from the same input and options give
// byte-identical files.
//
// What excelize's API cannot do is done after it, and pinned by tests.
// excelize lays out every sheet (StreamWriter: column widths, frozen
// header, header row, the table with the filter; then page setup, print
// titles, footer, cell hyperlinks, styles, properties); this package then
// writes the data rows straight into each sheet's part while it copies the
// workbook, in the same pass as the CSV twin. Two things stop a writer that
// uses only the API:
//
//   - Memory. A StreamWriter keeps its sheet in a buffer that grows to
//     16 MiB (excelize's StreamChunkSize, a constant) before it spills to a
//     temporary file, and keeps it until the whole workbook is saved, for
//     every sheet at once. When the choice was made, a StreamWriter-only
//     writer peaked at 283-315 MiB on the 100,000-person register
//     (BenchmarkWriteLarge), this one at 188 MiB (/usr/bin/time -v on the
//     benchmark binary, one run each, 2 shared cores); today's, with
//     twelve sheets and cell hyperlinks, peaks at about 250 MiB, of which
//     about 145 MiB is the generated case itself.
//   - Reproducibility. excelize saves streamed sheets in map order, so two
//     builds would give different bytes; the parts are re-copied in name
//     order.
//
// The splice relies on the part names excelize gives the sheets
// (xl/worksheets/sheet<N>.xml in sheet order) and on the frame markers of
// a streamed sheet (frameDimension, frameEnd in workbook.go); fill refuses
// any other layout, and a frame larger than frameMax. Printing relies on
// two things excelize's API lacks: the printed grid is cell borders (no
// API sets printOptions gridLines), and the body font is excelize's
// default (bodyFont). TestExcelizeFrame checks these on excelize's own
// output, and TestExcelizeVersionPinned fails on any excelize upgrade
// until they are checked again.
package annex
