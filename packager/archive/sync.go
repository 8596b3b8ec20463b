package archive

import (
	"context"
	"errors"
	"io"

	"github.com/casepack/casepack/packager/archive/store"
)

// SyncOptions tune Sync.
type SyncOptions struct {
	Check CheckOptions
	// Retention locks the objects written to the destination.
	Retention *store.Retention
	// Uploads is how many files are copied at once (default 4).
	Uploads int
	// Package, when set, is told when each package starts.
	Package func(id ID, name string, bytes int64)
}

// SyncReport says what Sync did.
type SyncReport struct {
	Source      string       `json:"source"`
	Destination string       `json:"destination"`
	Copied      []SyncResult `json:"copied"`
	Present     int          `json:"already_present"` // packages the destination had
	Failed      []SyncResult `json:"failed"`          // not copied: damaged at the source, or unreadable
}

// SyncResult is one package Sync copied or could not copy.
type SyncResult struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Bytes int64  `json:"bytes,omitempty"`
	Check *Check `json:"check,omitempty"` // the check of the destination's copy
	Error string `json:"error,omitempty"`
}

// Sync copies to dst every package of a (the source) that dst lacks,
// object by object, streamed (nothing is staged on local disk). Each copy
// is committed in dst only after it was verified from dst, exactly as Add
// does: a package damaged at the source is refused and reported, never
// copied. Packages dst already has are left alone (they are immutable and
// identified by content). The error is for failures to run at all.
func Sync(ctx context.Context, src, dst *Archive, opt SyncOptions) (*SyncReport, error) {
	if opt.Retention != nil {
		if err := dst.st.CheckRetention(ctx); err != nil {
			return nil, err
		}
	}
	stored, err := src.records(ctx)
	if err != nil {
		return nil, err
	}
	rep := &SyncReport{Source: src.Root(), Destination: dst.Root(), Copied: []SyncResult{}, Failed: []SyncResult{}}
	for _, s := range stored {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		has, err := dst.exists(ctx, s.ID)
		if err != nil {
			return rep, err
		}
		if has {
			rep.Present++
			continue
		}
		if s.Record == nil {
			rep.Failed = append(rep.Failed, SyncResult{ID: s.ID.String(), Error: s.Err.Error()})
			continue
		}
		if opt.Package != nil {
			opt.Package(s.ID, s.Record.Name, s.Record.Bytes)
		}
		r, err := copyPackage(ctx, src, dst, s.Record, opt)
		var ni *NotIntactError
		switch {
		case errors.As(err, &ni):
			rep.Failed = append(rep.Failed, SyncResult{ID: s.ID.String(), Name: s.Record.Name, Bytes: s.Record.Bytes, Check: ni.Check, Error: err.Error()})
		case err != nil && ctx.Err() != nil:
			return rep, ctx.Err()
		case err != nil:
			rep.Failed = append(rep.Failed, SyncResult{ID: s.ID.String(), Name: s.Record.Name, Bytes: s.Record.Bytes, Error: err.Error()})
		case r.Already: // committed by a concurrent sync or add meanwhile
			rep.Present++
		default:
			rep.Copied = append(rep.Copied, SyncResult{ID: s.ID.String(), Name: s.Record.Name, Bytes: s.Record.Bytes, Check: r.Check})
		}
	}
	return rep, nil
}

// copyPackage copies one package's objects under a new upload folder of
// dst and commits it there.
func copyPackage(ctx context.Context, src, dst *Archive, srcRec *Record, opt SyncOptions) (*AddResult, error) {
	rec := *srcRec
	rec.Upload = dst.newUpload()
	rec.Retention = opt.Retention
	rec.StoredBy = "casepack " + dst.opt.Version
	copied := dst.now()
	rec.CopiedAt = &copied
	objs := append([]Object(nil), srcRec.Objects...)
	open := func(o Object) (io.ReadCloser, error) { return src.st.Open(ctx, srcRec.objectKey(o)) }
	put := store.PutOptions{Exclusive: true, Retention: opt.Retention}
	if err := dst.uploadObjects(ctx, &rec, objs, open, put, opt.Uploads); err != nil {
		dst.discard(&rec)
		return nil, err
	}
	return dst.commit(ctx, &rec, opt.Check, func(string) {}, &AddResult{Package: src.displayPath(srcRec), ID: rec.ID})
}
