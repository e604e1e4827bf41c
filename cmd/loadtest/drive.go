package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime/metrics"
	"slices"
	"sync"
	"syscall"
	"time"
)

// result is what one or more timed segments of a path measured.
type result struct {
	requests  int
	elapsed   time.Duration
	cpu       time.Duration // user + system CPU of this process
	allocated uint64        // bytes allocated on the heap by this process
	latencies []time.Duration
	statuses  map[int]int // non-2xx answers; 0: transport errors
	sample    map[int]string
	sqlPerReq int
}

func (r *result) add(o result) {
	r.requests += o.requests
	r.elapsed += o.elapsed
	r.cpu += o.cpu
	r.allocated += o.allocated
	r.latencies = append(r.latencies, o.latencies...)
	for s, n := range o.statuses {
		if r.statuses == nil {
			r.statuses, r.sample = map[int]int{}, map[int]string{}
		}
		r.statuses[s] += n
		if r.sample[s] == "" {
			r.sample[s] = o.sample[s]
		}
	}
}

func (r *result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

func (r *result) nonOK() int {
	n := 0
	for _, v := range r.statuses {
		n += v
	}
	return n
}

func (r *result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	slices.Sort(r.latencies)
	return r.latencies[min(len(r.latencies)-1, int(float64(len(r.latencies))*p))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func (r *result) line(path, target string) string {
	cpu, alloc := "-", "-"
	if r.requests > 0 {
		cpu = fmt.Sprintf("%.0fµs", float64(r.cpu)/float64(time.Microsecond)/float64(r.requests))
		alloc = fmt.Sprintf("%.0fKB", float64(r.allocated)/1024/float64(r.requests))
	}
	return fmt.Sprintf("%-8s %-8s %8d %9.0f %9s %9s %10s %9s %7d %7d", path, target, r.requests, r.rps(),
		ms(r.percentile(0.50)), ms(r.percentile(0.99)), cpu, alloc, r.sqlPerReq, r.nonOK())
}

// failures describes the non-2xx answers, one line per status.
func (r *result) failures(path, target string) []string {
	var out []string
	for s, n := range r.statuses {
		what := fmt.Sprintf("status %d", s)
		if s == 0 {
			what = "transport errors"
		}
		out = append(out, fmt.Sprintf("%s %s: %d %s, e.g. %q", path, target, n, what, r.sample[s]))
	}
	slices.Sort(out)
	return out
}

// allocatedBytes is the process's cumulative heap allocation.
func allocatedBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// drive runs clients concurrent loops of reqs for d and measures them.
func drive(ctx context.Context, reqs requestFunc, clients int, d time.Duration) result {
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, DisableCompression: true,
		IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return driveCalls(ctx, func(c, k int) (int, string, error) { return do(hc, reqs(c, k)) }, clients, d)
}

// callFunc makes the k-th call of client c: an HTTP request, or a service
// call answered with the status its error would have (path preview).
type callFunc func(c, k int) (status int, body string, err error)

// driveCalls runs clients concurrent loops of call for d and measures them.
func driveCalls(ctx context.Context, call callFunc, clients int, d time.Duration) result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	parts := make([]result, clients)
	var wg sync.WaitGroup
	cpu0, alloc0, t0 := cpuTime(), allocatedBytes(), time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &parts[c]
			r.latencies = make([]time.Duration, 0, 1024)
			for k := 0; ctx.Err() == nil; k++ {
				start := time.Now()
				status, body, err := call(c, k)
				if ctx.Err() != nil && err != nil {
					break // cut off by the end of the segment
				}
				r.latencies = append(r.latencies, time.Since(start))
				r.requests++
				if err != nil || status < 200 || status > 299 {
					if r.statuses == nil {
						r.statuses, r.sample = map[int]int{}, map[int]string{}
					}
					if err != nil {
						status, body = 0, err.Error()
					}
					r.statuses[status]++
					if r.sample[status] == "" {
						r.sample[status] = clip(body, 200)
					}
				}
			}
		}()
	}
	wg.Wait()
	total := result{elapsed: time.Since(t0), cpu: cpuTime() - cpu0, allocated: allocatedBytes() - alloc0}
	for _, p := range parts {
		p.elapsed, p.cpu, p.allocated = 0, 0, 0
		total.add(p)
	}
	return total
}

func do(hc *http.Client, r *http.Request) (int, string, error) {
	resp, err := hc.Do(r)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, "", err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(b), nil
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

var onceClient = &http.Client{Transport: &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// doOnce sends r and fails unless it is answered 2xx.
func doOnce(r *http.Request) (answer, error) {
	resp, err := onceClient.Do(r)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return answer{}, fmt.Errorf("%s %s: status %d: %s", r.Method, r.URL.Path, resp.StatusCode, clip(string(b), 300))
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
