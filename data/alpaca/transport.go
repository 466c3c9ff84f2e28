package alpaca

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// maxBody bounds one response: a page of 10000 bars is about 1.5 MB.
const maxBody = 64 << 20

// Backoff of the n-th retry: a uniform draw in [0, min(backoffCap, backoffBase<<n)) ("full
// jitter"), so many clients that failed together do not retry together. Config.RetryBackoff
// replaces backoffBase, and the cap scales with it.
const (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 30 * time.Second
)

// An unreachable host (no name, refused, no route) is retried at most unreachableRetries
// times, after 0.5, 1 and 2 s, and given up within unreachableWithin of the first attempt:
// it is almost always the user's network or proxy, and nine silent retries hid that. Each
// attempt's dial, name lookup included, is bounded by dialTimeout.
const (
	dialTimeout        = 4 * time.Second
	unreachableRetries = 3
	unreachableWithin  = 15 * time.Second
)

// rateShare is the part of the server's X-RateLimit-Limit that pacing aims for, leaving room
// for the user's other tools on the same account (the limit is per account:
// docs.alpaca.markets/docs/about-market-data-api).
const rateShare = 0.9

// freePlanRPM is the free plan's limit (about-market-data-api), assumed until the server's
// X-RateLimit-Limit is seen.
const freePlanRPM = 200

// Stats counts a Source's HTTP work, for progress displays.
type Stats struct {
	Requests       int64         // HTTP attempts, retries included
	Retries        int64         // attempts that repeated a failed one
	Bytes          int64         // response bytes read (compressed size when compressed)
	RateLimitWaits int64         // times a request waited for X-RateLimit-Reset
	Waited         time.Duration // time spent in backoff and rate-limit waits
	// LastRetry is the latest retry and LastRetryAt when it was decided (zero before any),
	// for a progress display that shows what the fetch is waiting for.
	LastRetry   Retry
	LastRetryAt time.Time
}

type counters struct {
	requests, retries, bytes, rateLimitWaits, waited atomic.Int64
}

// transport is the RoundTripper under the SDK. The SDK only retries 429 and 500 at a fixed
// second and cannot be cancelled; this governs pacing, retries and cancellation instead, and
// hands the SDK only complete, valid pages, so a failure is retried as the same page.
type transport struct {
	base    http.RoundTripper
	cfg     *Config
	log     *slog.Logger
	stats   *counters
	limiter *bucket

	mu           sync.Mutex
	blockedUntil time.Time // from X-RateLimit-Reset when the window is spent
	serverLimit  int       // the last X-RateLimit-Limit seen, 0 before any
	skew         time.Duration
	haveDate     bool // skew is known: server Date minus local clock at receipt
	lastRetry    Retry
	lastRetryAt  time.Time
}

// bound ties every request of one Bars call to that call's context: the SDK sends requests
// without one.
type bound struct {
	t   *transport
	ctx context.Context
}

func (b bound) RoundTrip(req *http.Request) (*http.Response, error) { return b.t.do(b.ctx, req) }

// retryable is a failure worth another attempt.
type retryable struct {
	reason string
	err    error
}

func (r *retryable) Error() string {
	if r.err != nil {
		return r.reason + ": " + r.err.Error()
	}
	return r.reason
}

func (r *retryable) Unwrap() error { return r.err }

func (t *transport) do(ctx context.Context, req *http.Request) (*http.Response, error) {
	endpoint := req.URL.Host + req.URL.Path
	var slept time.Duration
	began := t.cfg.now()
	unreachable := 0
	for attempt := 0; ; attempt++ {
		if err := t.pace(ctx, endpoint); err != nil {
			return nil, err
		}
		if attempt > 0 {
			t.stats.retries.Add(1)
		}
		resp, err := t.attempt(ctx, req)
		if err == nil {
			return resp, nil
		}
		if cerr := context.Cause(ctx); ctx.Err() != nil {
			return nil, cerr
		}
		var r *retryable
		if !errors.As(err, &r) {
			return nil, err
		}
		var wait time.Duration
		if isUnreachable(r.err) {
			wait = backoffBase << unreachable
			unreachable++
			if unreachable > unreachableRetries || attempt >= t.cfg.MaxRetries ||
				t.cfg.now().Sub(began)+wait+dialTimeout > unreachableWithin {
				return nil, &UnreachableError{Host: req.URL.Host, Attempts: attempt + 1, Err: r.err}
			}
		} else {
			if attempt >= t.cfg.MaxRetries {
				return nil, &RetryError{Endpoint: endpoint, Attempts: attempt + 1, Last: err}
			}
			if r.reason != "429" || !t.isBlocked() {
				// A 429 with a Reset waits for the window in pace instead.
				wait = t.backoff(attempt)
			}
		}
		if slept+wait > t.cfg.MaxRetryWait {
			return nil, &RetryError{Endpoint: endpoint, Attempts: attempt + 1, Last: err}
		}
		// Every retry is one visible line: a fetch that slows down says why.
		t.log.LogAttrs(ctx, slog.LevelInfo, "alpaca retry",
			slog.String("endpoint", endpoint), slog.Int("attempt", attempt+1),
			slog.String("cause", err.Error()), slog.Duration("wait", wait.Round(time.Millisecond)))
		rt := Retry{Endpoint: endpoint, Attempt: attempt + 1, Cause: err.Error(), Wait: wait}
		t.mu.Lock()
		t.lastRetry, t.lastRetryAt = rt, t.cfg.now()
		t.mu.Unlock()
		if t.cfg.OnRetry != nil {
			t.cfg.OnRetry(rt)
		}
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
		slept += wait
	}
}

