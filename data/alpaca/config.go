package alpaca

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
)

// Environment variables, named as the SDK and Alpaca's other tools name them.
const (
	EnvKeyID     = "APCA_API_KEY_ID"
	EnvSecretKey = "APCA_API_SECRET_KEY"
	EnvDataURL   = "APCA_API_DATA_URL"
)

// DefaultBaseURL is Alpaca's market-data host, as the SDK defaults to it.
const DefaultBaseURL = "https://data.alpaca.markets"

// Feeds a Config accepts.
const (
	FeedIEX        = "iex"
	FeedSIP        = "sip"
	FeedDelayedSIP = "delayed_sip"
)

// Config configures a Source. The zero value (after ConfigFromEnv for keys) is usable.
type Config struct {
	KeyID, SecretKey string
	// BaseURL is the market-data host; DefaultBaseURL when empty.
	BaseURL string
	// Feed is "iex" (the default, free), "sip" or "delayed_sip". Historical endpoints know no
	// delayed_sip feed: it is sent as sip, which a free plan may query until 15 minutes ago.
	Feed string
	// RPM paces requests to at most this many a minute, shared by every goroutine using the
	// Source; 200 (Alpaca's free limit) when zero, unpaced when negative.
	RPM int
	// MaxRetries bounds the retries of one page; 8 when zero, none when negative.
	MaxRetries int
	// MaxRetryWait bounds the backoff slept for one page across its retries; 2m when zero.
	MaxRetryWait time.Duration
	// MaxResetWait bounds one wait for X-RateLimit-Reset; 2m when zero. Alpaca's window is a
	// minute, so a longer wait means the clocks disagree.
	MaxResetWait time.Duration
	// RequestTimeout bounds one HTTP attempt, body included; 60s when zero.
	RequestTimeout time.Duration
	// Logger receives retries and rate-limit waits; slog.Default when nil.
	Logger *slog.Logger
	// Transport carries the requests; a clone of http.DefaultTransport when nil.
	Transport http.RoundTripper

	// Seams for tests: a clock the rate limiter and backoff read and sleep on.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// ConfigFromEnv reads the keys and data URL from the variables the SDK reads. getenv is
// usually os.Getenv.
func ConfigFromEnv(getenv func(string) string) Config {
	return Config{
		KeyID:     strings.TrimSpace(getenv(EnvKeyID)),
		SecretKey: strings.TrimSpace(getenv(EnvSecretKey)),
		BaseURL:   strings.TrimSpace(getenv(EnvDataURL)),
	}
}

func (c *Config) normalize() error {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	switch c.Feed {
	case "":
		c.Feed = FeedIEX
	case FeedIEX, FeedSIP, FeedDelayedSIP:
	default:
		return fmt.Errorf("invalid feed %q: want iex, sip or delayed_sip", c.Feed)
	}
	if c.RPM == 0 {
		c.RPM = 200
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 8
	} else if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.MaxRetryWait <= 0 {
		c.MaxRetryWait = 2 * time.Minute
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
