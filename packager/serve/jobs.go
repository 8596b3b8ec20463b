package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/casepack/casepack/internal/digest"
)

// A job is one long operation (adding evidence, building, verifying) run
// in the background so that its page can show its progress live. Its
// result stays in memory for the run of the server, bounded by maxJobs.
type job struct {
	ID    string
	Title string // "Build of la-vega"
	Case  string // the case it is about, if any
	Nav   string

	mu       sync.Mutex
	progress digest.Progress
	phase    string
	done     bool
	err      error
	result   any // what the job's page shows when done
	view     string
	cancel   context.CancelFunc
}

type jobs struct {
	mu   sync.Mutex
	next atomic.Int64
	byID map[string]*job
	ids  []string
	wg   sync.WaitGroup
	// ctx is cancelled when the server stops.
	ctx    context.Context
	cancel context.CancelFunc
}

// maxJobs is how many finished jobs are kept for their pages.
const maxJobs = 100

func newJobs() *jobs {
	ctx, cancel := context.WithCancel(context.Background())
	return &jobs{byID: map[string]*job{}, ctx: ctx, cancel: cancel}
}

// start runs fn in the background as a new job. fn reports progress
// through the job and returns the result to show with view (a page
// template), or an error.
func (js *jobs) start(title, caseName, nav, view string, fn func(ctx context.Context, j *job) (any, error)) *job {
	ctx, cancel := context.WithCancel(js.ctx)
	j := &job{ID: strconv.FormatInt(js.next.Add(1), 10), Title: title, Case: caseName, Nav: nav, view: view, cancel: cancel, phase: "starting"}
	js.mu.Lock()
	js.byID[j.ID] = j
	js.ids = append(js.ids, j.ID)
	if len(js.ids) > maxJobs {
		old := js.byID[js.ids[0]]
		if old != nil && old.finished() {
			delete(js.byID, js.ids[0])
			js.ids = js.ids[1:]
		}
	}
	js.mu.Unlock()
	js.wg.Add(1)
	go func() {
		defer js.wg.Done()
		defer cancel()
		res, err := fn(ctx, j)
		j.mu.Lock()
		j.result, j.err, j.done = res, err, true
		j.mu.Unlock()
	}()
	return j
}

func (js *jobs) get(id string) *job {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.byID[id]
}

func (js *jobs) cancelAll() { js.cancel() }
func (js *jobs) wait()      { js.wg.Wait() }

func (j *job) finished() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.done
}

// setPhase names what the job is doing now ("copying and hashing").
func (j *job) setPhase(p string) {
	j.mu.Lock()
	j.phase = p
	j.progress = digest.Progress{}
	j.mu.Unlock()
}

// digestProgress is one progress event of the domain API.
type digestProgress = digest.Progress

// once moves the job to phase p the first time it is called with it.
func (j *job) once(p string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.phase != p {
		j.phase = p
	}
}

// report is a digest progress callback for the domain API.
func (j *job) report(p digest.Progress) {
	j.mu.Lock()
	j.progress = p
	j.mu.Unlock()
}

// jobState is a job's state as its page polls it.
type jobState struct {
	Done    bool   `json:"done"`
	Failed  bool   `json:"failed"`
	Phase   string `json:"phase"`
	Bytes   int64  `json:"bytes"`
	Total   int64  `json:"total"`
	Files   int    `json:"files"`
	OfFiles int    `json:"of_files"`
	File    string `json:"file,omitempty"`
}

func (j *job) state() jobState {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := j.progress
	st := jobState{Done: j.done, Failed: j.done && j.err != nil, Phase: j.phase, Bytes: p.TotalDone, Total: p.Total, Files: p.FilesDone, OfFiles: p.FilesTotal}
	if p.Path != "" {
		st.File = p.Path
	}
	return st
}

func (s *Server) jobFor(w http.ResponseWriter, r *http.Request) *job {
	j := s.jobs.get(r.PathValue("id"))
	if j == nil {
		s.renderStatus(w, r, http.StatusNotFound, "No such task", "This task is not known: the app may have been restarted since. Start it again.")
	}
	return j
}

// jobStateJSON answers the job page's polling.
func (s *Server) jobStateJSON(w http.ResponseWriter, r *http.Request) {
	j := s.jobs.get(r.PathValue("id"))
	if j == nil {
		http.Error(w, "casepack: no such task", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(j.state())
}

// jobPage shows a job: its progress while it runs, its result (through
// the job's view) when done.
func (s *Server) jobPage(w http.ResponseWriter, r *http.Request) {
	j := s.jobFor(w, r)
	if j == nil {
		return
	}
	st := j.state()
	if !st.Done {
		s.render(w, http.StatusOK, "running", page{Title: j.Title, Nav: j.Nav, Case: j.Case, Data: struct {
			Job   *job
			State jobState
		}{j, st}})
		return
	}
	j.mu.Lock()
	res, err := j.result, j.err
	j.mu.Unlock()
	s.render(w, http.StatusOK, j.view, page{Title: j.Title, Nav: j.Nav, Case: j.Case, Data: jobResult{Job: j, Result: res, Err: err, Hint: hintOf(err)}})
}

// jobResult is what a job's result page gets.
type jobResult struct {
	Job    *job
	Result any
	Err    error
	Hint   string
}
