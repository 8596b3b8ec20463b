package store

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/source"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says how to reach an S3-compatible service. Every field may be
// left empty: the standard AWS environment variables fill it in, so no
// secret ever has to be typed on a command line (where other users of the
// machine can read it in the process list).
type S3Config struct {
	// Endpoint is the service URL, e.g. http://127.0.0.1:7070 or
	// https://s3.eu-central-1.amazonaws.com. Default: AWS_ENDPOINT_URL_S3,
	// then AWS_ENDPOINT_URL, then Amazon S3.
	Endpoint string
	// Region defaults to AWS_REGION, then AWS_DEFAULT_REGION.
	Region string
	// Profile names a profile of the AWS shared credentials and config
	// files; default AWS_PROFILE, then "default".
	Profile string
	// CredentialsFile is an AWS shared credentials file to read instead of
	// AWS_SHARED_CREDENTIALS_FILE / ~/.aws/credentials and ~/.aws/config.
	CredentialsFile string
	// Getenv reads the environment; os.Getenv when nil.
	Getenv func(string) string
}

func (c S3Config) getenv(k string) string {
	if c.Getenv != nil {
		return c.Getenv(k)
	}
	return os.Getenv(k)
}

// minPartSize is the multipart part size for large objects: an upload
// holds one part in memory at a time. S3 allows 10,000 parts per object, so
// objects above 160 GiB get parts of size/10,000 (rounded up to a MiB);
// memory then grows with the largest single file, by 1 MiB per 10 GiB.
const minPartSize = 16 << 20

func partSize(size int64) uint64 {
	p := int64(minPartSize)
	if need := (size + 9999) / 10000; need > p {
		p = (need + 1<<20 - 1) &^ (1<<20 - 1)
	}
	return uint64(p)
}

// S3 is a Store on a bucket and key prefix of an S3-compatible service.
// Each object is one S3 object; large ones are uploaded in parts and become
// visible only when the upload completes, so a reader never sees half an
// object. Exclusive puts check first and send If-None-Match: * so that a
// service which supports conditional writes refuses a concurrent second
// writer too.
type S3 struct {
	client *minio.Client
	core   minio.Core
	bucket string
	prefix string // "" or ending in "/"
	url    string
}

// ErrNoCredentials is returned (wrapped) when no S3 credentials are
// configured.
var ErrNoCredentials = errors.New("no S3 credentials")

// URLError is an s3:// root or endpoint URL that cannot be used as given.
type URLError struct {
	URL    string // with any credentials removed
	Reason string
}

func (e *URLError) Error() string { return fmt.Sprintf("%q %s", e.URL, e.Reason) }

// IsS3URL reports whether root names an S3 location.
func IsS3URL(root string) bool { return strings.HasPrefix(root, "s3://") }

// ParseS3URL splits s3://bucket/prefix. Credentials in the URL are refused:
// they would show in the process list and in shell history.
func ParseS3URL(root string) (bucket, prefix string, err error) {
	bad := func(why string) error { return &URLError{URL: redactURL(root), Reason: why} }
	u, err := url.Parse(root)
	if err != nil || u.Scheme != "s3" {
		return "", "", bad("is not an s3://bucket/prefix URL")
	}
	if u.User != nil {
		return "", "", bad("carries credentials; give them in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or an AWS profile, never in the URL")
	}
	if u.Host == "" {
		return "", "", bad("has no bucket name")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", "", bad("has a ?query or #fragment, which an archive URL does not take")
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix != "" {
		if err := CheckKey(prefix); err != nil {
			return "", "", bad(fmt.Sprintf("has a prefix, %q, that is not a safe key (no empty, . or .. parts)", prefix))
		}
		prefix += "/"
	}
	return u.Host, prefix, nil
}

// redactURL drops anything before an "@" after the scheme: a URL with
// credentials is never repeated whole.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		scheme, rest = "", s
	} else {
		scheme += "://"
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		return scheme + "…@" + rest[i+1:]
	}
	return s
}

