package schema

import (
	"encoding/json"
	"runtime"
	"sync"
)

// decodeTyped fills doc.Case from the bytes. The generic parse is the judge
// of syntax; this decode fills the typed model as far as the types allow
// (type mismatches are the schema's to report, located).
//
// encoding/json decodes about 70 MB/s on one core; a large case is mostly
// its collections, so their items are decoded on every core, each from its
// own byte range, found by a skim over the already-checked bytes.
func (doc *Document) decodeTyped() {
	var c Case
	doc.Case = &c
	top, items, ok := topLevelRanges(doc.Data)
	if !ok {
		_ = json.Unmarshal(doc.Data, &c)
		return
	}
	for key, r := range top {
		var dst any
		switch key {
		case "$schema":
			dst = &c.Schema
		case "schema_version":
			dst = &c.SchemaVersion
		case "submission":
			dst = &c.Submission
		case "analysis":
			dst = &c.Analysis
		case "incidents":
			dst = &c.Incidents
		case "persons":
			dst = &c.Persons
		case "units":
			dst = &c.Units
		case "evidence":
			dst = &c.Evidence
		case "consents":
			dst = &c.Consents
		default:
			continue
		}
		_ = json.Unmarshal(doc.Data[r[0]:r[1]], dst)
	}
	var jobs []decodeJob
	for key, rs := range items {
		switch key {
		case "incidents":
			jobs = itemJobs(jobs, &c.Incidents, rs)
		case "persons":
			jobs = itemJobs(jobs, &c.Persons, rs)
		case "units":
			jobs = itemJobs(jobs, &c.Units, rs)
		case "evidence":
			jobs = itemJobs(jobs, &c.Evidence, rs)
		case "consents":
			jobs = itemJobs(jobs, &c.Consents, rs)
		}
	}
	workers := runtime.NumCPU()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(jobs); i += workers {
				_ = json.Unmarshal(doc.Data[jobs[i].r[0]:jobs[i].r[1]], jobs[i].dst)
			}
		}(w)
	}
	wg.Wait()
}

// decodeJob is one collection item to decode from its bytes.
type decodeJob struct {
	dst any
	r   [2]int
}

// itemJobs sizes a collection for its items and adds a job for each.
func itemJobs[T any](jobs []decodeJob, dst *[]T, rs [][2]int) []decodeJob {
	*dst = make([]T, len(rs))
	for i, r := range rs {
		jobs = append(jobs, decodeJob{&(*dst)[i], r})
	}
	return jobs
}

// collectionKeys are the top-level arrays whose items are decoded apart.
var collectionKeys = map[string]bool{"incidents": true, "persons": true, "units": true, "evidence": true, "consents": true}

// topLevelRanges finds the byte range of every top-level member of the case
// object, and of every item of the collections that are arrays. The last of
// duplicate members wins, as in encoding/json (the loader reports them).
func topLevelRanges(data []byte) (top map[string][2]int, items map[string][][2]int, ok bool) {
	w := walker{data: data}
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		w.pos = 3
	}
	w.ws()
	if w.pos >= len(data) || data[w.pos] != '{' {
		return nil, nil, false
	}
	top, items = map[string][2]int{}, map[string][][2]int{}
	w.pos++
	for {
		w.ws()
		if w.pos >= len(data) || data[w.pos] == '}' {
			return top, items, true
		}
		key := w.key()
		w.ws()
		w.pos++ // ':'
		w.ws()
		if collectionKeys[key] && w.pos < len(data) && data[w.pos] == '[' {
			delete(top, key)
			var rs [][2]int
			w.pos++
			for {
				w.ws()
				if w.pos >= len(data) || data[w.pos] == ']' {
					w.pos++
					break
				}
				start := w.pos
				w.skip()
				rs = append(rs, [2]int{start, w.pos})
				w.ws()
				if w.pos < len(data) && data[w.pos] == ',' {
					w.pos++
				}
			}
			items[key] = rs
		} else {
			delete(items, key)
			start := w.pos
			w.skip()
			top[key] = [2]int{start, w.pos}
		}
		w.ws()
		if w.pos < len(data) && data[w.pos] == ',' {
			w.pos++
		}
	}
}
