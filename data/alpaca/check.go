package alpaca

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	trading "github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
)

// Check statuses.
const (
	StatusOK   = "ok"
	StatusWarn = "warn"
	StatusFail = "FAIL"
)

// CheckResult is one line of fetch --check: what was found and, unless ok, the fix. No field
// ever holds a key, a secret or a token.
type CheckResult struct {
	Name   string
	Status string // StatusOK, StatusWarn or StatusFail
	Found  string
	Fix    string
}

func (r CheckResult) String() string {
	s := fmt.Sprintf("%-4s %-16s %s", r.Status, r.Name, r.Found)
	if r.Fix != "" {
		s += " -- fix: " + r.Fix
	}
	return s
}

// CheckConfig says what Check examines.
type CheckConfig struct {
	// Getenv gives the variables as the fetch would see them (the dotenv file over the
	// environment), untrimmed, so that stray whitespace and quotes show.
	Getenv func(string) string
	// EnvFile is the dotenv file named by --env-file, "" when none.
	EnvFile string
	// PaperURL and LiveURL are the trading hosts tried when APCA_API_BASE_URL is unset;
	// PaperTradingURL and LiveTradingURL when empty.
	PaperURL, LiveURL string
	// Transport carries the requests; as Config.Transport.
	Transport http.RoundTripper
	// Timeout bounds each request; 10s when zero.
	Timeout time.Duration

	now func() time.Time // seam for tests
}

// maxSkew is the clock difference above which Check warns.
const maxSkew = 5 * time.Second

