package alpaca

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Environment variables, named as the SDK reads them (alpaca-trade-api-go v3.9.1
// marketdata/rest.go NewClient and alpaca/rest.go NewClient).
const (
	EnvKeyID     = "APCA_API_KEY_ID"
	EnvSecretKey = "APCA_API_SECRET_KEY"
	EnvDataURL   = "APCA_API_DATA_URL"
	// EnvOAuth is an OAuth access token. The SDK sends it as "Authorization: Bearer" in place
	// of the keys whenever it is set (marketdata/rest.go defaultDo), so it must never be
	// picked up by accident: see Config.OAuth.
	EnvOAuth = "APCA_API_OAUTH"
	// EnvBaseURL is the trading host a key belongs to (paper or live); only --check reads it.
	EnvBaseURL = "APCA_API_BASE_URL"
)

// DefaultBaseURL is Alpaca's market-data host, as the SDK defaults to it.
const DefaultBaseURL = "https://data.alpaca.markets"

// Trading hosts, from the trading API's OpenAPI servers list (alpacahq/alpaca-docs
// oas/trading/openapi.yaml): a key belongs to one of them.
const (
	PaperTradingURL = "https://paper-api.alpaca.markets"
	LiveTradingURL  = "https://api.alpaca.markets"
)

// ErrConfig marks a configuration the user must fix before anything is asked of Alpaca (a
// bad data URL, a token and keys both set); commands exit 2 on it.
var ErrConfig = errors.New("alpaca configuration")

// Feeds a Config accepts.
const (
	FeedIEX        = "iex"
	FeedSIP        = "sip"
	FeedDelayedSIP = "delayed_sip"
)

// Config configures a Source. The zero value (after ConfigFromEnv for keys) is usable.
type Config struct {
	KeyID, SecretKey string
	// OAuth is an OAuth access token (APCA_API_OAUTH), sent instead of the keys; a token
	// scoped to "data" is the least privilege Alpaca offers (alpaca-docs content/oauth/guide.md,
	// scopes). Setting both a token and keys is refused (ErrConfig): the SDK would silently
	// send the token, and a stale token would then hide working keys.
	OAuth string
	// BaseURL is the market-data host; DefaultBaseURL when empty. It must be https:// (http://
	// only on a loopback address, for tests) and carry no path: the SDK appends
	// "/v2/stocks/bars" to it as it is (marketdata/rest.go GetMultiBars).
	BaseURL string
	// Feed is "sip" (the default), "iex" or "delayed_sip". Alpaca's free plan may query
	// historical SIP bars; only the last 15 minutes are refused (docs.alpaca.markets/docs/
	// about-market-data-api, the plans table and its footnote), which Source.Horizon handles.
	// Historical endpoints know no delayed_sip feed: it is sent as sip.
	Feed string
	// RPM is a ceiling on requests a minute, shared by every goroutine using the Source.
	// Pacing follows about 90 % of the X-RateLimit-Limit the server sends (200 on the free
	// plan, 10,000 on Algo Trader Plus: about-market-data-api) and starts at 90 % of 200
	// until the header is seen. Zero means no ceiling beyond the header; negative turns
	// pacing off.
	RPM int
	// MaxRetries bounds the retries of one page; 8 when zero, none when negative.
	MaxRetries int
	// MaxRetryWait bounds the backoff slept for one page across its retries; 2m when zero.
	MaxRetryWait time.Duration
	// RetryBackoff is the ceiling of the first retry's backoff; each further retry doubles it,
	// up to 60 times RetryBackoff, and the wait is a uniform draw below the ceiling ("full
	// jitter"). 500ms when zero, so the ceilings run 0.5, 1, 2 … 30 s. Tests that inject
	// dozens of faults shorten it; a user has little reason to.
	RetryBackoff time.Duration
	// MaxResetWait bounds one wait for X-RateLimit-Reset; 2m when zero. Alpaca's window is a
	// minute, so a longer wait means the clocks disagree.
	MaxResetWait time.Duration
	// RequestTimeout bounds one HTTP attempt, body included; 60s when zero.
	RequestTimeout time.Duration
	// Logger receives retries (one line each, at Info) and rate-limit waits; slog.Default
	// when nil.
	Logger *slog.Logger
	// OnRetry, if set, is told of each retry before its wait (a progress bar shows it).
	OnRetry func(Retry)
	// Transport carries the requests; a clone of http.DefaultTransport when nil.
	Transport http.RoundTripper

	// Seams for tests: a clock the rate limiter and backoff read and sleep on.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// Retry describes one retry about to happen.
type Retry struct {
	Endpoint string        // host and path
	Attempt  int           // the attempt that failed, from 1
	Cause    string        // what went wrong, without the query or any key
	Wait     time.Duration // backoff before the next attempt (0 when waiting for a rate-limit reset)
}

// ConfigFromEnv reads the credentials and data URL from the variables the SDK reads. getenv
// is usually os.Getenv.
func ConfigFromEnv(getenv func(string) string) Config {
	return Config{
		KeyID:     strings.TrimSpace(getenv(EnvKeyID)),
		SecretKey: strings.TrimSpace(getenv(EnvSecretKey)),
		OAuth:     strings.TrimSpace(getenv(EnvOAuth)),
		BaseURL:   strings.TrimSpace(getenv(EnvDataURL)),
	}
}

// Credential names the credential a Config sends, never showing it whole: "key PK…1234",
// "OAuth token" or "no credential".
func (c Config) Credential() string {
	switch {
	case c.OAuth != "":
		return "OAuth token (" + EnvOAuth + ")"
	case c.KeyID != "":
		return "key " + Mask(c.KeyID)
	}
	return "no credential"
}

// Mask shows a key as its first two characters and last four ("PK…1234"): enough to tell
// paper (PK) from live (AK) and broker (C) keys, and one key from another, but never the key.
// Keys shorter than 12 characters show only their prefix.
func Mask(key string) string {
	r := []rune(key)
	if len(r) < 12 {
		if len(r) < 2 {
			return "…"
		}
		return string(r[:2]) + "…"
	}
	return string(r[:2]) + "…" + string(r[len(r)-4:])
}

// checkDataURL enforces what the SDK needs of APCA_API_DATA_URL: a scheme and host only.
// Plain http is allowed on loopback addresses, so that tests can use a local fake; anything
// else would send keys in clear text.
func checkDataURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%s=%q is not a URL like %s: %w", EnvDataURL, raw, DefaultBaseURL, ErrConfig)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return "", fmt.Errorf("%s=%q: want https:// (plain http only on a loopback address): %w", EnvDataURL, raw, ErrConfig)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%s=%q: want a scheme and host only, like %s (the client adds /v2/...): %w",
			EnvDataURL, raw, DefaultBaseURL, ErrConfig)
	}
	return u.Scheme + "://" + u.Host, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *Config) normalize() error {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	u, err := checkDataURL(c.BaseURL)
	if err != nil {
		return err
	}
	c.BaseURL = u
	if c.OAuth != "" && (c.KeyID != "" || c.SecretKey != "") {
		return fmt.Errorf("both %s and %s/%s are set: unset the one you do not mean to use "+
			"(the token would be sent and the keys ignored): %w", EnvOAuth, EnvKeyID, EnvSecretKey, ErrConfig)
	}
	switch c.Feed {
	case "":
		c.Feed = FeedSIP
	case FeedIEX, FeedSIP, FeedDelayedSIP:
	default:
		return fmt.Errorf("invalid feed %q: want iex, sip or delayed_sip", c.Feed)
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 8
	} else if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.MaxRetryWait <= 0 {
		c.MaxRetryWait = 2 * time.Minute
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = backoffBase
	}
	if c.MaxResetWait <= 0 {
		c.MaxResetWait = 2 * time.Minute
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 60 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Several goroutines fetch through one Source; keep their connections alive.
		t.MaxIdleConnsPerHost = 16
		// A host that cannot be reached must be reported within unreachableWithin: the
		// default dialer waits 30 s for a route that does not exist. The timeout covers
		// the name lookup too (net.Dialer.Timeout).
		t.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
		c.Transport = t
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if (c.KeyID == "") != (c.SecretKey == "") {
		return fmt.Errorf("only one of %s and %s is set: %w", EnvKeyID, EnvSecretKey, ErrMissingKey)
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// LoadEnvFile reads a dotenv file: KEY=VALUE lines, an optional `export ` prefix, values
// optionally in single quotes (literal) or double quotes (with \n, \", \\ escapes), blank lines
// and # comments. warning is non-empty when the file is readable by its group or others, which
// a file holding secrets should not be. Errors name the file and line, never a value.
func LoadEnvFile(path string) (vars map[string]string, warning string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("env file: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		warning = fmt.Sprintf("%s is readable by other users (mode %04o); it may hold API keys: chmod 600 %s",
			path, fi.Mode().Perm(), path)
	}
	vars, err = parseEnv(bufio.NewScanner(f))
	if err != nil {
		return nil, warning, fmt.Errorf("env file %s: %w", path, err)
	}
	return vars, warning, nil
}

func parseEnv(sc *bufio.Scanner) (map[string]string, error) {
	vars := map[string]string{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || line[0] == '#' {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "export"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			line = strings.TrimLeft(rest, " \t")
		}
		key, val, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || !validEnvKey(key) {
			return nil, fmt.Errorf("line %d: want KEY=VALUE", n)
		}
		v, err := parseEnvValue(strings.TrimSpace(val))
		if err != nil {
			return nil, fmt.Errorf("line %d (%s): %w", n, key, err)
		}
		vars[key] = v
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return vars, nil
}

func validEnvKey(k string) bool {
	if k == "" {
		return false
	}
	for i, c := range k {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func parseEnvValue(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	var out, rest string
	switch v[0] {
	case '\'':
		end := strings.IndexByte(v[1:], '\'')
		if end < 0 {
			return "", fmt.Errorf("unterminated single quote")
		}
		out, rest = v[1:1+end], v[2+end:]
	case '"':
		var b strings.Builder
		i := 1
		for ; i < len(v) && v[i] != '"'; i++ {
			if v[i] == '\\' && i+1 < len(v) {
				i++
				switch v[i] {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				default:
					b.WriteByte(v[i])
				}
				continue
			}
			b.WriteByte(v[i])
		}
		if i >= len(v) {
			return "", fmt.Errorf("unterminated double quote")
		}
		out, rest = b.String(), v[i+1:]
	default:
		// An unquoted value ends at a comment that follows whitespace: "abc # note".
		if i := strings.Index(v, " #"); i >= 0 {
			v = v[:i]
		}
		if i := strings.Index(v, "\t#"); i >= 0 {
			v = v[:i]
		}
		return strings.TrimSpace(v), nil
	}
	if rest = strings.TrimSpace(rest); rest != "" && rest[0] != '#' {
		return "", fmt.Errorf("text after closing quote")
	}
	return out, nil
}
