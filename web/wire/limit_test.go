package wire

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"portal/models"
)

// untouchable fails the test when read: the body must not be read.
type untouchable struct{ t *testing.T }

func (u untouchable) Read([]byte) (int, error) {
	u.t.Error("the body was read")
	return 0, io.EOF
}

func (untouchable) Close() error { return nil }

// A Content-Length over the limit fails the first read with
// *http.MaxBytesError without reading the client's body, and the answer
// closes the connection.
func TestLimitRefusesByContentLength(t *testing.T) {
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "/", nil)
	c.Request.Body = untouchable{t}
	c.Request.ContentLength = 11
	Limit(c, 10)
	_, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if !errors.As(err, &tooBig) || tooBig.Limit != 10 {
		t.Fatalf("read: %v", err)
	}
	if got := w.Header().Get("Connection"); got != "close" {
		t.Errorf("Connection %q", got)
	}
}

// A body without (or within) its Content-Length is read up to the limit.
func TestLimitCountsWhatIsRead(t *testing.T) {
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("x", 20)))
	c.Request.ContentLength = -1 // chunked
	Limit(c, 10)
	_, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if !errors.As(err, &tooBig) || w.Header().Get("Connection") != "close" {
		t.Fatalf("read: %v, Connection %q", err, w.Header().Get("Connection"))
	}

	c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("0123456789"))
	Limit(c, 10)
	if b, err := io.ReadAll(c.Request.Body); err != nil || string(b) != "0123456789" {
		t.Fatalf("within the limit: %q %v", b, err)
	}
}

func TestBodyError(t *testing.T) {
	if BodyError(nil) != nil {
		t.Error("nil is not nil")
	}
	tooBig := &http.MaxBytesError{Limit: 1}
	if BodyError(tooBig) != error(tooBig) {
		t.Error("a MaxBytesError is changed")
	}
	err := BodyError(io.ErrUnexpectedEOF)
	if models.ErrorCode(err) != models.CodeInvalid || !errors.Is(err, ErrBodyCutShort) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cut short: %v", err)
	}
}

// A later Limit replaces an earlier one that nothing read through: a route
// of larger bodies under the server's default.
func TestLimitReplacesAnUnreadLimit(t *testing.T) {
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("x", 20)))
	Limit(c, 10) // the server's default, from the Content-Length: refused
	if w.Header().Get("Connection") != "close" {
		t.Fatal("no Connection: close")
	}
	Limit(c, 30) // the route's
	if b, err := io.ReadAll(c.Request.Body); err != nil || len(b) != 20 || w.Header().Get("Connection") != "" {
		t.Fatalf("under the route's limit: %d bytes, %v, Connection %q", len(b), err, w.Header().Get("Connection"))
	}

	c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("x", 20)))
	c.Request.ContentLength = -1
	Limit(c, 30)
	Limit(c, 10)
	_, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if !errors.As(err, &tooBig) || tooBig.Limit != 10 {
		t.Fatalf("a smaller later limit: %v", err)
	}
}
