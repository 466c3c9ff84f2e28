package alpacatest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// Fake credentials the server accepts by default. They are obviously not real keys, so a test
// can grep logs and errors for them.
const (
	FakeKeyID  = "FAKEKEYID"
	FakeSecret = "FAKESECRET"
)

// Paths of the two bar endpoints the server implements.
const (
	StockBarsPath  = "/v2/stocks/bars"
	CryptoBarsPath = "/v1beta3/crypto/us/bars"
)

// Alpaca's error codes, as its error bodies carry them.
const (
	CodeUnauthorized  = 40110000
	CodeBadRequest    = 40010001
	CodeUnprocessable = 42210000
)

// Fault is something that goes wrong with one bar request.
type Fault uint8

const (
	NoFault Fault = iota
	// TooManyRequests answers 429 with X-RateLimit-Remaining 0 and the window's Reset.
	TooManyRequests
	InternalError // 500
	BadGateway    // 502
	Unavailable   // 503
	Timeout       // 504
	// ConnReset closes the connection without answering.
	ConnReset
	// Truncated promises the whole page in Content-Length, sends half, and closes.
	Truncated
	// Malformed sends half of the page without a Content-Length and closes: the client sees a
	// clean end of body, so only checking the JSON catches it.
	Malformed
	// Slow waits Options.SlowDelay before answering normally.
	Slow
	// ShortPage answers with fewer bars than the limit and a token for the rest, as Alpaca
	// may.
	ShortPage
	numFaults
)

var faultNames = [...]string{"none", "429", "500", "502", "503", "504", "reset", "truncated", "malformed", "slow", "short-page"}

