package models

import (
	"container/list"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's minimum (m=19 MiB, t=2, p=1).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC hash. A malformed
// hash never matches; the work done is the same as for a real one.
func CheckPassword(hash, password string) bool {
	var version int
	var mem, iters uint32
	var threads uint8
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when no user matches, so unknown users take
// as long as wrong passwords.
var dummyHash, _ = HashPassword("no such user")

// CheckPasswordOrDummy checks password against hash, or against a dummy hash
// when hash is empty, and returns false in that case.
func CheckPasswordOrDummy(hash, password string) bool {
	if hash == "" {
		CheckPassword(dummyHash, password)
		return false
	}
	return CheckPassword(hash, password)
}

// Password checks on sign-in paths (browser login, OBP DirectLogin, partner
// authentication) share one process-wide gate: each argon2id check holds
// 19 MiB and a core for tens of milliseconds, so unbounded parallel guesses
// would exhaust memory and CPU whatever the throttle says. A check that
// finds every slot taken waits its turn (first come, first served) instead
// of being refused, so a genuine sign-in during a flood is answered a
// little later; only when the queue is full, or its wait runs out, is the
// answer ErrHashingBusy ("busy, retry").
var PasswordChecks = NewCheckGate(2*runtime.GOMAXPROCS(0), 32*runtime.GOMAXPROCS(0), 2*time.Second)

// HashingBusyRetryAfter is the Retry-After, in seconds, of ErrHashingBusy.
const HashingBusyRetryAfter = 1

// ErrHashingBusy is the answer when no password check could start within
// the wait: the server is at capacity, the caller should retry shortly.
var ErrHashingBusy = Limited("rate.busy", nil, HashingBusyRetryAfter)

// CheckPasswordOrDummyLimited is CheckPasswordOrDummy run within
// PasswordChecks: it waits for a slot (see CheckGate.Acquire) and answers
// ErrHashingBusy without hashing anything when none came.
func CheckPasswordOrDummyLimited(ctx context.Context, hash, password string) (bool, error) {
	release, err := PasswordChecks.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return CheckPasswordOrDummy(hash, password), nil
}

// CheckGate bounds work done concurrently: Slots at a time; further
// callers wait in a first-come, first-served queue of at most Queue
// callers, each for at most Wait. A freed slot goes straight to the
// longest waiting caller, so newcomers cannot overtake the queue.
type CheckGate struct {
	slots, queue int
	wait         time.Duration

	mu      sync.Mutex
	inUse   int
	waiters list.List // of chan struct{}, closed when granted a slot
}

// NewCheckGate is a gate of slots concurrent holders, at most queue
// waiting callers, each waiting at most wait.
func NewCheckGate(slots, queue int, wait time.Duration) *CheckGate {
	return &CheckGate{slots: max(slots, 1), queue: max(queue, 0), wait: wait}
}

// Acquire takes a slot, waiting for one if need be, and returns the
// function that gives it back (once; later calls do nothing). It answers
// ErrHashingBusy at once when the queue is full, and after waiting when
// the wait runs out or ctx ends first; a caller that gives up leaves the
// queue, so its place goes to the next.
func (g *CheckGate) Acquire(ctx context.Context) (release func(), err error) {
	g.mu.Lock()
	if g.inUse < g.slots && g.waiters.Len() == 0 {
		g.inUse++
		g.mu.Unlock()
		return g.releaser(), nil
	}
	if g.waiters.Len() >= g.queue {
		g.mu.Unlock()
		return nil, ErrHashingBusy
	}
	granted := make(chan struct{})
	el := g.waiters.PushBack(granted)
	g.mu.Unlock()

	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case <-granted:
		return g.releaser(), nil
	case <-ctx.Done():
	case <-t.C:
	}
	g.mu.Lock()
	select {
	case <-granted:
		// The slot came while giving up: use it, or hand it on when the
		// caller has gone.
		g.mu.Unlock()
		if ctx.Err() == nil {
			return g.releaser(), nil
		}
		g.release()
	default:
		g.waiters.Remove(el)
		g.mu.Unlock()
	}
	return nil, ErrHashingBusy
}

func (g *CheckGate) releaser() func() {
	var once sync.Once
	return func() { once.Do(g.release) }
}

// release gives a slot to the longest waiting caller, or back to the gate.
func (g *CheckGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if front := g.waiters.Front(); front != nil {
		close(g.waiters.Remove(front).(chan struct{}))
		return
	}
	g.inUse--
}

// Limits are the gate's number of slots and the most callers that may wait.
func (g *CheckGate) Limits() (slots, queue int) { return g.slots, g.queue }

// InUse is how many slots are held; Waiting how many callers wait.
func (g *CheckGate) InUse() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inUse
}

func (g *CheckGate) Waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiters.Len()
}
