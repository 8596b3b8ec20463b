package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/casepack/casepack/internal/digest"
)

// TestJobProgress: while a job runs, its page shows the phase and a
// progress bar, and its state says how far it is; when it ends, the page
// shows its result; stopping the server cancels it.
func TestJobProgress(t *testing.T) {
	s, c := newServer(t)
	step := make(chan struct{})
	j := s.jobs.start("Test job", "", "cases", "status", func(ctx context.Context, j *job) (any, error) {
		j.setPhase("copying and hashing")
		j.report(digest.Progress{TotalDone: 300, Total: 1000, FilesDone: 1, FilesTotal: 4})
		step <- struct{}{}
		<-ctx.Done()
		return problem{Heading: "stopped", Message: "the job saw its cancellation"}, nil
	})
	<-step
	rec := c.get("/jobs/" + j.ID)
	wantStatus(t, rec, http.StatusOK)
	mustContain(t, rec.Body.String(), "copying and hashing…", `<progress id="job-progress" max="1000" value="300">`, `data-job-url="/jobs/`+j.ID+`/state"`)
	var st jobState
	if err := json.Unmarshal(c.get("/jobs/"+j.ID+"/state").Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if st.Done || st.Bytes != 300 || st.Total != 1000 || st.Files != 1 || st.OfFiles != 4 {
		t.Fatalf("state %+v", st)
	}
	s.jobs.cancelAll()
	s.jobs.wait()
	if err := json.Unmarshal(c.get("/jobs/"+j.ID+"/state").Body.Bytes(), &st); err != nil || !st.Done || st.Failed {
		t.Fatalf("after cancel: %+v %v", st, err)
	}
	wantStatus(t, c.get("/jobs/999"), http.StatusNotFound)
	wantStatus(t, c.get("/jobs/999/state"), http.StatusNotFound)
}