func (f Fault) String() string {
	if int(f) < len(faultNames) {
		return faultNames[f]
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// Options configure a Server. The zero value serves no bars, with the fake keys, Alpaca's
// default rate limit, and no faults.
type Options struct {
	// KeyID and SecretKey are the credentials stock requests must carry; FakeKeyID and
	// FakeSecret when empty.
	KeyID, SecretKey string
	// OAuthToken, if set, is also accepted as "Authorization: Bearer <token>", as the SDK
	// sends APCA_API_OAUTH (alpaca-trade-api-go v3.9.1 marketdata/rest.go defaultDo).
	OAuthToken string
	// Unauthorized401 answers refused credentials with the reference's 401 and code 40110000
	// instead of the FAQ's 403 {"message":"forbidden."}.
	Unauthorized401 bool
	// SIPRefusalWithoutCode sends the recent-SIP refusal with its message only: the FAQ
	// identifies it by the message, so a client must not depend on the code.
	SIPRefusalWithoutCode bool

	// Bars are served for any timeframe and adjustment, by symbol; they need not be sorted.
	Bars map[string][]data.Bar
	// Source, if set, is asked for symbols missing from Bars (per timeframe and adjustment).
	Source data.Source
	// Actions are the corporate actions CorporateActionsPath serves.
	Actions []Action

	// Now is the server's clock; time.Now when nil. It drives the rate-limit window, the
	// default end and the 15-minute SIP rule.
	Now func() time.Time

	// RateLimit is X-RateLimit-Limit per minute; 200 when zero.
	RateLimit int
	// EnforceRateLimit answers 429 once a minute's requests exceed RateLimit, as Alpaca does.
	EnforceRateLimit bool

	// Script gives the fault of the n-th bar request (Script[n-1]); requests past its end
	// draw from FaultRate.
	Script []Fault
	// FaultRate is the probability that an unscripted bar request gets one of FaultKinds
	// (all kinds but Slow when empty), drawn from a generator seeded with Seed.
	FaultRate  float64
	FaultKinds []Fault
	Seed       uint64
	// SlowDelay is how long a Slow fault waits; 2s when zero.
	SlowDelay time.Duration

	// RecentSIP lets the account query SIP bars newer than 15 minutes (a paid plan). Without
	// it such requests get Alpaca's 403 with code 42210000.
	RecentSIP bool

	// Gzip compresses bodies for clients that accept it, as Alpaca does.
	Gzip bool
}

// Record describes one bar request the server answered.
type Record struct {
	N      int64 // 1-based bar request number
	Path   string
	Query  url.Values
	Status int // 0 when the connection was cut
	Fault  Fault
	Bars   int // bars in the page sent (or attempted)
}

// Server is a fake Alpaca market-data server on a loopback address.
type Server struct {
	*httptest.Server
	opts Options
	now  func() time.Time

	mu          sync.Mutex
	rng         *rand.Rand
	byPath      map[string]int64
	barRequests int64
	faults      [numFaults]int64
	log         []Record
	window      time.Time
	windowCount int
	cache       map[string][]segment
	stored      map[string][]data.Bar
}

// New starts a server; Close it when done.
func New(opts Options) *Server {
	if opts.KeyID == "" {
		opts.KeyID = FakeKeyID
	}
	if opts.SecretKey == "" {
		opts.SecretKey = FakeSecret
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 200
	}
	if opts.SlowDelay == 0 {
		opts.SlowDelay = 2 * time.Second
	}
	if len(opts.FaultKinds) == 0 {
		for f := TooManyRequests; f < numFaults; f++ {
			if f != Slow {
				opts.FaultKinds = append(opts.FaultKinds, f)
			}
		}
	}
	s := &Server{
		opts:   opts,
		now:    opts.Now,
		rng:    rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		byPath: map[string]int64{},
		cache:  map[string][]segment{},
		stored: map[string][]data.Bar{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	for sym, bars := range opts.Bars {
		sorted := slices.Clone(bars)
		slices.SortFunc(sorted, func(a, b data.Bar) int { return a.Time.Compare(b.Time) })
		for i := range sorted {
			sorted[i].Symbol = sym
		}
		s.stored[sym] = sorted
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// NewServer starts a server that is closed when tb's test ends.
func NewServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	tb.Cleanup(s.Close)
	return s
}

// BarRequests counts requests to either bar endpoint, faulty ones included.
func (s *Server) BarRequests() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.barRequests
}

// Requests counts requests to path.
func (s *Server) Requests(path string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byPath[path]
}

// Faults counts the faults injected, by kind.
func (s *Server) Faults() map[Fault]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[Fault]int64{}
	for f, n := range s.faults {
		if n > 0 {
			out[Fault(f)] = n
		}
	}
	return out
}

// Log returns the bar requests answered so far, in arrival order.
func (s *Server) Log() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

type apiError struct {
	status  int
	code    int
	message string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.byPath[r.URL.Path]++
	now := s.now()
	if win := now.Truncate(time.Minute); !win.Equal(s.window) {
		s.window, s.windowCount = win, 0
	}
	s.windowCount++
	remaining := s.opts.RateLimit - s.windowCount
	reset := s.window.Add(time.Minute).Unix()
	isBars := r.URL.Path == StockBarsPath || r.URL.Path == CryptoBarsPath
	var rec Record
	if isBars {
		s.barRequests++
		rec = Record{N: s.barRequests, Path: r.URL.Path, Query: r.URL.Query()}
		rec.Fault = s.drawFault(s.barRequests)
		s.faults[rec.Fault]++
	}
	s.mu.Unlock()

	h := w.Header()
	// The Date header carries the server's clock (RFC 9110 section 6.6.1); net/http would
	// stamp the real time, but a test's server may live at another time.
	h.Set("Date", now.UTC().Format(http.TimeFormat))
	// Sent on every answer, 200, 400 and 429 alike (docs.alpaca.markets/reference/stockbars,
	// response headers).
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.opts.RateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(remaining, 0)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))

	status, bars := s.answer(w, r, now, rec.Fault, remaining)
	if isBars {
		rec.Status, rec.Bars = status, bars
		s.mu.Lock()
		s.log = append(s.log, rec)
		s.mu.Unlock()
	}
}

// drawFault is called with s.mu held, so draws happen in request order.
func (s *Server) drawFault(n int64) Fault {
	if n <= int64(len(s.opts.Script)) {
		return s.opts.Script[n-1]
	}
	if s.opts.FaultRate > 0 && s.rng.Float64() < s.opts.FaultRate {
		return s.opts.FaultKinds[s.rng.IntN(len(s.opts.FaultKinds))]
	}
	return NoFault
}

// answer writes the response and returns its status (0 when the connection was cut) and the
// number of bars in it.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, now time.Time, fault Fault, remaining int) (int, int) {
	if r.URL.Path == CorporateActionsPath {
		return s.corporateActions(w, r, now), 0
	}
	if r.URL.Path != StockBarsPath && r.URL.Path != CryptoBarsPath {
		return writeError(w, apiError{http.StatusNotFound, 0, "Not Found"}), 0
	}
	// Crypto bars need no credentials (docs.alpaca.markets/reference/cryptobars-1 lists
	// none), which is how --check separates the network from the key.
	if r.URL.Path == StockBarsPath && !s.authorized(r) {
		if s.opts.Unauthorized401 {
			return writeError(w, apiError{http.StatusUnauthorized, CodeUnauthorized, "request is not authorized"}), 0
		}
		// The Market Data FAQ: 403 when the request was not authenticated or the credentials
		// are wrong (docs.alpaca.markets/docs/market-data-faq); body as observed
		// (alpacahq/Alpaca-API#228).
		return writeError(w, apiError{http.StatusForbidden, 0, "forbidden."}), 0
	}
	switch fault {
	case TooManyRequests:
		w.Header().Set("X-RateLimit-Remaining", "0")
		return writeError(w, apiError{http.StatusTooManyRequests, 42910000, "rate limit exceeded"}), 0
	case InternalError:
		return writeError(w, apiError{http.StatusInternalServerError, 50010000, "internal server error occurred"}), 0
	case BadGateway:
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
		return http.StatusBadGateway, 0
	case Unavailable:
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("service unavailable"))
		return http.StatusServiceUnavailable, 0
	case Timeout:
		w.WriteHeader(http.StatusGatewayTimeout)
		return http.StatusGatewayTimeout, 0
	case ConnReset:
		cut(w, nil, false)
		return 0, 0
	case Slow:
		select {
		case <-time.After(s.opts.SlowDelay):
		case <-r.Context().Done():
			return 0, 0
		}
	}
	if s.opts.EnforceRateLimit && remaining < 0 {
		return writeError(w, apiError{http.StatusTooManyRequests, 42910000, "rate limit exceeded"}), 0
	}

	q, aerr := s.parse(r, now)
	if aerr != nil {
		return writeError(w, *aerr), 0
	}
	segs, err := s.result(r.Context(), q)
	if err != nil {
		return writeError(w, apiError{http.StatusInternalServerError, 50010000, err.Error()}), 0
	}
	total := 0
	for _, sg := range segs {
		total += len(sg.bars)
	}
	from := 0
	if q.pageToken != "" {
		idx, ok := decodeToken(q.pageToken, segs)
		if !ok {
			return writeError(w, apiError{http.StatusUnprocessableEntity, CodeUnprocessable, "invalid page_token"}), 0
		}
		from = idx
	}
	limit := q.limit
	if fault == ShortPage && limit > 1 {
		limit /= 2
	}
	to := min(from+limit, total)
	body := appendPage(make([]byte, 0, 64+(to-from)*140), segs, from, to, total, q.crypto)
	n := to - from

	switch fault {
	case Truncated:
		cut(w, body, true)
		return 0, n
	case Malformed:
		cut(w, body, false)
		return http.StatusOK, n
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if s.opts.Gzip && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = buf.Bytes()
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return http.StatusOK, n
}

