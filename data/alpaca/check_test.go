package alpaca

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/internal/alpacatest"
)

// Obviously fake credentials: the test asserts they never appear in the output. The hyphens keep
// them from matching secret scanners' \b(PK|AK|CK)[A-Z0-9]{16,20}\b.
const (
	checkKey    = "PKFAKE-NOT-A-KEY-9876"
	checkSecret = "FAKESECRETFAKESECRET42"
	liveKey     = "AKFAKE-NOT-A-KEY-5555"
)

func runCheck(t *testing.T, env map[string]string, edit func(*CheckConfig)) (map[string]CheckResult, string) {
	t.Helper()
	cc := CheckConfig{Getenv: func(k string) string { return env[k] }}
	if edit != nil {
		edit(&cc)
	}
	res := Check(context.Background(), cc)
	byName := map[string]CheckResult{}
	var b strings.Builder
	for _, r := range res {
		byName[r.Name] = r
		b.WriteString(r.String() + "\n")
	}
	out := b.String()
	for _, secret := range []string{checkKey, checkSecret, liveKey, "FAKETOKEN-77"} {
		if strings.Contains(out, secret) {
			t.Fatalf("output shows a credential %q:\n%s", secret, out)
		}
	}
	return byName, out
}

func status(t *testing.T, res map[string]CheckResult, out, name, want string, contains ...string) {
	t.Helper()
	r, ok := res[name]
	if !ok {
		t.Fatalf("no %q check:\n%s", name, out)
	}
	if r.Status != want {
		t.Errorf("%s: %s, want %s:\n%s", name, r.Status, want, out)
	}
	for _, c := range contains {
		if !strings.Contains(r.String(), c) {
			t.Errorf("%s: %q lacks %q", name, r, c)
		}
	}
}

