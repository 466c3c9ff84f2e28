package alpaca

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// pageTransport answers the first request with body and every later one with an empty last
// page, so a token in body leads to one more request, not a loop.
type pageTransport struct {
	body  []byte
	calls atomic.Int64
}

func (p *pageTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body := []byte(`{"bars":{},"next_page_token":null}`)
	if p.calls.Add(1) == 1 {
		body = p.body
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// FuzzDecodeBarsPage feeds arbitrary bodies as Alpaca pages through the fetcher's own path:
// the transport's validation, the SDK's decoding, and the conversion to data.Bar.
func FuzzDecodeBarsPage(f *testing.F) {
	f.Add([]byte(`{"bars":{"AAPL":[{"t":"2024-01-02T14:30:00Z","o":1,"h":2,"l":0.5,"c":1.5,"v":100,"n":3,"vw":1.2}]},"next_page_token":null}`))
	f.Add([]byte(`{"bars":{"AAPL":[{"t":"2024-01-02T14:30:00Z","o":1,"h":2,"l":0.5,"c":1.5,"v":100,"n":3,"vw":1.2}]},"next_page_token":"++//AQRBQVBM=="}`))
	f.Add([]byte(`{"bars":{"AAPL":[{"t":"2024-01-02T14:30:00Z","o":1`))
	f.Add([]byte(`{"bars":null}`))
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, syms := range [][]string{{"AAPL", "MSFT"}, {"BTC/USD"}} {
			pt := &pageTransport{body: body}
			src, err := New(Config{KeyID: "FAKEKEYID", SecretKey: "FAKESECRET", BaseURL: "https://alpaca.invalid",
				RPM: -1, MaxRetries: -1, Transport: pt})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]time.Time{}
			for page, err := range src.Bars(context.Background(), data.Request{Symbols: syms, Timeframe: data.OneMin, Start: start, End: end}) {
				if err != nil {
					if strings.Contains(err.Error(), "FAKEKEYID") || strings.Contains(err.Error(), "FAKESECRET") {
						t.Fatalf("error shows a key: %v", err)
					}
					break
				}
				for _, b := range page {
					last, ok := seen[b.Symbol]
					switch {
					case !strings.Contains(strings.Join(syms, ","), b.Symbol) || b.Symbol == "":
						t.Fatalf("bar of unrequested symbol %q", b.Symbol)
					case b.Time.Location() != time.UTC || b.Time.Before(start) || !b.Time.Before(end):
						t.Fatalf("bar time %v outside [%v, %v) or not UTC", b.Time, start, end)
					case ok && !last.Before(b.Time):
						t.Fatalf("%s: %v after %v", b.Symbol, b.Time, last)
					}
					seen[b.Symbol] = b.Time
				}
			}
			if pt.calls.Load() > 2 {
				t.Fatalf("%d requests for one page and its empty successor", pt.calls.Load())
			}
		}
	})
}
