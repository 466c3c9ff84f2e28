package alpacatest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

var t0 = time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC)

func bars(sym string, n int) []data.Bar {
	out := make([]data.Bar, n)
	for i := range out {
		p := 100 + float64(i)
		out[i] = data.Bar{Symbol: sym, Time: t0.Add(time.Duration(i) * time.Minute), Open: p, High: p + 1, Low: p - 1, Close: p, Volume: 10, TradeCount: 1, VWAP: p}
	}
	return out
}

func get(t *testing.T, s *Server, path string, q url.Values, auth bool) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path+"?"+q.Encode(), nil)
	if auth {
		req.Header.Set("APCA-API-KEY-ID", FakeKeyID)
		req.Header.Set("APCA-API-SECRET-KEY", FakeSecret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil && resp.StatusCode < 500 {
		t.Fatalf("body %q: %v", body, err)
	}
	return resp.StatusCode, resp.Header, out
}

func TestValidation(t *testing.T) {
	s := NewServer(t, Options{Bars: map[string][]data.Bar{"AAPL": bars("AAPL", 10)}, Now: func() time.Time { return t0.Add(time.Hour) }})
	base := url.Values{"symbols": {"AAPL"}, "timeframe": {"1Min"}, "start": {"2024-01-02T14:30:00Z"}, "end": {"2024-01-02T15:00:00Z"}, "feed": {"iex"}}
	tests := []struct {
		name   string
		path   string
		set    map[string]string
		auth   bool
		status int
		code   float64
		msg    string
	}{
		{"ok", StockBarsPath, nil, true, 200, 0, ""},
		{"no key", StockBarsPath, nil, false, 403, 0, "forbidden."},
		{"crypto needs no key", CryptoBarsPath, map[string]string{"symbols": "BTC/USD"}, false, 200, 0, ""},
		{"bad timeframe", StockBarsPath, map[string]string{"timeframe": "7Day"}, true, 422, CodeUnprocessable, "invalid timeframe"},
		{"start after end", StockBarsPath, map[string]string{"start": "2024-01-03T00:00:00Z"}, true, 422, CodeUnprocessable, "end should not be before start"},
		{"bad symbol", StockBarsPath, map[string]string{"symbols": "AAPL,a$"}, true, 400, CodeBadRequest, "invalid symbol"},
		{"crypto symbol on stocks", StockBarsPath, map[string]string{"symbols": "BTC/USD"}, true, 400, CodeBadRequest, "invalid symbol"},
		{"bad limit", StockBarsPath, map[string]string{"limit": "10001"}, true, 422, CodeUnprocessable, "limit"},
		{"bad feed", StockBarsPath, map[string]string{"feed": "delayed_sip"}, true, 422, CodeUnprocessable, "invalid feed"},
		{"bad token", StockBarsPath, map[string]string{"page_token": "abc"}, true, 422, CodeUnprocessable, "page_token"},
		{"recent sip", StockBarsPath, map[string]string{"feed": "sip", "end": "2024-01-02T15:20:00Z"}, true, 403, CodeUnprocessable, "recent SIP"},
		{"old sip", StockBarsPath, map[string]string{"feed": "sip", "end": "2024-01-02T15:10:00Z"}, true, 200, 0, ""},
		{"default feed is sip, ending 15 minutes ago", StockBarsPath, map[string]string{"feed": "", "end": ""}, true, 200, 0, ""},
		{"default feed refuses a recent end", StockBarsPath, map[string]string{"feed": "", "end": "2024-01-02T15:20:00Z"}, true, 403, CodeUnprocessable, "subscription does not permit querying recent SIP data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range base {
				q[k] = v
			}
			for k, v := range tt.set {
				q.Set(k, v)
			}
			status, h, body := get(t, s, tt.path, q, tt.auth)
			if status != tt.status {
				t.Fatalf("status %d, want %d (%v)", status, tt.status, body)
			}
			if h.Get("X-RateLimit-Limit") != "200" || h.Get("X-RateLimit-Reset") == "" || h.Get("X-RateLimit-Remaining") == "" {
				t.Errorf("rate-limit headers missing: %v", h)
			}
			code, _ := body["code"].(float64) // absent from the FAQ's 403 body
			if tt.status != 200 && (code != tt.code || !strings.Contains(body["message"].(string), tt.msg)) {
				t.Errorf("body %v, want code %v message with %q", body, tt.code, tt.msg)
			}
		})
	}
}

