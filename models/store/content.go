package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"portal/models"
)

// Document contents (models.ContentStore): each stored once, named by its
// SHA-256 in hex. The database store (the default) keeps them in the blobs
// table, written in the transaction of the upload; the filesystem store in
// a directory, one file per content.

// validSHA256 reports whether s is a SHA-256 written as 64 lower-case hex
// digits (so it is also a safe file name).
func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// DBContent keeps contents in the blobs table of the store's database.
type DBContent struct{ c *core }

var _ models.ContentStore = DBContent{}

// NewDBContent is the database content store of s.
func NewDBContent(s *Store) DBContent { return DBContent{c: s.core} }

// Put implements models.ContentStore, in ctx's transaction when there is
// one: the first copy of a SHA-256 stays.
func (d DBContent) Put(ctx context.Context, sha256, contentType string, content []byte) error {
	if !validSHA256(sha256) {
		return fmt.Errorf("content store: bad sha256 %q", sha256)
	}
	return d.c.conn(ctx).Exec(`INSERT INTO blobs (sha256, size, content_type, data, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, sha256, int64(len(content)), contentType, content, d.c.now()).Error
}

// Open implements models.ContentStore.
func (d DBContent) Open(ctx context.Context, sha256 string) (io.ReadCloser, error) {
	if !validSHA256(sha256) {
		return nil, models.NotFound("document content")
	}
	var data []byte
	err := d.c.conn(ctx).Raw("SELECT data FROM blobs WHERE sha256 = ?", sha256).Row().Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, models.NotFound("document content")
	}
	if err != nil {
		return nil, translate(err, "document content")
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// FileContent keeps contents as files of a directory, named by their
// SHA-256. A file is written to a temporary name, synced and renamed, so a
// content is either whole or absent.
type FileContent struct{ Dir string }

var _ models.ContentStore = FileContent{}

// NewFileContent is the filesystem content store in dir (created if
// missing).
func NewFileContent(dir string) (FileContent, error) {
	if dir == "" {
		return FileContent{}, errors.New("content store: no directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return FileContent{}, fmt.Errorf("content store: %w", err)
	}
	return FileContent{Dir: dir}, nil
}

// Put implements models.ContentStore: a content already there is kept.
func (f FileContent) Put(_ context.Context, sha256, _ string, content []byte) error {
	if !validSHA256(sha256) {
		return fmt.Errorf("content store: bad sha256 %q", sha256)
	}
	final := filepath.Join(f.Dir, sha256)
	if _, err := os.Stat(final); err == nil {
		return nil
	}
	tmp, err := os.CreateTemp(f.Dir, ".upload-*")
	if err != nil {
		return fmt.Errorf("content store: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing to remove
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return fmt.Errorf("content store: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("content store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("content store: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("content store: %w", err)
	}
	return nil
}

// Open implements models.ContentStore.
func (f FileContent) Open(_ context.Context, sha256 string) (io.ReadCloser, error) {
	if !validSHA256(sha256) {
		return nil, models.NotFound("document content")
	}
	file, err := os.Open(filepath.Join(f.Dir, sha256))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, models.NotFound("document content")
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	return file, nil
}