// isUnreachable reports a failure to reach the host at all, as the dialer reports it: the
// name did not resolve, the connection was refused, there was no route, or the dial timed
// out. Failures after a connection was made (resets, timeouts reading) are transient faults.
func isUnreachable(err error) bool {
	if err == nil {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") && op.Timeout()
}

func (t *transport) backoff(attempt int) time.Duration {
	base := t.cfg.RetryBackoff
	ceil := base * (backoffCap / backoffBase)
	if attempt < 16 && base<<attempt < ceil {
		ceil = base << attempt
	}
	return rand.N(ceil)
}

func (t *transport) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t.stats.waited.Add(int64(d))
	return t.cfg.sleep(ctx, d)
}

func (t *transport) isBlocked() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.blockedUntil.After(t.cfg.now())
}

// pace waits for the rate-limit window if the server said it is spent, then for a token.
func (t *transport) pace(ctx context.Context, endpoint string) error {
	t.mu.Lock()
	until := t.blockedUntil
	wait := until.Sub(t.cfg.now())
	t.mu.Unlock()
	if wait > 0 {
		wait = min(wait, t.cfg.MaxResetWait)
		t.stats.rateLimitWaits.Add(1)
		t.log.LogAttrs(ctx, slog.LevelInfo, "alpaca rate limit reached, waiting for reset",
			slog.String("endpoint", endpoint), slog.Duration("wait", wait))
		if err := t.sleep(ctx, wait); err != nil {
			return err
		}
		// A wait cut short by MaxResetWait still serves its block: a server clock far ahead
		// of ours must not make every later request wait again.
		t.mu.Lock()
		if t.blockedUntil.Equal(until) {
			t.blockedUntil = time.Time{}
		}
		t.mu.Unlock()
	}
	if t.limiter != nil {
		if err := t.sleep(ctx, t.limiter.reserve(t.cfg.now())); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// noteLimits reads Alpaca's rate-limit headers. When the window is spent (or on 429) every
// request of the Source waits until its Reset.
//
// X-RateLimit-Limit, sent on 200, 400 and 429 (docs.alpaca.markets/reference/stockbars,
// response headers), sets the pace to rateShare of it, under the configured ceiling.
func (t *transport) noteLimits(h http.Header, status int) {
	if limit, err := strconv.Atoi(h.Get("X-RateLimit-Limit")); err == nil && limit > 0 {
		t.mu.Lock()
		changed := limit != t.serverLimit
		t.serverLimit = limit
		t.mu.Unlock()
		if changed && t.limiter != nil {
			t.limiter.setRPM(t.paceFor(limit))
		}
	}
	remaining, rerr := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	reset, serr := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if serr != nil || !(status == http.StatusTooManyRequests || (rerr == nil && remaining <= 0)) {
		return
	}
	until := time.Unix(reset, 0)
	t.mu.Lock()
	if until.After(t.blockedUntil) {
		t.blockedUntil = until
	}
	t.mu.Unlock()
}

// paceFor is the requests a minute to aim for when the server allows limit.
func (t *transport) paceFor(limit int) float64 {
	rpm := float64(limit) * rateShare
	if t.cfg.RPM > 0 && float64(t.cfg.RPM) < rpm {
		rpm = float64(t.cfg.RPM)
	}
	return rpm
}

// noteDate keeps the offset of the server's clock (its Date header, RFC 9110 section 6.6.1)
// from ours: "now − 15 minutes" for SIP, and whether a bar is final, are the server's.
func (t *transport) noteDate(h http.Header, local time.Time) {
	d, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return
	}
	t.mu.Lock()
	t.skew, t.haveDate = d.Sub(local), true
	t.mu.Unlock()
}

// serverNow is the server's clock as its last Date header showed it, or false before any.
func (t *transport) serverNow() (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.haveDate {
		return time.Time{}, false
	}
	return t.cfg.now().Add(t.skew), true
}

// authorize sends exactly the credential the Config chose. The SDK falls back to
// APCA_API_KEY_ID, APCA_API_SECRET_KEY and APCA_API_OAUTH from the process environment for
// options left empty, and then prefers the token (alpaca-trade-api-go v3.9.1
// marketdata/rest.go NewClient and defaultDo): a token left in the environment would
// otherwise replace the keys the user chose, or keys reach a host that needs none.
func (t *transport) authorize(h http.Header) {
	h.Del("Authorization")
	h.Del("APCA-API-KEY-ID")
	h.Del("APCA-API-SECRET-KEY")
	switch {
	case t.cfg.OAuth != "":
		h.Set("Authorization", "Bearer "+t.cfg.OAuth)
	case t.cfg.KeyID != "":
		h.Set("APCA-API-KEY-ID", t.cfg.KeyID)
		h.Set("APCA-API-SECRET-KEY", t.cfg.SecretKey)
	}
}

// attempt makes one request and reads its whole body within RequestTimeout.
func (t *transport) attempt(ctx context.Context, req *http.Request) (*http.Response, error) {
	actx, cancel := context.WithTimeout(ctx, t.cfg.RequestTimeout)
	defer cancel()
	t.stats.requests.Add(1)
	r := req.Clone(actx)
	t.authorize(r.Header)
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, &retryable{"request", unwrapTimeout(actx, err)}
	}
	t.noteDate(resp.Header, t.cfg.now())
	body, err := readBody(resp.Body, resp.ContentLength)
	resp.Body.Close()
	t.stats.bytes.Add(int64(len(body)))
	t.noteLimits(resp.Header, resp.StatusCode)
	if err != nil {
		return nil, &retryable{"reading body", unwrapTimeout(actx, err)}
	}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		return nil, &retryable{"429", nil}
	case s == 500 || s == 502 || s == 503 || s == 504:
		return nil, &retryable{"HTTP " + strconv.Itoa(s), nil}
	case s >= 300:
		return nil, newAPIError(s, body, req.URL)
	}
	pooled := true // body is a buffer of bodyPool
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			var plain []byte
			plain, err = io.ReadAll(io.LimitReader(zr, maxBody))
			putBuf(body)
			body, pooled = plain, false
		}
		if err != nil {
			return nil, &retryable{"decompressing body", err}
		}
		resp.Header.Del("Content-Encoding")
	}
	if !validJSON(body) {
		return nil, &retryable{"incomplete or malformed JSON body", nil}
	}
	if pooled {
		resp.Body = &pooledBody{buf: body, r: bytes.NewReader(body)}
	} else {
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.Uncompressed = true
	return resp, nil
}

