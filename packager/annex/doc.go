// Package annex owns the spreadsheet annexes of a submission package:
// data/annexes/annexes.xlsx and its CSV twins data/annexes/csv/<sheet>.csv.
//
// Every sheet is streamed (excelize StreamWriter), so a register of
// 100,000 rows stays within a bounded amount of memory. The workbook is
// built for analysts (typed cells, frozen bold header, filters, cell
// hyperlinks from an ID to the row that defines it), for print (A4
// landscape, one page wide, header row on every page, page numbers, digests
// whole in a monospace font) and for hostile input: no cell is a formula,
// and the CSV twins escape values a spreadsheet would evaluate (see
// FORMAT-annex.md). Two builds from the same input and options give
// byte-identical files.
package annex