// OpenS3 connects to s3://bucket/prefix and checks that the bucket exists.
func OpenS3(ctx context.Context, root string, cfg S3Config) (*S3, error) {
	bucket, prefix, err := ParseS3URL(root)
	if err != nil {
		return nil, err
	}
	endpoint := cfg.Endpoint
	for _, k := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
		if endpoint == "" {
			endpoint = cfg.getenv(k)
		}
	}
	if endpoint == "" {
		endpoint = "https://s3.amazonaws.com"
	}
	eu, err := url.Parse(endpoint)
	if err != nil || (eu.Scheme != "http" && eu.Scheme != "https") || eu.Host == "" {
		return nil, &URLError{URL: redactURL(endpoint), Reason: "is not an S3 endpoint: give a URL such as https://s3.example.org or http://127.0.0.1:7070"}
	}
	if eu.User != nil {
		return nil, &URLError{URL: redactURL(endpoint), Reason: "carries credentials; use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or an AWS profile"}
	}
	region := cfg.Region
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if region == "" {
			region = cfg.getenv(k)
		}
	}
	// Environment first, then the shared files: the AWS SDKs' order. No
	// instance-metadata provider: it would reach for a link-local address
	// on every machine that has no credentials configured.
	creds := credentials.NewChainCredentials([]credentials.Provider{
		&credentials.EnvAWS{},
		&credentials.FileAWSCredentials{Filename: cfg.CredentialsFile, Profile: cfg.Profile},
	})
	v, err := creds.GetWithContext(nil)
	if err != nil || v.AccessKeyID == "" || v.SecretAccessKey == "" {
		return nil, fmt.Errorf("%w found for %s: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~/.aws/credentials", ErrNoCredentials, root)
	}
	tr, err := transport(cfg.getenv("AWS_CA_BUNDLE"))
	if err != nil {
		return nil, err
	}
	client, err := minio.New(eu.Host, &minio.Options{
		Creds:     creds,
		Secure:    eu.Scheme == "https",
		Region:    region,
		Transport: tr,
	})
	if err != nil {
		return nil, err
	}
	s := &S3{client: client, core: minio.Core{Client: client}, bucket: bucket, prefix: prefix, url: "s3://" + bucket + "/" + strings.TrimSuffix(prefix, "/")}
	ok, err := client.BucketExists(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot reach the bucket at %s: %w", s.url, endpoint, mapErr(err, ""))
	}
	if !ok {
		return nil, fmt.Errorf("%s: %w: bucket %q does not exist at %s (or these credentials cannot see it)", s.url, fs.ErrNotExist, bucket, endpoint)
	}
	return s, nil
}

// transport is the default HTTP transport, with the CA certificates of
// AWS_CA_BUNDLE added when it is set (a private S3 service).
func transport(caBundle string) (http.RoundTripper, error) {
	tr, err := minio.DefaultTransport(true)
	if err != nil {
		return nil, err
	}
	if caBundle == "" {
		return tr, nil
	}
	pem, err := source.ReadFile(caBundle, 16<<20) // never blocks on a FIFO
	if err != nil {
		return nil, fmt.Errorf("AWS_CA_BUNDLE: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("AWS_CA_BUNDLE %s: no PEM certificate in it", caBundle)
	}
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tr.TLSClientConfig.RootCAs = pool
	return tr, nil
}

func (s *S3) String() string { return s.url }

// Bucket and Prefix name the location.
func (s *S3) Bucket() string { return s.bucket }

// Prefix is "" or a key prefix ending in "/".
func (s *S3) Prefix() string { return s.prefix }

// Client is the underlying client (tests and set-up use it).
func (s *S3) Client() *minio.Client { return s.client }

func (s *S3) name(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return s.prefix + key, nil
}

// mapErr turns S3 error codes into the fs errors callers test with
// errors.Is, keeping the service's words.
func mapErr(err error, key string) error {
	if err == nil {
		return nil
	}
	switch minio.ToErrorResponse(err).Code {
	case minio.NoSuchKey:
		return &fs.PathError{Op: "open", Path: key, Err: fs.ErrNotExist}
	case "PreconditionFailed":
		return &fs.PathError{Op: "put", Path: key, Err: fs.ErrExist}
	case "AccessDenied":
		return fmt.Errorf("%w (%v)", fs.ErrPermission, err)
	}
	return err
}

// Put uploads the object; see S3 for exclusivity.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, opt PutOptions) error {
	name, err := s.name(key)
	if err != nil {
		return err
	}
	po := minio.PutObjectOptions{PartSize: partSize(size), NumThreads: 1, ContentType: "application/octet-stream"}
	if opt.Retention != nil {
		po.Mode = minio.RetentionMode(opt.Retention.Mode)
		po.RetainUntilDate = opt.Retention.Until
	}
	if opt.Exclusive {
		if _, err := s.Stat(ctx, key); err == nil {
			return &fs.PathError{Op: "put", Path: key, Err: fs.ErrExist}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		po.SetMatchETagExcept("*")
	}
	// Hide ReaderAt: minio-go would read a ReaderAt's parts in parallel,
	// one buffer each; a plain reader streams with one part buffer.
	info, err := s.client.PutObject(ctx, s.bucket, name, struct{ io.Reader }{r}, size, po)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, mapErr(err, key))
	}
	if info.Size != size {
		return fmt.Errorf("put %s: the service stored %d bytes, expected %d", key, info.Size, size)
	}
	return nil
}