// readBody reads a whole body of at most maxBody bytes. A body of announced length is read
// into a buffer of that size at once (plus one byte, to see the end), rather than grown
// step by step as io.ReadAll does; a body longer or shorter than announced is still read to
// its end or its error, so a truncated body fails here as before.
func readBody(r io.Reader, announced int64) ([]byte, error) {
	if announced < 0 || announced > maxBody {
		return io.ReadAll(io.LimitReader(r, maxBody))
	}
	buf := getBuf(int(announced) + 1)
	lr := io.LimitReader(r, maxBody)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow: the body is longer than announced
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// bodyPool recycles the buffers of whole bodies: a page is over a megabyte, and allocating
// (and zeroing) one per request was a good part of the fetch's garbage.
var bodyPool sync.Pool // of *[]byte

func getBuf(n int) []byte {
	if p, ok := bodyPool.Get().(*[]byte); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]byte, 0, n)
}

func putBuf(b []byte) {
	if cap(b) > 0 && cap(b) <= maxBody {
		bodyPool.Put(&b)
	}
}

// pooledBody is the body handed to the SDK: it gives its buffer back to bodyPool once read to
// the end (the SDK reads a page to the end and does not close it) or closed, and then reads
// as empty, so no caller can see a later response through it.
type pooledBody struct {
	mu  sync.Mutex
	buf []byte
	r   *bytes.Reader
}