// Check diagnoses a user's Alpaca setup: the credential and how it is written, the data URL,
// the network, the key against the data API, the plan's SIP entitlement and rate limit, the
// clock, and the trading environment the key belongs to. It asks Alpaca a handful of
// requests, never retried for long, and returns one result per check.
func Check(ctx context.Context, cc CheckConfig) []CheckResult {
	if cc.now == nil {
		cc.now = time.Now
	}
	if cc.PaperURL == "" {
		cc.PaperURL = PaperTradingURL
	}
	if cc.LiveURL == "" {
		cc.LiveURL = LiveTradingURL
	}
	if cc.Timeout <= 0 {
		cc.Timeout = 10 * time.Second
	}
	var out []CheckResult
	add := func(name, status, found, fix string) {
		out = append(out, CheckResult{Name: name, Status: status, Found: found, Fix: fix})
	}

	if cc.EnvFile != "" {
		checkEnvFile(cc.EnvFile, add)
	}
	cfg := ConfigFromEnv(cc.Getenv)
	credOK := checkCredential(cfg, add)
	checkValues(cc.Getenv, add)

	base := DefaultBaseURL
	if raw := strings.TrimSpace(cc.Getenv(EnvDataURL)); raw != "" {
		u, err := checkDataURL(raw)
		if err != nil {
			add("data URL", StatusFail, strings.TrimSuffix(err.Error(), ": "+ErrConfig.Error()),
				"unset "+EnvDataURL+" (the default is "+DefaultBaseURL+") or give a scheme and host only")
			return out
		}
		base = u
		add("data URL", StatusOK, base+" (from "+EnvDataURL+")", "")
	} else {
		add("data URL", StatusOK, base+" (the default)", "")
	}

	quiet := slog.New(slog.DiscardHandler)
	mk := func(c Config) *Source {
		c.BaseURL, c.Transport, c.Logger, c.Feed = base, cc.Transport, quiet, FeedIEX
		c.RPM, c.MaxRetries, c.RequestTimeout, c.now = -1, 1, cc.Timeout, cc.now
		s, err := New(c)
		if err != nil { // the configuration was checked above
			panic(err)
		}
		return s
	}

	// The network, without a key: crypto bars need none (docs.alpaca.markets/reference/
	// cryptobars-1), so a failure here is the network or a proxy, not the key.
	anon := mk(Config{})
	host := strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
	start := cc.now()
	_, err := anon.client(ctx).GetCryptoMultiBars([]string{"BTC/USD"}, marketdata.GetCryptoBarsRequest{
		TimeFrame: marketdata.OneDay, Start: start.Add(-72 * time.Hour), End: start, PageLimit: 1, TotalLimit: 1,
	})
	if err != nil {
		err = anon.describe(ctx, err, "crypto")
		add("network", StatusFail, "no answer from "+host+" without a key: "+err.Error(),
			"check the network, or set HTTPS_PROXY if a proxy is needed; the checks that need "+host+" were not run")
		return out
	}
	add("network", StatusOK, fmt.Sprintf("%s answers without a key (crypto bars, %s)", host,
		cc.now().Sub(start).Round(time.Millisecond)), "")

	if server, ok := anon.ServerNow(); ok {
		skew := server.Sub(cc.now())
		switch d := skew.Abs(); {
		case d > maxSkew:
			dir := "behind"
			if skew < 0 {
				dir = "ahead of"
			}
			add("clock", StatusWarn, fmt.Sprintf("the local clock is %s %s the server's Date; keys are headers, not signatures, "+
				"so they are still accepted, but \"now - 15 minutes\" for SIP and rate-limit waits move by as much",
				d.Round(time.Second), dir), "synchronise the clock (e.g. timedatectl set-ntp true)")
		default:
			add("clock", StatusOK, "within "+maxSkew.String()+" of the server's Date (keys are headers, not signatures: skew never refuses them)", "")
		}
	} else {
		add("clock", StatusWarn, "the server sent no Date header; the local clock is used for \"now - 15 minutes\"", "")
	}

	if !credOK {
		return out
	}
	src := mk(cfg)
	_, err = src.client(ctx).GetMultiBars([]string{"SPY"}, marketdata.GetBarsRequest{
		TimeFrame: marketdata.OneDay, Start: start.AddDate(0, 0, -10), End: start.Add(-time.Hour),
		PageLimit: 1, TotalLimit: 1, Feed: FeedIEX,
	})
	if err != nil {
		err = src.describe(ctx, err, "stock")
		fix := "see the message; run again when the network is stable"
		if errors.Is(err, ErrAuth) {
			fix = "regenerate the key pair in the Alpaca dashboard (a paper-account reset regenerates it) and set both variables"
		}
		add("data key", StatusFail, cfg.Credential()+" refused by "+host+": "+err.Error(), fix)
		return out
	}
	add("data key", StatusOK, cfg.Credential()+" accepted by "+host, "")

	switch entitled, err := src.recentSIP(ctx); {
	case err != nil:
		add("SIP", StatusFail, "asking for recent SIP bars: "+err.Error(), "")
	case entitled:
		add("SIP", StatusOK, "the plan includes SIP bars of the last 15 minutes", "")
	default:
		add("SIP", StatusWarn, "the plan refuses SIP bars of the last 15 minutes (the free plan): "+
			"fetch --feed sip stops 16 minutes before the server's clock",
			"--feed iex for the latest bars (a few percent of the volume), or Algo Trader Plus")
	}

	switch limit, _ := src.RateLimit(); {
	case limit == 0:
		add("rate limit", StatusWarn, "no X-RateLimit-Limit header; fetch paces at 180 requests a minute", "--rpm to change it")
	default:
		plan := ""
		switch limit {
		case 200:
			plan = " (the free plan's)"
		case 10000:
			plan = " (Algo Trader Plus)"
		}
		add("rate limit", StatusOK, fmt.Sprintf("%d requests a minute%s; fetch paces at %.0f (--rpm lowers it)",
			limit, plan, float64(limit)*rateShare), "")
	}

	checkTrading(ctx, cc, cfg, src, add)
	return out
}

func checkEnvFile(path string, add func(name, status, found, fix string)) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		add("env file", StatusFail, err.Error(), "name an existing dotenv file with --env-file")
	case fi.Mode().Perm()&0o077 != 0:
		add("env file", StatusWarn, fmt.Sprintf("%s is readable by other users (mode %04o)", path, fi.Mode().Perm()),
			"chmod 600 "+path)
	default:
		add("env file", StatusOK, fmt.Sprintf("%s (mode %04o)", path, fi.Mode().Perm()), "")
	}
}