func TestPaginationAcrossSymbols(t *testing.T) {
	s := NewServer(t, Options{Bars: map[string][]data.Bar{"MSFT": bars("MSFT", 7), "AAPL": bars("AAPL", 5)}})
	q := url.Values{"symbols": {"MSFT,AAPL,NONE"}, "timeframe": {"1Min"}, "start": {"2024-01-01"}, "end": {"2024-01-03"}, "limit": {"4"}}
	var order []string
	for page := 0; ; page++ {
		_, _, body := get(t, s, StockBarsPath, q, true)
		got := body["bars"].(map[string]any)
		for _, sym := range []string{"AAPL", "MSFT"} {
			if bs, ok := got[sym].([]any); ok {
				for range bs {
					order = append(order, sym)
				}
			}
		}
		tok, _ := body["next_page_token"].(string)
		if tok == "" {
			break
		}
		if !strings.HasPrefix(tok, "++//") || !strings.HasSuffix(tok, "==") {
			t.Errorf("token %q lacks the characters that need URL encoding", tok)
		}
		q.Set("page_token", tok)
		if page > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if want := strings.Repeat("AAPL,", 5) + strings.Repeat("MSFT,", 7); strings.Join(order, ",")+"," != want {
		t.Errorf("order %v, want AAPL's 5 bars then MSFT's 7", order)
	}
	if n := s.BarRequests(); n != 3 {
		t.Errorf("%d requests, want 3 pages of 4", n)
	}
}

func TestDeterministicFaults(t *testing.T) {
	run := func() []Fault {
		s := NewServer(t, Options{FaultRate: 0.5, Seed: 42, FaultKinds: []Fault{InternalError, Unavailable, TooManyRequests}})
		q := url.Values{"symbols": {"AAPL"}, "start": {"2024-01-01"}, "end": {"2024-01-03"}}
		for range 20 {
			get(t, s, StockBarsPath, q, true)
		}
		var out []Fault
		for _, r := range s.Log() {
			out = append(out, r.Fault)
		}
		return out
	}
	a, b := run(), run()
	faulty := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d: fault %v then %v with the same seed", i, a[i], b[i])
		}
		if a[i] != NoFault {
			faulty++
		}
	}
	if faulty == 0 || faulty == len(a) {
		t.Errorf("%d of %d faulty at rate 0.5", faulty, len(a))
	}
}

func TestDateHeaderAndOAuth(t *testing.T) {
	now := time.Date(2025, 3, 4, 15, 16, 17, 0, time.UTC)
	s := NewServer(t, Options{OAuthToken: "FAKETOKEN", RateLimit: 10000, Now: func() time.Time { return now }})
	q := url.Values{"symbols": {"AAPL"}, "start": {"2025-03-03T00:00:00Z"}, "end": {"2025-03-04T00:00:00Z"}}
	for _, tt := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"bearer token", map[string]string{"Authorization": "Bearer FAKETOKEN"}, 200},
		{"stale token", map[string]string{"Authorization": "Bearer OLDTOKEN"}, 403},
		{"token beside keys", map[string]string{"Authorization": "Bearer OLDTOKEN", "APCA-API-KEY-ID": FakeKeyID, "APCA-API-SECRET-KEY": FakeSecret}, 403},
		{"keys", map[string]string{"APCA-API-KEY-ID": FakeKeyID, "APCA-API-SECRET-KEY": FakeSecret}, 200},
	} {
		req, _ := http.NewRequest("GET", s.URL+StockBarsPath+"?"+q.Encode(), nil)
		for k, v := range tt.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
		if d, err := http.ParseTime(resp.Header.Get("Date")); err != nil || !d.Equal(now) {
			t.Errorf("%s: Date %q, want the server's clock %v", tt.name, resp.Header.Get("Date"), now)
		}
		if resp.Header.Get("X-RateLimit-Limit") != "10000" {
			t.Errorf("%s: X-RateLimit-Limit %q", tt.name, resp.Header.Get("X-RateLimit-Limit"))
		}
	}
}

func TestSIPRefusalWithoutCode(t *testing.T) {
	now := t0.Add(time.Hour)
	s := NewServer(t, Options{SIPRefusalWithoutCode: true, Now: func() time.Time { return now }})
	q := url.Values{"symbols": {"AAPL"}, "start": {t0.Format(time.RFC3339)}, "end": {now.Format(time.RFC3339)}, "feed": {"sip"}}
	status, _, body := get(t, s, StockBarsPath, q, true)
	if _, hasCode := body["code"]; status != 403 || hasCode || body["message"] != "subscription does not permit querying recent SIP data" {
		t.Fatalf("status %d body %v, want 403 with the message only", status, body)
	}
}

func TestTradingAccount(t *testing.T) {
	paper := NewTrading(t, TradingOptions{KeyID: "PKFAKE", SecretKey: "S", Paper: true})
	for _, tt := range []struct {
		key    string
		status int
	}{{"PKFAKE", 200}, {"AKFAKE", 401}, {"", 401}} {
		req, _ := http.NewRequest("GET", paper.URL+AccountPath, nil)
		req.Header.Set("APCA-API-KEY-ID", tt.key)
		req.Header.Set("APCA-API-SECRET-KEY", "S")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("key %q: status %d, want %d", tt.key, resp.StatusCode, tt.status)
		}
		if tt.status == 401 && (body["code"] != float64(CodeUnauthorized) || body["message"] != "request is not authorized") {
			t.Errorf("key %q: body %v", tt.key, body)
		}
		if tt.status == 200 && !strings.HasPrefix(body["account_number"].(string), "PA") {
			t.Errorf("paper account number %v", body["account_number"])
		}
	}
}