// Open streams the object with one GET.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	return s.openFrom(ctx, key, 0)
}

func (s *S3) openFrom(ctx context.Context, key string, off int64) (io.ReadCloser, error) {
	name, err := s.name(key)
	if err != nil {
		return nil, err
	}
	opts := minio.GetObjectOptions{}
	if off > 0 {
		if err := opts.SetRange(off, 0); err != nil {
			return nil, err
		}
	}
	rc, _, _, err := s.core.GetObject(ctx, s.bucket, name, opts)
	if err != nil {
		return nil, mapErr(err, key)
	}
	return rc, nil
}

// OpenAt opens the object for random access: sequential reads from one
// offset share one streaming GET (see rangeReader).
func (s *S3) OpenAt(ctx context.Context, key string) (ReaderAt, error) {
	fi, err := s.Stat(ctx, key)
	if err != nil {
		return nil, err
	}
	return newRangeReader(fi.Size, func(off int64) (io.ReadCloser, error) { return s.openFrom(ctx, key, off) }), nil
}

// Stat heads the object.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	name, err := s.name(key)
	if err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, mapErr(err, key)
	}
	return Info{Key: key, Size: oi.Size, Modified: oi.LastModified}, nil
}

// List lists the objects under prefix.
func (s *S3) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for oi := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
			if oi.Err != nil {
				yield(Info{}, fmt.Errorf("list %s/%s: %w", s.url, prefix, mapErr(oi.Err, prefix)))
				return
			}
			key := strings.TrimPrefix(oi.Key, s.prefix)
			if strings.HasSuffix(key, "/") { // a folder marker some tools create
				continue
			}
			if !yield(Info{Key: key, Size: oi.Size, Modified: oi.LastModified}, nil) {
				return
			}
		}
	}
}

// Delete removes the object (its current version, in a versioned bucket).
func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.name(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil && !errors.Is(mapErr(err, key), fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, mapErr(err, key))
	}
	return nil
}

// CheckRetention asks the bucket whether Object Lock is enabled.
func (s *S3) CheckRetention(ctx context.Context) error {
	enabled, _, _, _, err := s.client.GetObjectLockConfig(ctx, s.bucket)
	if err != nil {
		code := minio.ToErrorResponse(err).Code
		if code == "ObjectLockConfigurationNotFoundError" || code == "NotImplemented" || code == "InvalidRequest" {
			return fmt.Errorf("%w: bucket %q has no Object Lock configuration (Object Lock must be enabled when the bucket is created)", ErrRetentionUnsupported, s.bucket)
		}
		return fmt.Errorf("%s: reading the bucket's Object Lock configuration: %w", s.url, mapErr(err, ""))
	}
	if enabled != "Enabled" {
		return fmt.Errorf("%w: bucket %q does not have Object Lock enabled", ErrRetentionUnsupported, s.bucket)
	}
	return nil
}

// Retention reads an object's Object Lock retention (nil when none) from
// the headers of a HEAD request, which every S3 service answers alike (the
// XML of GetObjectRetention differs between services).
func (s *S3) Retention(ctx context.Context, key string) (*Retention, error) {
	name, err := s.name(key)
	if err != nil {
		return nil, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return nil, mapErr(err, key)
	}
	mode := oi.Metadata.Get("X-Amz-Object-Lock-Mode")
	until := oi.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date")
	if mode == "" || until == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, until)
	if err != nil {
		return nil, fmt.Errorf("%s: retain-until date %q: %w", key, until, err)
	}
	return &Retention{Mode: RetentionMode(mode), Until: t}, nil
}