// cut hijacks the connection. With a nil body it closes at once (a reset as the client sees
// it); otherwise it sends the headers and half the body, then closes: with a Content-Length
// for Truncated (the client sees an unexpected EOF), without one otherwise.
func cut(w http.ResponseWriter, body []byte, withLength bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("alpacatest: connection cannot be hijacked")
	}
	hdr := w.Header().Clone()
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if body == nil {
		return
	}
	n := -1
	if withLength {
		n = len(body)
	}
	writeHead(buf, hdr, n)
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

func writeHead(buf *bufio.ReadWriter, hdr http.Header, contentLength int) {
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n")
	if contentLength >= 0 {
		_, _ = fmt.Fprintf(buf, "Content-Length: %d\r\n", contentLength)
	}
	_, _ = buf.WriteString("Connection: close\r\n")
	for _, k := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
		_, _ = fmt.Fprintf(buf, "%s: %s\r\n", k, hdr.Get(k))
	}
	_, _ = buf.WriteString("\r\n")
}

func writeError(w http.ResponseWriter, e apiError) int {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.status)
	if e.code != 0 {
		fmt.Fprintf(w, `{"code":%d,"message":%s}`, e.code, strconv.Quote(e.message))
	} else {
		fmt.Fprintf(w, `{"message":%s}`, strconv.Quote(e.message))
	}
	return e.status
}

