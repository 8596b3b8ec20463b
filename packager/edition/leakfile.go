package edition

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Bytes checks the content of one package file, read by its kind: in a JSON
// file every key and string (located by JSON pointer), in a CSV file every
// cell (by row and column), in a workbook the text of every part, in any
// other file its text, line by line. It returns the first *LeakError.
func (l *LeakCheck) Bytes(file string, data []byte) error {
	switch strings.ToLower(path.Ext(file)) {
	case ".json":
		return l.json(file, data)
	case ".csv":
		return l.csv(file, bytes.NewReader(data))
	case ".xlsx":
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return fmt.Errorf("check %s: %w", file, err)
		}
		return l.workbook(file, zr)
	}
	return l.Reader(file, bytes.NewReader(data))
}

func (l *LeakCheck) json(file string, data []byte) error {
	var v any
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		// Not JSON after all: read it as text.
		return l.Reader(file, bytes.NewReader(data))
	}
	var walk func(ptr string, v any) error
	walk = func(ptr string, v any) error {
		switch v := v.(type) {
		case string:
			return l.Text(file, ptr, v)
		case []any:
			for i, x := range v {
				if err := walk(ptr+"/"+strconv.Itoa(i), x); err != nil {
					return err
				}
			}
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys) // the first leak found is the same every time
			for _, k := range keys {
				x := v[k]
				p := ptr + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
				if err := l.Text(file, p+" (key)", k); err != nil {
					return err
				}
				if err := walk(p, x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk("", v)
}

func (l *LeakCheck) csv(file string, r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var header []string
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("check %s: %w", file, err)
		}
		if row == 1 {
			header = rec
		}
		for i, cell := range rec {
			col := strconv.Itoa(i + 1)
			if i < len(header) && row > 1 {
				col = header[i]
			}
			if err := l.Text(file, fmt.Sprintf("row %d, column %s", row, col), cell); err != nil {
				return err
			}
		}
	}
}

// workbook checks the text of every XML part: each text node and attribute
// value, and each shared or inline string as a whole (its runs joined).
func (l *LeakCheck) workbook(file string, zr *zip.Reader) error {
	for _, f := range zr.File {
		if err := l.Text(file, "part name", f.Name); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("check %s: %w", file, err)
		}
		err = l.xmlPart(file, f.Name, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (l *LeakCheck) xmlPart(file, part string, r io.Reader) error {
	where := "part " + part
	if !strings.HasSuffix(part, ".xml") && !strings.HasSuffix(part, ".rels") {
		return l.Reader(file+" ("+part+")", r)
	}
	d := xml.NewDecoder(r)
	d.Strict = false
	var str strings.Builder // the text of the current <si> or <is>
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("check %s (%s): %w", file, part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "si" || t.Name.Local == "is" {
				depth++
				str.Reset()
			}
			for _, a := range t.Attr {
				if err := l.Text(file, where, a.Value); err != nil {
					return err
				}
			}
		case xml.EndElement:
			if (t.Name.Local == "si" || t.Name.Local == "is") && depth > 0 {
				depth--
				if err := l.Text(file, where, str.String()); err != nil {
					return err
				}
			}
		case xml.CharData:
			if depth > 0 {
				str.Write(t)
			}
			if err := l.Text(file, where, string(t)); err != nil {
				return err
			}
		}
	}
}

// Reader checks a text, line by line, as a stream: memory stays flat
// however long the text, and a value broken over two lines is still found.
func (l *LeakCheck) Reader(file string, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	keep := max(l.maxWords, 1) - 1 // words carried over to the next batch
	var ws []string
	var lines []int // the line of each word
	line := 0
	check := func() error {
		p, at := l.match(ws)
		if p != nil {
			return &LeakError{File: file, Location: "line " + strconv.Itoa(lines[at]), Person: p.person, Field: p.field}
		}
		if n := len(ws) - keep; n > 0 {
			ws, lines = append(ws[:0], ws[n:]...), append(lines[:0], lines[n:]...)
		}
		return nil
	}
	for {
		text, err := br.ReadString('\n')
		if len(text) > 0 {
			line++
			for _, w := range words(text) {
				ws = append(ws, w)
				lines = append(lines, line)
			}
			if len(ws) >= 4096 {
				if err := check(); err != nil {
					return err
				}
			}
		}
		if err == io.EOF {
			return check()
		}
		if err != nil {
			return fmt.Errorf("check %s: %w", file, err)
		}
	}
}

// Package checks a package folder written for the public edition: its
// name, every file and folder name in it, and the content of every file
// that holds text (JSON, CSV, the workbook, the tag files, and each
// evidence file that text reports as text or that reads as text). The
// narrative PDF is checked on its text before layout, where it is made.
func (l *LeakCheck) Package(ctx context.Context, dir, name string, text func(rel string) bool) error {
	if err := l.Text(name, "package name", name); err != nil {
		return err
	}
	return fs.WalkDir(os.DirFS(dir), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		if err := l.Text(rel, "file name", rel); err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return l.file(dir, rel, text != nil && text(rel))
	})
}

func (l *LeakCheck) file(dir, rel string, isText bool) error {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Errorf("check %s: %w", rel, err)
	}
	defer f.Close()
	switch strings.ToLower(path.Ext(rel)) {
	case ".json":
		data, err := io.ReadAll(f)
		if err != nil {
			return fmt.Errorf("check %s: %w", rel, err)
		}
		return l.json(rel, data)
	case ".csv":
		return l.csv(rel, f)
	case ".xlsx":
		st, err := f.Stat()
		if err != nil {
			return fmt.Errorf("check %s: %w", rel, err)
		}
		zr, err := zip.NewReader(f, st.Size())
		if err != nil {
			if isText {
				break
			}
			return fmt.Errorf("check %s: %w", rel, err)
		}
		return l.workbook(rel, zr)
	case ".pdf":
		if !isText {
			return nil
		}
	}
	if !isText {
		head := make([]byte, 512)
		n, err := io.ReadFull(f, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && err != io.EOF {
			return fmt.Errorf("check %s: %w", rel, err)
		}
		if !strings.HasPrefix(http.DetectContentType(head[:n]), "text/") {
			return nil
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("check %s: %w", rel, err)
	}
	return l.Reader(rel, f)
}