func (p *pooledBody) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.buf == nil {
		return 0, io.EOF
	}
	n, err := p.r.Read(b)
	if err == io.EOF {
		p.release()
	}
	return n, err
}

func (p *pooledBody) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.release()
	return nil
}

func (p *pooledBody) release() {
	if p.buf != nil {
		p.r.Reset(nil)
		putBuf(p.buf)
		p.buf = nil
	}
}

func unwrapTimeout(actx context.Context, err error) error {
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}

// bucket is a token bucket that hands out reservations: each caller is told how long to wait
// for its token, so waits stay fair across goroutines and correct under a fake clock.
type bucket struct {
	mu     sync.Mutex
	perMin float64
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rpm float64) *bucket {
	b := &bucket{}
	b.setRPM(rpm)
	b.tokens = b.burst
	return b
}

// setRPM changes the rate; tokens already earned stay, within the new burst.
func (b *bucket) setRPM(rpm float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// A small burst lets a few parallel fetches start at once without spending the minute's
	// budget in the first second.
	b.perMin = rpm
	b.rate = rpm / 60
	b.burst = float64(max(1, min(int(rpm)/20, 10)))
	b.tokens = min(b.tokens, b.burst)
}

// rpm is the current rate a minute.
func (b *bucket) rpm() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.perMin
}

func (b *bucket) reserve(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if now.After(b.last) {
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// maxJSONDepth is encoding/json's nesting limit: json.Valid rejects deeper documents.
const maxJSONDepth = 10000

// validJSON reports whether b is one valid JSON value, exactly as json.Valid does (the same
// grammar, no UTF-8 check inside strings, the same nesting limit), in one pass of tight loops
// rather than a call through a state function per byte: a page is a few megabytes of numbers,
// and validating them was a fifth of a fetch's CPU. FuzzValidJSON holds it equal to json.Valid.
func validJSON(b []byte) bool {
	var stackBuf [64]byte
	stack := stackBuf[:0] // '{' or '[' per open container
	i := skipSpace(b, 0)
	for {
		// A value starts at i.
		if i >= len(b) {
			return false
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			if len(stack) >= maxJSONDepth {
				return false
			}
			stack = append(stack, c)
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == c+2 { // '}' is '{'+2, ']' is '['+2
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if c == '{' {
				var ok bool
				if i, ok = objectKey(b, i); !ok {
					return false
				}
			}
			continue
		case c == '"':
			var ok bool
			if i, ok = skipString(b, i+1); !ok {
				return false
			}
		case c == '-' || ('0' <= c && c <= '9'):
			var ok bool
			if i, ok = skipNumber(b, i); !ok {
				return false
			}
		case c == 't':
			if !hasPrefixAt(b, i, "true") {
				return false
			}
			i += 4
		case c == 'f':
			if !hasPrefixAt(b, i, "false") {
				return false
			}
			i += 5
		case c == 'n':
			if !hasPrefixAt(b, i, "null") {
				return false
			}
			i += 4
		default:
			return false
		}
		// A value ended at i: close containers until one continues with a comma.
		for {
			i = skipSpace(b, i)
			if len(stack) == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			top := stack[len(stack)-1]
			if b[i] == top+2 {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			if b[i] != ',' {
				return false
			}
			i = skipSpace(b, i+1)
			if top == '{' {
				var ok bool
				if i, ok = objectKey(b, i); !ok {
					return false
				}
			}
			break
		}
	}
}

// objectKey skips `"key" :` and the space after it, from i.
func objectKey(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	i, ok := skipString(b, i+1)
	if !ok {
		return i, false
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return i, false
	}
	return skipSpace(b, i+1), true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString skips the rest of a string whose opening quote is before i, returning the index
// after its closing quote.
func skipString(b []byte, i int) (int, bool) {
	for i < len(b) {
		c := b[i]
		if plainStringByte[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			i++
			if i >= len(b) {
				return i, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+4 >= len(b) {
					return i, false
				}
				for _, h := range b[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return i, false
					}
				}
				i += 5
			default:
				return i, false
			}
		default:
			i++
		}
	}
	return i, false
}

// plainStringByte marks the bytes that stand for themselves inside a string.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipNumber skips a number starting at i: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return i, false
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		i = skipDigits(b, i+1)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := skipDigits(b, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

func hasPrefixAt(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}