// authorized accepts the keys as headers or the OAuth token as a bearer token, the two ways
// the SDK authenticates a regular user (marketdata/rest.go defaultDo).
func (s *Server) authorized(r *http.Request) bool {
	if s.opts.OAuthToken != "" && r.Header.Get("Authorization") == "Bearer "+s.opts.OAuthToken {
		return true
	}
	return r.Header.Get("Authorization") == "" &&
		r.Header.Get("APCA-API-KEY-ID") == s.opts.KeyID && r.Header.Get("APCA-API-SECRET-KEY") == s.opts.SecretKey
}

type query struct {
	crypto     bool
	symbols    []string
	tf         data.Timeframe
	start, end time.Time // end inclusive, as Alpaca documents
	limit      int
	pageToken  string
	adjustment data.Adjustment
	feed       string
	desc       bool
}

func unprocessable(msg string) *apiError {
	return &apiError{http.StatusUnprocessableEntity, CodeUnprocessable, msg}
}

func (s *Server) parse(r *http.Request, now time.Time) (query, *apiError) {
	v := r.URL.Query()
	q := query{crypto: r.URL.Path == CryptoBarsPath, limit: 1000, pageToken: v.Get("page_token")}

	raw := v.Get("symbols")
	if raw == "" {
		return q, &apiError{http.StatusBadRequest, CodeBadRequest, "missing symbols"}
	}
	for _, sym := range strings.Split(raw, ",") {
		if !validSymbol(sym, q.crypto) {
			return q, &apiError{http.StatusBadRequest, CodeBadRequest, "invalid symbol: " + strconv.Quote(sym)}
		}
		if !slices.Contains(q.symbols, sym) {
			q.symbols = append(q.symbols, sym)
		}
	}

	tf := v.Get("timeframe")
	if tf == "" {
		tf = "1Day"
	}
	var ok bool
	if q.tf, ok = parseTimeframe(tf); !ok {
		return q, unprocessable("invalid timeframe")
	}

	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 10000 {
			return q, unprocessable("invalid limit: must be between 1 and 10000")
		}
		q.limit = n
	}

	var err error
	if st := v.Get("start"); st != "" {
		if q.start, err = parseTime(st); err != nil {
			return q, unprocessable("start is in an invalid format")
		}
	} else {
		// Alpaca's default start is the beginning of the current day.
		y, m, d := now.In(calendar.NewYork).Date()
		q.start = time.Date(y, m, d, 0, 0, 0, 0, calendar.NewYork)
	}
	if en := v.Get("end"); en != "" {
		if q.end, err = parseTime(en); err != nil {
			return q, unprocessable("end is in an invalid format")
		}
	} else {
		q.end = now
	}
	if q.end.Before(q.start) {
		return q, unprocessable("end should not be before start")
	}

	switch srt := v.Get("sort"); srt {
	case "", "asc":
	case "desc":
		q.desc = true
	default:
		return q, unprocessable("invalid sort: must be asc or desc")
	}

	if q.crypto {
		return q, nil
	}
	adj := v.Get("adjustment")
	if adj == "" {
		adj = "raw"
	}
	if q.adjustment, err = data.ParseAdjustment(adj); err != nil {
		return q, unprocessable("invalid adjustment")
	}
	q.feed = v.Get("feed")
	switch q.feed {
	case "":
		// The default feed is sip (docs.alpaca.markets/reference/stockbars, feed); without a
		// subscription the default end is 15 minutes ago, so the default request is served.
		q.feed = "sip"
		if !s.opts.RecentSIP && v.Get("end") == "" {
			q.end = now.Add(-15 * time.Minute)
		}
	case "sip", "iex", "otc", "boats":
	default:
		return q, unprocessable("invalid feed")
	}
	// Only the last 15 minutes of SIP are refused without a subscription
	// (docs.alpaca.markets/docs/about-market-data-api, plans footnote); the message is the
	// FAQ's, the code as observed.
	if q.feed == "sip" && !s.opts.RecentSIP && q.end.After(now.Add(-15*time.Minute)) {
		code := CodeUnprocessable
		if s.opts.SIPRefusalWithoutCode {
			code = 0
		}
		return q, &apiError{http.StatusForbidden, code, "subscription does not permit querying recent SIP data"}
	}
	if q.end.Before(q.start) {
		return q, unprocessable("end should not be before start")
	}
	return q, nil
}