// checkCredential reports the credential in use and whether requests can be made with it.
func checkCredential(cfg Config, add func(name, status, found, fix string)) bool {
	switch {
	case cfg.OAuth != "" && (cfg.KeyID != "" || cfg.SecretKey != ""):
		add("credential", StatusFail, "both "+EnvOAuth+" and "+EnvKeyID+"/"+EnvSecretKey+" are set (the token would be sent, the keys ignored)",
			"unset the one you do not mean to use")
		return false
	case cfg.OAuth != "":
		add("credential", StatusOK, "OAuth token ("+EnvOAuth+")", "")
	case cfg.KeyID == "" && cfg.SecretKey == "":
		add("credential", StatusFail, "none: "+EnvKeyID+" and "+EnvSecretKey+" are unset",
			"set both from the Alpaca dashboard (API keys), or "+EnvOAuth+"; crypto pairs need none")
		return false
	case cfg.SecretKey == "":
		add("credential", StatusFail, "key "+Mask(cfg.KeyID)+" but "+EnvSecretKey+" is unset", "set "+EnvSecretKey+" (shown once, when the key is generated)")
		return false
	case cfg.KeyID == "":
		add("credential", StatusFail, EnvSecretKey+" is set but "+EnvKeyID+" is unset", "set "+EnvKeyID)
		return false
	case strings.HasPrefix(cfg.KeyID, "C"):
		// Market Data FAQ: keys starting with C are broker partners', which authenticate with
		// HTTP basic auth on their own hosts.
		add("credential", StatusFail, "key "+Mask(cfg.KeyID)+" is a broker partner key (starts with C)",
			"broker keys need HTTP basic auth and data.sandbox.alpaca.markets for testing; use a Trading API key")
		return false
	default:
		add("credential", StatusOK, "key "+Mask(cfg.KeyID)+" ("+EnvKeyID+") with "+EnvSecretKey, "")
	}
	return true
}

// checkValues finds whitespace and quotes around the values, as a copy from a web page or a
// docker --env-file (which keeps quotes) leaves them.
func checkValues(getenv func(string) string, add func(name, status, found, fix string)) {
	var bad, trimmed []string
	for _, k := range []string{EnvKeyID, EnvSecretKey, EnvOAuth, EnvDataURL, EnvBaseURL} {
		v := getenv(k)
		t := strings.TrimSpace(v)
		switch {
		case t == "":
		case strings.ContainsAny(t[:1], `"'`) || strings.ContainsAny(t[len(t)-1:], `"'`):
			bad = append(bad, k+" is quoted")
		case strings.ContainsAny(t, " \t\r\n"):
			bad = append(bad, k+" holds whitespace")
		case t != v:
			trimmed = append(trimmed, k)
		}
	}
	switch {
	case len(bad) > 0:
		add("values", StatusFail, strings.Join(bad, "; ")+" (the quotes or spaces would be sent as part of it)",
			"remove them where the variable is set")
	case len(trimmed) > 0:
		add("values", StatusWarn, strings.Join(trimmed, ", ")+" has leading or trailing whitespace, which is ignored",
			"remove it, other tools may not ignore it")
	default:
		add("values", StatusOK, "no stray whitespace or quotes", "")
	}
}