func TestCheckPaperKeyFreePlan(t *testing.T) {
	data := alpacatest.NewServer(t, alpacatest.Options{KeyID: checkKey, SecretKey: checkSecret})
	paper := alpacatest.NewTrading(t, alpacatest.TradingOptions{KeyID: checkKey, SecretKey: checkSecret, Paper: true})
	live := alpacatest.NewTrading(t, alpacatest.TradingOptions{KeyID: liveKey, SecretKey: checkSecret})
	dir := t.TempDir()
	envFile := filepath.Join(dir, ".env.paper")
	if err := os.WriteFile(envFile, []byte("x=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{EnvKeyID: checkKey, EnvSecretKey: checkSecret, EnvDataURL: data.URL}
	res, out := runCheck(t, env, func(cc *CheckConfig) { cc.PaperURL, cc.LiveURL, cc.EnvFile = paper.URL, live.URL, envFile })
	t.Log("\n" + out)
	status(t, res, out, "env file", StatusWarn, "chmod 600")
	status(t, res, out, "credential", StatusOK, "PK…9876")
	status(t, res, out, "values", StatusOK)
	status(t, res, out, "data URL", StatusOK)
	status(t, res, out, "network", StatusOK, "without a key")
	status(t, res, out, "clock", StatusOK, "not signatures")
	status(t, res, out, "data key", StatusOK)
	status(t, res, out, "SIP", StatusWarn, "16 minutes", "--feed iex")
	status(t, res, out, "rate limit", StatusOK, "200", "180")
	status(t, res, out, "trading key", StatusOK, "paper")
	if n := live.Requests() + paper.Requests(); n == 0 {
		t.Error("no trading host asked")
	}
}

func TestCheckFindings(t *testing.T) {
	data := alpacatest.NewServer(t, alpacatest.Options{KeyID: checkKey, SecretKey: checkSecret, RecentSIP: true, RateLimit: 10000,
		OAuthToken: "FAKETOKEN-77", Now: func() time.Time { return time.Now().Add(-time.Minute) }})
	paper := alpacatest.NewTrading(t, alpacatest.TradingOptions{KeyID: checkKey, SecretKey: checkSecret, Paper: true})
	live := alpacatest.NewTrading(t, alpacatest.TradingOptions{KeyID: liveKey, SecretKey: checkSecret})
	hosts := func(cc *CheckConfig) { cc.PaperURL, cc.LiveURL = paper.URL, live.URL }

	t.Run("paid plan, skewed clock, base URL mismatch", func(t *testing.T) {
		env := map[string]string{EnvKeyID: checkKey, EnvSecretKey: checkSecret, EnvDataURL: data.URL, EnvBaseURL: live.URL}
		res, out := runCheck(t, env, hosts)
		status(t, res, out, "clock", StatusWarn, "1m", "ahead of", "not signatures")
		status(t, res, out, "SIP", StatusOK)
		status(t, res, out, "rate limit", StatusOK, "10000", "9000")
		status(t, res, out, "trading key", StatusFail, "APCA_API_BASE_URL", "paper host", "accepts")
	})
	t.Run("base URL refuses, the other hosts silent", func(t *testing.T) {
		closed := httptest.NewServer(http.NotFoundHandler())
		closed.Close() // a host that never answers: it neither accepts nor refuses the key
		env := map[string]string{EnvKeyID: checkKey, EnvSecretKey: checkSecret, EnvDataURL: data.URL, EnvBaseURL: live.URL}
		res, out := runCheck(t, env, func(cc *CheckConfig) { cc.PaperURL, cc.LiveURL = closed.URL, live.URL })
		status(t, res, out, "trading key", StatusFail, "unknown", hostOf(closed.URL))
		if strings.Contains(out, "so do the paper and live hosts") {
			t.Errorf("blames the key for a host that did not answer:\n%s", out)
		}
	})
	t.Run("live key", func(t *testing.T) {
		live2 := alpacatest.NewServer(t, alpacatest.Options{KeyID: liveKey, SecretKey: checkSecret})
		env := map[string]string{EnvKeyID: liveKey, EnvSecretKey: checkSecret, EnvDataURL: live2.URL}
		res, out := runCheck(t, env, hosts)
		status(t, res, out, "trading key", StatusWarn, "live", "paper key", "OAuth")
	})
	t.Run("OAuth token scoped to data", func(t *testing.T) {
		env := map[string]string{EnvOAuth: "FAKETOKEN-77", EnvDataURL: data.URL}
		res, out := runCheck(t, env, hosts)
		status(t, res, out, "credential", StatusOK, "OAuth token")
		status(t, res, out, "data key", StatusOK)
		status(t, res, out, "trading key", StatusOK, "least privilege")
	})
	t.Run("token and keys", func(t *testing.T) {
		env := map[string]string{EnvOAuth: "FAKETOKEN-77", EnvKeyID: checkKey, EnvSecretKey: checkSecret, EnvDataURL: data.URL}
		res, out := runCheck(t, env, hosts)
		status(t, res, out, "credential", StatusFail, EnvOAuth, EnvKeyID)
		if _, ok := res["data key"]; ok {
			t.Error("data key checked with a conflicting credential")
		}
	})
	t.Run("quoted and spaced values", func(t *testing.T) {
		env := map[string]string{EnvKeyID: `"` + checkKey + `"`, EnvSecretKey: checkSecret + " ", EnvDataURL: data.URL}
		res, out := runCheck(t, env, hosts)
		status(t, res, out, "values", StatusFail, EnvKeyID+" is quoted")
	})
	t.Run("wrong secret", func(t *testing.T) {
		env := map[string]string{EnvKeyID: checkKey, EnvSecretKey: "FAKETOKEN-77", EnvDataURL: data.URL}
		res, out := runCheck(t, env, hosts)
		status(t, res, out, "network", StatusOK)
		status(t, res, out, "data key", StatusFail, "403", "regenerate")
	})
	t.Run("secret missing", func(t *testing.T) {
		res, out := runCheck(t, map[string]string{EnvKeyID: checkKey, EnvDataURL: data.URL}, hosts)
		status(t, res, out, "credential", StatusFail, EnvSecretKey)
	})
	t.Run("broker key", func(t *testing.T) {
		res, out := runCheck(t, map[string]string{EnvKeyID: "CKFAKE-NOT-A-KEY-1111", EnvSecretKey: checkSecret, EnvDataURL: data.URL}, hosts)
		status(t, res, out, "credential", StatusFail, "basic auth", "sandbox")
	})
	t.Run("data URL with a path", func(t *testing.T) {
		res, out := runCheck(t, map[string]string{EnvKeyID: checkKey, EnvSecretKey: checkSecret, EnvDataURL: data.URL + "/v2"}, hosts)
		status(t, res, out, "data URL", StatusFail, EnvDataURL)
	})
	t.Run("network down", func(t *testing.T) {
		res, out := runCheck(t, map[string]string{EnvKeyID: checkKey, EnvSecretKey: checkSecret, EnvDataURL: "https://data.barkeep-test.invalid"}, hosts)
		status(t, res, out, "network", StatusFail, "data.barkeep-test.invalid", "HTTPS_PROXY")
	})
}