func validSymbol(sym string, crypto bool) bool {
	if sym == "" || len(sym) > 21 {
		return false
	}
	slashes := 0
	for _, c := range sym {
		switch {
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.' || c == '-':
			if crypto {
				return false
			}
		case c == '/':
			slashes++
		default:
			return false
		}
	}
	if crypto {
		return slashes == 1 && sym[0] != '/' && sym[len(sym)-1] != '/'
	}
	return slashes == 0
}

// parseTimeframe accepts Alpaca's spellings, including the short units (T, H, D, W, M) that
// barkeep's own parser refuses.
func parseTimeframe(s string) (data.Timeframe, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return data.Timeframe{}, false
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil {
		return data.Timeframe{}, false
	}
	var u data.Unit
	switch s[i:] {
	case "Min", "T":
		u = data.Min
	case "Hour", "H":
		u = data.Hour
	case "Day", "D":
		u = data.Day
	case "Week", "W":
		u = data.Week
	case "Month", "M":
		u = data.Month
	default:
		return data.Timeframe{}, false
	}
	tf := data.Timeframe{N: n, Unit: u}
	return tf, tf.Valid()
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation(time.DateOnly, s, calendar.NewYork)
}

// segment is one symbol's bars of a query result. Results are ordered by symbol, then time,
// as Alpaca documents; a page is a window over their concatenation.
type segment struct {
	symbol string
	bars   []data.Bar
}

func (s *Server) result(ctx context.Context, q query) ([]segment, error) {
	syms := slices.Clone(q.symbols)
	slices.Sort(syms)
	var out []segment
	for _, sym := range syms {
		var bars []data.Bar
		if stored, ok := s.stored[sym]; ok {
			lo, _ := slices.BinarySearchFunc(stored, q.start, func(b data.Bar, t time.Time) int { return b.Time.Compare(t) })
			hi := lo
			for hi < len(stored) && !stored[hi].Time.After(q.end) {
				hi++
			}
			bars = stored[lo:hi]
		} else if s.opts.Source != nil {
			var err error
			if bars, err = s.fromSource(ctx, sym, q); err != nil {
				return nil, err
			}
		}
		if q.desc {
			bars = slices.Clone(bars)
			slices.Reverse(bars)
		}
		if len(bars) > 0 {
			out = append(out, segment{sym, bars})
		}
	}
	return out, nil
}

func (s *Server) fromSource(ctx context.Context, sym string, q query) ([]data.Bar, error) {
	key := strings.Join([]string{sym, q.tf.String(), string(q.adjustment), q.start.String(), q.end.String()}, "|")
	s.mu.Lock()
	cached, ok := s.cache[key]
	s.mu.Unlock()
	if ok {
		if len(cached) == 0 {
			return nil, nil
		}
		return cached[0].bars, nil
	}
	var bars []data.Bar
	req := data.Request{Symbols: []string{sym}, Timeframe: q.tf, Start: q.start, End: q.end.Add(time.Nanosecond), Adjustment: q.adjustment}
	for page, err := range s.opts.Source.Bars(ctx, req) {
		if err != nil {
			return nil, fmt.Errorf("source: %w", err)
		}
		bars = append(bars, page...)
	}
	slices.SortFunc(bars, func(a, b data.Bar) int { return a.Time.Compare(b.Time) })
	s.mu.Lock()
	s.cache[key] = []segment{{sym, bars}}
	s.mu.Unlock()
	return bars, nil
}

// tokenMagic makes every token's base64 start with "++//", and the padding below makes it end
// with "==": clients that forget to URL-encode the token break at once.
var tokenMagic = []byte{0xfb, 0xef, 0xff}

