package alpaca

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Sentinel errors, for callers that choose exit codes and messages with errors.Is.
var (
	// ErrMissingKey: stock bars need both APCA_API_KEY_ID and APCA_API_SECRET_KEY.
	ErrMissingKey = errors.New("missing Alpaca API key: set " + EnvKeyID + " and " + EnvSecretKey)
	// ErrAuth: Alpaca refused the credentials (401, or 403, which the data API answers for
	// missing, wrong and insufficient credentials alike: docs.alpaca.markets/docs/market-data-faq).
	ErrAuth = errors.New("alpaca refused the credentials")
	// ErrUnreachable: the host could not be reached at all (no name, refused, no route).
	ErrUnreachable = errors.New("alpaca host unreachable")
	// ErrSubscription: the plan may not query what was asked (recent SIP data); also ErrAuth.
	ErrSubscription = errors.New("alpaca subscription does not permit this request")
	// ErrBadRequest: Alpaca rejected a parameter (400, 404, 422).
	ErrBadRequest = errors.New("alpaca rejected the request")
	// ErrRetriesExhausted: a page kept failing with retryable errors.
	ErrRetriesExhausted = errors.New("alpaca request failed after retries")
	// ErrBadResponse: a successful response whose bars cannot be used.
	ErrBadResponse = errors.New("unusable response from alpaca")
)

// codeSIPRecent is the code observed on the 403 for SIP data newer than 15 minutes. The
// Market Data FAQ (docs.alpaca.markets/docs/market-data-faq, "Why am I getting HTTP 403")
// identifies that refusal by its message only, so the message decides and the code is not
// required.
const codeSIPRecent = 42210000

// msgSIPRecent is the FAQ's wording of that refusal.
const msgSIPRecent = "subscription does not permit querying recent SIP data"

func isSIPRecent(status int, code int, msg string) bool {
	return status == 403 && (strings.Contains(strings.ToLower(msg), strings.ToLower(msgSIPRecent)) ||
		(code == codeSIPRecent && strings.Contains(strings.ToLower(msg), "sip")))
}

// checklist403 is the Market Data FAQ's checklist for a 403, in the order a user of this tool
// most often needs it (docs.alpaca.markets/docs/market-data-faq, "Checklist for regular users"
// and "Checklist for broker partners").
const checklist403 = "; Alpaca answers 403 when credentials are missing, wrong or lack permission: " +
	"check that " + EnvKeyID + " and " + EnvSecretKey + " are both set and current " +
	"(resetting a paper account regenerates them; see the dashboard); " +
	"that no stale " + EnvOAuth + " token is set; " +
	"that " + EnvDataURL + " is unset or " + DefaultBaseURL + "; " +
	"broker keys (starting with C) need HTTP basic auth and data.sandbox.alpaca.markets, which this tool does not use; " +
	"run fetch --check to test each"

// APIError is an error response from Alpaca. Its message names the endpoint by host and path
// only: the query is left out, and keys travel in headers, which are never quoted.
type APIError struct {
	Status   int
	Code     int    // Alpaca's error code, 0 if the body had none
	Message  string // Alpaca's message, or a short excerpt of a non-JSON body
	Endpoint string // host and path, e.g. data.alpaca.markets/v2/stocks/bars
	// Params are the request's parameters that Alpaca's message names, as sent.
	Params []string
	kind   error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "alpaca GET %s: HTTP %d", e.Endpoint, e.Status)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d)", e.Code)
	}
	switch {
	case e.kind == ErrSubscription:
		b.WriteString("; without a paid data plan SIP bars end 15 minutes before now: " +
			"use --feed iex, or an --end at least 15 minutes in the past")
	case e.Status == 401:
		b.WriteString("; check " + EnvKeyID + " and " + EnvSecretKey +
			" (wrong, revoked, or paper and live keys mixed up); run fetch --check to test them")
	case e.Status == 403:
		b.WriteString(checklist403)
	case len(e.Params) > 0:
		b.WriteString("; bad parameter " + strings.Join(e.Params, ", "))
	}
	return b.String()
}

func (e *APIError) Unwrap() []error {
	if e.kind == ErrSubscription {
		return []error{ErrSubscription, ErrAuth}
	}
	return []error{e.kind}
}

// RetryError is the last failure of a page that exhausted its retries.
type RetryError struct {
	Endpoint string
	Attempts int
	Last     error
}

func (e *RetryError) Error() string {
	attempts := "attempts"
	if e.Attempts == 1 {
		attempts = "attempt"
	}
	return fmt.Sprintf("alpaca GET %s: gave up after %d %s: %v", e.Endpoint, e.Attempts, attempts, e.Last)
}

func (e *RetryError) Unwrap() []error { return []error{ErrRetriesExhausted, e.Last} }

// UnreachableError is a host that could not be reached: the name did not resolve, the
// connection was refused, or there was no route. It is reported rather than retried for
// long, because it is almost always the network or a proxy, not Alpaca.
type UnreachableError struct {
	Host     string
	Attempts int
	Err      error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach %s (%v, %d attempts): check the network, or set HTTPS_PROXY if a proxy is needed",
		e.Host, e.Err, e.Attempts)
}

func (e *UnreachableError) Unwrap() []error { return []error{ErrUnreachable, e.Err} }

// queryParams are the bar endpoints' parameters, longest first so "page_token" wins over
// nothing shorter and "symbols" over "symbol".
var queryParams = []string{"page_token", "adjustment", "timeframe", "currency", "symbols", "symbol", "limit", "start", "asof", "feed", "sort", "end"}

var wordRE = regexp.MustCompile(`[a-z_]+`)

// newAPIError reads Alpaca's {"code":..., "message":...} body.
func newAPIError(status int, body []byte, u *url.URL) *APIError {
	e := &APIError{Status: status, Endpoint: u.Host + u.Path}
	var parsed struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &parsed) == nil && (parsed.Message != "" || parsed.Code != 0) {
		e.Code, e.Message = parsed.Code, parsed.Message
	} else {
		e.Message = excerpt(body)
	}
	switch {
	case isSIPRecent(status, e.Code, e.Message):
		e.kind = ErrSubscription
	case status == 401 || status == 403:
		e.kind = ErrAuth
	default:
		e.kind = ErrBadRequest
		e.Params = namedParams(e.Message, u.Query())
	}
	return e
}

// namedParams finds the parameters a message names and quotes the values sent for them.
func namedParams(msg string, q url.Values) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range wordRE.FindAllString(strings.ToLower(msg), -1) {
		for _, p := range queryParams {
			name := p
			if p == "symbol" {
				name = "symbols"
			}
			if w != p || seen[name] {
				continue
			}
			seen[name] = true
			v := q.Get(name)
			if len(v) > 80 {
				v = v[:80] + "..."
			}
			out = append(out, fmt.Sprintf("%s=%q", name, v))
		}
	}
	sort.Strings(out)
	return out
}

// excerpt keeps a short, printable start of a body that is not Alpaca's JSON (a proxy's HTML
// page, say).
func excerpt(body []byte) string {
	s := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, string(body))
	s = strings.TrimSpace(s)
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

// redacted carries an error whose message had a secret replaced; errors.Is still sees the
// original chain.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

// redact replaces every secret in err's message. Errors built here never hold a key; this
// guards against the SDK or the network stack ever quoting one.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "[REDACTED]")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &redacted{msg, err}
}
