package archive_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/packager/archive"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/archive/store/s3test"
	"github.com/minio/minio-go/v7"
)

// Sync copies what the destination lacks, both ways between a folder and
// a bucket; a package damaged at the source is reported and not copied.
func TestSyncBothWays(t *testing.T) {
	f := getFixtures(t)
	ctx := context.Background()
	srv := s3test.Need(t)
	srv.Setenv(t)
	local := open(t, filepath.Join(t.TempDir(), "local"), true)
	bucket := open(t, "s3://"+srv.Bucket(t, false)+"/copy", true)

	conf := add(t, local, f.conf)
	add(t, local, f.pubZip)
	add(t, bucket, f.cosigned)

	rep, err := archive.Sync(ctx, local, bucket, archive.SyncOptions{})
	if err != nil || len(rep.Copied) != 2 || rep.Present != 0 || len(rep.Failed) != 0 {
		t.Fatalf("sync local -> s3: %+v, %v", rep, err)
	}
	rep, err = archive.Sync(ctx, bucket, local, archive.SyncOptions{})
	if err != nil || len(rep.Copied) != 1 || rep.Present != 2 {
		t.Fatalf("sync s3 -> local: %+v, %v", rep, err)
	}
	rep, err = archive.Sync(ctx, local, bucket, archive.SyncOptions{})
	if err != nil || len(rep.Copied) != 0 || rep.Present != 3 {
		t.Fatalf("sync when in step: %+v, %v", rep, err)
	}
	for _, a := range []*archive.Archive{local, bucket} {
		cat, err := a.List(ctx, archive.ListOptions{})
		if err != nil || len(cat.Entries) != 3 {
			t.Fatalf("%s after sync: %v", a.Root(), err)
		}
		fx, err := a.Audit(ctx, archive.AuditOptions{})
		if err != nil || fx.Checked != 3 || fx.Damaged != 0 {
			t.Fatalf("audit of %s after sync: %+v, %v", a.Root(), fx, err)
		}
	}
	// A copy keeps when the package was first stored.
	id, _ := archive.ParseID(conf.ID)
	shown, err := bucket.Show(ctx, id.String(), archive.ListOptions{})
	if err != nil || !shown.Record.StoredAt.Equal(conf.Record.StoredAt) || shown.Record.CopiedAt == nil {
		t.Fatalf("the copy's record: %+v, %v", shown, err)
	}

	// Damage at the source: the next sync to a new destination refuses
	// that package and copies the rest.
	ev := strings.TrimPrefix(firstEvidenceFile(t, f.conf), f.conf+"/")
	rot(t, local, local.Root(), objectOf(t, local, conf.ID, "/"+ev))
	fresh := open(t, "s3://"+srv.Bucket(t, false), true)
	rep, err = archive.Sync(ctx, local, fresh, archive.SyncOptions{})
	if err != nil || len(rep.Copied) != 2 || len(rep.Failed) != 1 || rep.Failed[0].ID != conf.ID || rep.Failed[0].Check == nil {
		t.Fatalf("sync of a damaged source: %+v, %v", rep, err)
	}
	if ok, _ := hasRecord(t, fresh, conf.ID); ok {
		t.Fatal("the damaged package was committed in the destination")
	}
}

func hasRecord(t *testing.T, a *archive.Archive, id string) (bool, error) {
	t.Helper()
	pid, _ := archive.ParseID(id)
	_, err := a.Resolve(context.Background(), pid.String())
	return err == nil, err
}

// Object Lock on a bucket that has it: every object of the package is
// locked until the date, and cannot be deleted before. (What versitygw does
// not support is said in docs/ARCHIVE.md.)
func TestObjectLock(t *testing.T) {
	f := getFixtures(t)
	ctx := context.Background()
	srv := s3test.Need(t)
	srv.Setenv(t)
	until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	ret := &store.Retention{Mode: store.Governance, Until: until}

	plain := open(t, "s3://"+srv.Bucket(t, false)+"/p", true)
	if _, err := plain.Add(ctx, f.conf, archive.AddOptions{Retention: ret}); !errors.Is(err, store.ErrRetentionUnsupported) {
		t.Fatalf("retention on a bucket without Object Lock: %v", err)
	}

	bucket := srv.Bucket(t, true)
	a := open(t, "s3://"+bucket+"/locked", true)
	res, err := a.Add(ctx, f.pubZip, archive.AddOptions{Retention: ret})
	if err != nil {
		t.Fatal(err)
	}
	if res.Record.Retention == nil || !res.Record.Retention.Until.Equal(until) {
		t.Fatalf("record retention: %+v", res.Record.Retention)
	}
	s3 := a.Store().(*store.S3)
	pid, _ := archive.ParseID(res.ID)
	for _, k := range keys(t, s3, archive.PackagesPrefix+pid.Root+"/") {
		got, err := s3.Retention(ctx, k)
		if err != nil || got == nil || got.Mode != store.Governance || !got.Until.Equal(until) {
			t.Fatalf("%s: retention %+v, %v; want governance until %v", k, got, err, until)
		}
		// Deleting the locked version itself must be refused.
		oi, err := srv.Client().StatObject(ctx, bucket, s3.Prefix()+k, minio.StatObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		err = srv.Client().RemoveObject(ctx, bucket, s3.Prefix()+k, minio.RemoveObjectOptions{VersionID: oi.VersionID})
		if err == nil {
			t.Fatalf("%s (version %q): a locked object version was deleted", k, oi.VersionID)
		}
	}
	if fx, err := a.Audit(ctx, archive.AuditOptions{}); err != nil || fx.Damaged != 0 || fx.Checked != 1 {
		t.Fatalf("audit of the locked package: %+v, %v", fx, err)
	}
}