func encodeToken(idx int, sym string) string {
	b := slices.Clone(tokenMagic)
	b = binary.AppendUvarint(b, uint64(idx))
	b = binary.AppendUvarint(b, uint64(len(sym)))
	b = append(b, sym...)
	for len(b)%3 != 1 {
		b = append(b, 0)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeToken(tok string, segs []segment) (int, bool) {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || !bytes.HasPrefix(b, tokenMagic) {
		return 0, false
	}
	b = b[len(tokenMagic):]
	idx, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, false
	}
	b = b[n:]
	l, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < l {
		return 0, false
	}
	sym := string(b[n : n+int(l)])
	i := int(idx)
	for _, sg := range segs {
		if i < len(sg.bars) {
			return int(idx), sg.symbol == sym
		}
		i -= len(sg.bars)
	}
	return 0, false
}

// appendPage writes bars [from, to) of the concatenated segments as Alpaca's JSON page.
func appendPage(b []byte, segs []segment, from, to, total int, crypto bool) []byte {
	b = append(b, `{"bars":{`...)
	pos := 0
	first := true
	for _, sg := range segs {
		lo, hi := max(from-pos, 0), min(to-pos, len(sg.bars))
		pos += len(sg.bars)
		if lo >= hi {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = strconv.AppendQuote(b, sg.symbol)
		b = append(b, ":["...)
		for i, bar := range sg.bars[lo:hi] {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendBar(b, &bar, crypto)
		}
		b = append(b, ']')
	}
	b = append(b, `},"next_page_token":`...)
	if to < total {
		sym := ""
		pos = 0
		for _, sg := range segs {
			if to < pos+len(sg.bars) {
				sym = sg.symbol
				break
			}
			pos += len(sg.bars)
		}
		b = strconv.AppendQuote(b, encodeToken(to, sym))
	} else {
		b = append(b, "null"...)
	}
	return append(b, '}')
}

// appendBar writes one bar object as the bars endpoints answer it: fields t, o, h, l, c, v, n,
// vw (docs.alpaca.markets/reference/stockbars and cryptobars-1), prices as JSON numbers, which
// the SDK decodes into float64 (marketdata/entities.go, Bar and CryptoBar; easyjson's
// in.Float64 in entities_easyjson.go), stock volume as a whole number (Bar.Volume is uint64),
// crypto volume as a fraction (CryptoBar.Volume is float64). How many digits Alpaca writes is
// not documented; the shortest decimal that reads back as the price is what any JSON encoder
// of a float64 writes, and what appendFloat writes.
func appendBar(b []byte, bar *data.Bar, crypto bool) []byte {
	b = append(b, `{"t":"`...)
	b = bar.Time.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, `","o":`...)
	b = appendFloat(b, bar.Open)
	b = append(b, `,"h":`...)
	b = appendFloat(b, bar.High)
	b = append(b, `,"l":`...)
	b = appendFloat(b, bar.Low)
	b = append(b, `,"c":`...)
	b = appendFloat(b, bar.Close)
	b = append(b, `,"v":`...)
	if crypto {
		b = appendFloat(b, bar.Volume)
	} else {
		// Stock volumes are whole shares on the wire; the SDK decodes them as uint64.
		b = strconv.AppendUint(b, uint64(math.Round(max(bar.Volume, 0))), 10)
	}
	b = append(b, `,"n":`...)
	b = strconv.AppendUint(b, bar.TradeCount, 10)
	b = append(b, `,"vw":`...)
	b = appendFloat(b, bar.VWAP)
	return append(b, '}')
}

// pow10 holds the powers of ten that appendFloat tries, all exact in a float64.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6}

// appendFloat appends v as strconv.AppendFloat(b, v, 'f', -1, 64) does, the shortest decimal
// that reads back as v, with a fast path for what prices are: a non-negative v below 1e9
// with at most 6 decimals. For the fewest decimals d such that n = round(v*10^d) gives back
// v as n/10^d (a correctly rounded division of exact integers, as reading the decimal is),
// that decimal is the shortest: below 1e9 a float64's spacing is under 10^-6, so no decimal of
// fewer digits reads back as v, or it would have been found at a smaller d, and at d digits
// only one decimal lies within half a spacing of v. TestAppendFloat holds it equal to strconv.
func appendFloat(b []byte, v float64) []byte {
	if v >= 0 && v < 1e9 && !math.Signbit(v) {
		for d, p := range pow10 {
			n := math.Round(v * p)
			if n/p != v {
				continue
			}
			u := uint64(n)
			if d == 0 {
				return strconv.AppendUint(b, u, 10)
			}
			pu := uint64(p)
			b = strconv.AppendUint(b, u/pu, 10)
			b = append(b, '.')
			frac := u % pu
			for q := pu / 10; q > frac && q > 1; q /= 10 {
				b = append(b, '0')
			}
			return strconv.AppendUint(b, frac, 10)
		}
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}
