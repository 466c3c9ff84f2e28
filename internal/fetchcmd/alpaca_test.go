package fetchcmd

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data/alpaca"
	"github.com/barkeep-trading/barkeep/internal/alpacatest"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

func TestCheckCommand(t *testing.T) {
	data := newServer(t, nil)
	paper := alpacatest.NewTrading(t, alpacatest.TradingOptions{KeyID: testKey, SecretKey: testSecret, Paper: true})
	live := alpacatest.NewTrading(t, alpacatest.TradingOptions{})
	checkAlpaca = func(cc *alpaca.CheckConfig) { cc.PaperURL, cc.LiveURL = paper.URL, live.URL }
	t.Cleanup(func() { checkAlpaca = nil })

	dir := t.TempDir() // scanned for keys; the env file lives elsewhere
	envFile := filepath.Join(t.TempDir(), ".env.paper")
	writeFile(t, envFile, alpaca.EnvKeyID+"="+testKey+"\n"+alpaca.EnvSecretKey+"="+testSecret+"\n"+alpaca.EnvDataURL+"="+data.URL+"\n")
	if err := os.Chmod(envFile, 0o600); err != nil {
		t.Fatal(err)
	}
	res := runFetch(t, envOf(nil), "--check", "--env-file", envFile)
	t.Logf("stdout:\n%s", res.stdout)
	if res.code != cli.ExitOK {
		t.Fatalf("exit %d, want 0; stdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, name := range []string{"env file", "credential", "values", "data URL", "network", "clock", "data key", "SIP", "rate limit", "trading key"} {
		if !strings.Contains(res.stdout, " "+name+" ") {
			t.Errorf("no %q line", name)
		}
	}
	noSecrets(t, dir, map[string]string{"stdout": res.stdout, "stderr": res.stderr}, testKey, testSecret)

	// A live-only host accepting nothing and a wrong secret: a FAIL, exit 1.
	res = runFetch(t, envOf(map[string]string{alpaca.EnvKeyID: testKey, alpaca.EnvSecretKey: "FAKE-wrong-secret", alpaca.EnvDataURL: data.URL}), "--check")
	if res.code != cli.ExitFailure || !strings.Contains(res.stdout, "FAIL data key") {
		t.Errorf("wrong secret: exit %d, stdout:\n%s", res.code, res.stdout)
	}
	noSecrets(t, dir, map[string]string{"stdout": res.stdout, "stderr": res.stderr}, testKey, "FAKE-wrong-secret")
}

func TestFetchCredentialAndURL(t *testing.T) {
	srv := newServer(t, func(o *alpacatest.Options) { o.OAuthToken = "FAKETOKEN-5" })
	dir := t.TempDir()
	store := filepath.Join(dir, "lake")

	// Keys and a token both set: usage error naming both, nothing asked.
	env := map[string]string{alpaca.EnvKeyID: testKey, alpaca.EnvSecretKey: testSecret, alpaca.EnvOAuth: "FAKETOKEN-old", alpaca.EnvDataURL: srv.URL}
	res := runFetch(t, envOf(env), fetchArgs(store, []string{"AAPL"}, "2024-01-02", "2024-01-03")...)
	if res.code != cli.ExitUsage || !strings.Contains(res.stderr, alpaca.EnvOAuth) || !strings.Contains(res.stderr, alpaca.EnvKeyID) {
		t.Errorf("keys and token: exit %d, stderr %q", res.code, res.stderr)
	}

	// A data URL on plain http off loopback, or with a path: usage error naming the variable.
	for _, u := range []string{"http://data.alpaca.markets", srv.URL + "/v2"} {
		env := map[string]string{alpaca.EnvKeyID: testKey, alpaca.EnvSecretKey: testSecret, alpaca.EnvDataURL: u}
		res := runFetch(t, envOf(env), fetchArgs(store, []string{"AAPL"}, "2024-01-02", "2024-01-03")...)
		if res.code != cli.ExitUsage || !strings.Contains(res.stderr, alpaca.EnvDataURL) {
			t.Errorf("%s: exit %d, stderr %q", u, res.code, res.stderr)
		}
	}
	if n := srv.BarRequests(); n != 0 {
		t.Errorf("%d requests made before usage errors", n)
	}

	// The token alone: the fetch says which credential it sends, without showing it.
	res = runFetch(t, envOf(map[string]string{alpaca.EnvOAuth: "FAKETOKEN-5", alpaca.EnvDataURL: srv.URL}),
		fetchArgs(store, []string{"AAPL"}, "2024-01-02", "2024-01-03")...)
	if res.code != cli.ExitOK || !strings.Contains(res.stderr, "OAuth token") || strings.Contains(res.stderr+res.stdout, "FAKETOKEN-5") {
		t.Errorf("token: exit %d, stderr:\n%s", res.code, res.stderr)
	}
	res = runFetch(t, keyEnv(srv), fetchArgs(store, []string{"MSFT"}, "2024-01-02", "2024-01-03")...)
	if !strings.Contains(res.stderr, "credential=\"key "+alpaca.Mask(testKey)+"\"") {
		t.Errorf("keys: no credential line:\n%s", res.stderr)
	}
}

// TestFetchUnreachable: a closed port fails in seconds with one line naming the host.
func TestFetchUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	store := filepath.Join(t.TempDir(), "lake")
	env := map[string]string{alpaca.EnvKeyID: testKey, alpaca.EnvSecretKey: testSecret, alpaca.EnvDataURL: "http://" + addr}
	began := time.Now()
	res := runFetch(t, envOf(env), fetchArgs(store, []string{"AAPL"}, "2024-01-02", "2024-01-03")...)
	if took := time.Since(began); took > 15*time.Second {
		t.Errorf("took %s", took)
	}
	lines := errorLines(res.stderr)
	if res.code != cli.ExitFailure || len(lines) != 1 || !strings.Contains(lines[0], addr) || !strings.Contains(lines[0], "HTTPS_PROXY") {
		t.Errorf("exit %d, error lines %q", res.code, lines)
	}
}