// checkTrading finds the trading environment the credential belongs to with GET /v2/account,
// which "returns the account associated with the API key" (docs.alpaca.markets/reference/
// getaccount-1); a key of the other environment gets 401 (observed: alpacahq/alpaca-py#519).
func checkTrading(ctx context.Context, cc CheckConfig, cfg Config, src *Source, add func(name, status, found, fix string)) {
	accepts := func(base string) (bool, error) {
		c := trading.NewClient(trading.ClientOpts{
			APIKey: cfg.KeyID, APISecret: cfg.SecretKey, OAuth: cfg.OAuth, BaseURL: base,
			RetryLimit: -1, HTTPClient: &http.Client{Transport: bound{src.tr, ctx}},
		})
		_, err := c.GetAccount()
		if err == nil {
			return true, nil
		}
		// The transport turns error statuses into *APIError before the SDK sees them.
		var our *APIError
		if errors.As(err, &our) && (our.Status == 401 || our.Status == 403) {
			return false, nil
		}
		if errors.As(err, &our) {
			return false, fmt.Errorf("HTTP %d: %s", our.Status, our.Message)
		}
		var ae *trading.APIError
		if errors.As(err, &ae) && (ae.StatusCode == 401 || ae.StatusCode == 403) {
			return false, nil
		}
		var ue *UnreachableError
		if errors.As(err, &ue) {
			return false, ue
		}
		if ae != nil {
			return false, fmt.Errorf("HTTP %d: %s", ae.StatusCode, ae.Message)
		}
		return false, errors.New(strings.ReplaceAll(err.Error(), base, hostOf(base)))
	}
	name := func(base string) string {
		switch base {
		case cc.PaperURL:
			return "the paper host " + hostOf(base)
		case cc.LiveURL:
			return "the live host " + hostOf(base)
		}
		return hostOf(base)
	}
	liveWarn := func(found string) {
		add("trading key", StatusWarn, found+": a live trading key, used here only to read market data",
			"use a paper key (paper-api.alpaca.markets) or an OAuth token scoped to data: least privilege")
	}

	if raw := strings.TrimSpace(cc.Getenv(EnvBaseURL)); raw != "" {
		base := strings.TrimRight(raw, "/")
		ok, err := accepts(base)
		if err != nil {
			add("trading key", StatusWarn, EnvBaseURL+"="+hostOf(base)+" did not answer: "+err.Error(), "check "+EnvBaseURL)
			return
		}
		if ok {
			if base == cc.LiveURL {
				liveWarn(name(base) + " (" + EnvBaseURL + ") accepts " + cfg.Credential())
				return
			}
			add("trading key", StatusOK, name(base)+" ("+EnvBaseURL+") accepts "+cfg.Credential(), "")
			return
		}
		var silent []string // hosts that did not answer: they neither accepted nor refused the key
		for _, other := range []string{cc.PaperURL, cc.LiveURL} {
			if other == base {
				continue
			}
			ok, err := accepts(other)
			if ok {
				add("trading key", StatusFail, EnvBaseURL+"="+hostOf(base)+" refuses "+cfg.Credential()+"; "+name(other)+" accepts it",
					"set "+EnvBaseURL+"="+other+", or use a key of "+name(base))
				return
			}
			if err != nil {
				silent = append(silent, name(other)+": "+err.Error())
			}
		}
		if len(silent) > 0 {
			// Saying "so do the others" here would blame the key for a network that blocks them.
			add("trading key", StatusFail, EnvBaseURL+"="+hostOf(base)+" refuses "+cfg.Credential()+
				"; which environment it belongs to is unknown: "+strings.Join(silent, "; "),
				"use a key of the environment "+EnvBaseURL+" names, or check the network to the other trading host")
			return
		}
		add("trading key", StatusFail, EnvBaseURL+"="+hostOf(base)+" refuses "+cfg.Credential()+", and so do the paper and live hosts",
			"regenerate the key for the environment "+EnvBaseURL+" names")
		return
	}

	paper, perr := accepts(cc.PaperURL)
	live, lerr := accepts(cc.LiveURL)
	switch {
	case paper:
		add("trading key", StatusOK, cfg.Credential()+" belongs to paper trading ("+name(cc.PaperURL)+" accepts it)", "")
	case live:
		liveWarn(cfg.Credential() + " belongs to live trading (" + name(cc.LiveURL) + " accepts it)")
	case perr != nil || lerr != nil:
		add("trading key", StatusWarn, "the trading hosts did not answer: "+errors.Join(perr, lerr).Error(), "")
	case cfg.OAuth != "":
		add("trading key", StatusOK, "the token reads market data and has no trading access (least privilege)", "")
	default:
		add("trading key", StatusWarn, "neither trading host accepts "+cfg.Credential()+", though the data API does",
			"if the key is for trading too, regenerate it in the dashboard")
	}
}

func hostOf(base string) string {
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Host
	}
	return base
}
