package models

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
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
// authentication) share one process-wide bound: each argon2id check holds
// 19 MiB and a core for tens of milliseconds, so unbounded parallel guesses
// would exhaust memory and CPU whatever the throttle says.
var (
	// hashSlots holds one token per check in progress.
	hashSlots = make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	// hashWait is how long a check waits for a slot before giving up.
	hashWait = 2 * time.Second
)

// HashingBusyRetryAfter is the Retry-After, in seconds, of ErrHashingBusy.
const HashingBusyRetryAfter = 1

// ErrHashingBusy is the answer when no password check could start within
// the wait: the server is at capacity, the caller should retry shortly.
var ErrHashingBusy = Limited("rate.busy", nil, HashingBusyRetryAfter)

// CheckPasswordOrDummyLimited is CheckPasswordOrDummy run within the
// process-wide bound on concurrent checks. It waits for a slot at most
// hashWait (less if ctx ends first) and then answers ErrHashingBusy
// without hashing anything.
func CheckPasswordOrDummyLimited(ctx context.Context, hash, password string) (bool, error) {
	if err := acquireHashSlot(ctx); err != nil {
		return false, err
	}
	defer func() { <-hashSlots }()
	return CheckPasswordOrDummy(hash, password), nil
}

func acquireHashSlot(ctx context.Context) error {
	select {
	case hashSlots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(hashWait)
	defer t.Stop()
	select {
	case hashSlots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ErrHashingBusy
	case <-t.C:
		return ErrHashingBusy
	}
}
