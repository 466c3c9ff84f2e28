package alpacatest

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// AccountPath is the trading API's account endpoint: "Returns the account associated with
// the API key" (alpacahq/alpaca-docs oas/trading/openapi.yaml, /v2/account;
// docs.alpaca.markets/reference/getaccount-1).
const AccountPath = "/v2/account"

// TradingOptions configure a fake trading host. A key belongs to one environment: paper
// (https://paper-api.alpaca.markets) or live (https://api.alpaca.markets), the two servers of
// the trading OpenAPI; start one Trading per environment.
type TradingOptions struct {
	// KeyID and SecretKey are the credentials this environment accepts; none when empty.
	KeyID, SecretKey string
	// OAuthToken, if set, is accepted as a bearer token.
	OAuthToken string
	// Paper makes the account number start with "PA", as paper accounts' do.
	Paper bool
	// Now is the server's clock for the Date header; time.Now when nil.
	Now func() time.Time
}

// Trading is a fake trading host answering GET /v2/account.
type Trading struct {
	*httptest.Server
	opts     TradingOptions
	requests atomic.Int64
}

// NewTrading starts a fake trading host that is closed when tb's test ends.
func NewTrading(tb testing.TB, opts TradingOptions) *Trading {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = time.Now
	}
	t := &Trading{opts: opts}
	t.Server = httptest.NewServer(http.HandlerFunc(t.serve))
	tb.Cleanup(t.Close)
	return t
}

// Requests counts the requests answered.
func (t *Trading) Requests() int64 { return t.requests.Load() }

func (t *Trading) serve(w http.ResponseWriter, r *http.Request) {
	t.requests.Add(1)
	w.Header().Set("Date", t.opts.Now().UTC().Format(http.TimeFormat))
	if r.URL.Path != AccountPath || r.Method != http.MethodGet {
		writeError(w, apiError{http.StatusNotFound, 0, "Not Found"})
		return
	}
	ok := t.opts.OAuthToken != "" && r.Header.Get("Authorization") == "Bearer "+t.opts.OAuthToken
	if !ok && t.opts.KeyID != "" && r.Header.Get("Authorization") == "" {
		ok = r.Header.Get("APCA-API-KEY-ID") == t.opts.KeyID && r.Header.Get("APCA-API-SECRET-KEY") == t.opts.SecretKey
	}
	if !ok {
		// A key of the other environment, or none: 401 with code 40110000, as observed
		// (alpacahq/alpaca-py#519: a live key against the paper host). The reference page
		// documents no body for it.
		writeError(w, apiError{http.StatusUnauthorized, CodeUnauthorized, "request is not authorized"})
		return
	}
	number := "999000111"
	if t.opts.Paper {
		number = "PA" + number
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	// The fields the SDK's Account decodes that a check reads (alpaca/entities.go Account);
	// the rest are left out, which the SDK decodes as zero values.
	_, _ = w.Write([]byte(`{"id":"00000000-0000-4000-8000-000000000000","account_number":"` + number +
		`","status":"ACTIVE","currency":"USD","cash":"100000","buying_power":"200000"}`))
}
