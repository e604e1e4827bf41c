package wire

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

func TestEncodeKeepsTextAsWritten(t *testing.T) {
	if got := string(Encode(map[string]string{"a": "<b>&"})); got != `{"a":"<b>&"}` {
		t.Fatalf("Encode = %q", got)
	}
}

func TestTimestamp(t *testing.T) {
	at := time.Date(2024, 10, 16, 15, 19, 53, 999, time.FixedZone("WEST", 3600))
	if got := Timestamp(at); got != "2024-10-16T14:19:53Z" {
		t.Fatalf("Timestamp = %q", got)
	}
}

func TestCutScheme(t *testing.T) {
	for _, c := range []struct {
		v, seps, rest string
		ok            bool
	}{
		{"Bearer abc", " ", "abc", true},
		{"bearer  abc ", " ", "abc", true},
		{"Bearer", " ", "", true},
		{"Bearer\tabc", " ", "", false},
		{"Bearer\tabc", " \t,", "abc", true},
		{"Bearer,abc", " \t,", ",abc", true},
		{"Bearerabc", " \t,", "", false},
		{" Bearer abc", " ", "", false},
		{"Bear", " ", "", false},
	} {
		rest, ok := CutScheme(c.v, "Bearer", c.seps)
		if rest != c.rest || ok != c.ok {
			t.Errorf("CutScheme(%q, %q) = %q, %v; want %q, %v", c.v, c.seps, rest, ok, c.rest, c.ok)
		}
	}
}

func TestBearerToken(t *testing.T) {
	for v, want := range map[string]string{"Bearer t1": "t1", "BEARER  t2 ": "t2", "Basic x": "", "": "", "Bearer\tt3": ""} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
		c.Request.Header.Set("Authorization", v)
		if got := BearerToken(c); got != want {
			t.Errorf("BearerToken(%q) = %q, want %q", v, got, want)
		}
	}
}
