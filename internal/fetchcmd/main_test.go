package fetchcmd

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/alpaca"
	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/data/storetest"
	"github.com/barkeep-trading/barkeep/internal/alpacatest"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

var twoStocks = []string{"AAPL", "MSFT"}

// fetchArgs are the flags of a fetch of syms over [start, end] into store, with pacing off.
func fetchArgs(store string, syms []string, start, end string, extra ...string) []string {
	args := []string{"--symbols", strings.Join(syms, ","), "--tf", "1Min", "--start", start, "--end", end,
		"--store", store, "--rpm", "100000"}
	return append(args, extra...)
}

// checkStore fails unless the store at path holds exactly the synthetic bars of syms over r
// and records all of r as covered.
func checkStore(t *testing.T, path string, syms []string, r data.Range) {
	t.Helper()
	storetest.Equal(t, "store vs server", readStore(t, path, syms, data.OneMin), wantBars(t, syms, data.OneMin, r))
	for _, s := range syms {
		if cov := coverageOf(t, path, s, data.OneMin); !sameRanges(cov, data.Ranges{r}) {
			t.Errorf("coverage of %s = %s, want %s", s, cov, r)
		}
	}
}

func TestFetchMatchesServer(t *testing.T) {
	forEachStore(t, func(t *testing.T, store string) {
		// Every answer is a short page (half the limit asked for) with a token for the rest, so
		// each symbol-month takes several pages.
		srv := newServer(t, func(o *alpacatest.Options) {
			o.FaultRate, o.FaultKinds = 1, []alpacatest.Fault{alpacatest.ShortPage}
		})
		args := fetchArgs(store, twoStocks, "2024-01-01", "2024-02-29")
		res := runFetch(t, keyEnv(srv), args...)
		if res.code != cli.ExitOK {
			t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
		}
		checkStore(t, store, twoStocks, span(t, "2024-01-01", "2024-02-29"))

		pages := 0
		for _, rec := range srv.Log() {
			if got := rec.Query.Get("limit"); got != "10000" {
				t.Errorf("request %d asked for limit=%s, want 10000", rec.N, got)
			}
			if rec.Query.Get("page_token") != "" {
				pages++
			}
			// Chunks of the same range are asked for together: Alpaca's limit counts bars
			// across the symbols of a request.
			if syms := rec.Query.Get("symbols"); syms != "AAPL,MSFT" {
				t.Errorf("request %d asked for symbols=%q, want both symbols of the month", rec.N, syms)
			}
		}
		if pages == 0 {
			t.Fatal("no request followed a page token: the test did not exercise paging")
		}
		if !strings.Contains(res.stdout, "4 of 4 chunks") {
			t.Errorf("summary does not report 4 of 4 chunks:\n%s", res.stdout)
		}
		if want := fmt.Sprintf("%d requests, 0 retried", srv.BarRequests()); !strings.Contains(res.stdout, want) {
			t.Errorf("summary does not say %q:\n%s", want, res.stdout)
		}

		// A rerun of a completed fetch asks the server for nothing.
		before := srv.BarRequests()
		res = runFetch(t, keyEnv(srv), args...)
		if res.code != cli.ExitOK {
			t.Fatalf("rerun: exit %d; stderr:\n%s", res.code, res.stderr)
		}
		if n := srv.BarRequests() - before; n != 0 {
			t.Errorf("rerun made %d bar requests, want 0", n)
		}
		if !strings.Contains(res.stdout, "0 bars added in 0 of 0 chunks") {
			t.Errorf("rerun summary:\n%s", res.stdout)
		}
		checkStore(t, store, twoStocks, span(t, "2024-01-01", "2024-02-29"))
	})
}

// rateWindowNearEnd is a server clock 59 seconds behind ours. The fake server's 429 names the
// end of its current one-minute window in X-RateLimit-Reset, which the client waits for; with
// this clock that moment is at most a second away in real time, so a 429 costs a second
// rather than up to a minute.
func rateWindowNearEnd() time.Time { return time.Now().Add(-59 * time.Second) }

func TestFetchSurvivesFaults(t *testing.T) {
	// Since several symbols share a request, the seven scripted faults can all land on one page
	// before the seeded draws (30 %) go on: with the default budget of 9 attempts that page ran
	// out about once in ten runs. This test is about surviving each kind of fault, not about the
	// budget (TestFetchServerNeverRecovers is), so it gets 20 retries a page (0: the default
	// wait budget of two minutes).
	withRetryBudget(t, 20, 0)
	forEachStore(t, func(t *testing.T, store string) {
		srv := newServer(t, func(o *alpacatest.Options) {
			// One of each named fault first (a slow answer and a short page among them), then a
			// seeded draw over all kinds but Slow.
			o.Script = []alpacatest.Fault{alpacatest.TooManyRequests, alpacatest.InternalError,
				alpacatest.Unavailable, alpacatest.ConnReset, alpacatest.Truncated, alpacatest.Slow,
				alpacatest.ShortPage}
			o.SlowDelay = 300 * time.Millisecond
			o.FaultRate, o.Seed = 0.3, 7
			o.Now = rateWindowNearEnd
		})
		syms := []string{"AAPL", "MSFT", "SPY"}
		res := runFetch(t, keyEnv(srv), fetchArgs(store, syms, "2024-01-01", "2024-02-29", "--concurrency", "3")...)
		if res.code != cli.ExitOK {
			t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
		}
		checkStore(t, store, syms, span(t, "2024-01-01", "2024-02-29"))
		faults := srv.Faults()
		delete(faults, alpacatest.NoFault)
		if len(faults) < 6 {
			t.Fatalf("only faults %v were injected: pick another seed", faults)
		}
		t.Logf("survived %v in %d requests", faults, srv.BarRequests())
	})
}

func TestFetchServerNeverRecovers(t *testing.T) {
	const retries = 3
	withRetryBudget(t, retries, time.Second)
	forEachStore(t, func(t *testing.T, store string) {
		// Two good answers (January of both symbols, asked together: two pages), then 503 for
		// ever.
		srv := newServer(t, func(o *alpacatest.Options) {
			o.Script = []alpacatest.Fault{alpacatest.NoFault, alpacatest.NoFault}
			o.FaultRate, o.FaultKinds = 1, []alpacatest.Fault{alpacatest.Unavailable}
		})
		jan := span(t, "2024-01-01", "2024-01-31")
		res := runFetch(t, keyEnv(srv), fetchArgs(store, twoStocks, "2024-01-01", "2024-02-29", "--concurrency", "1")...)
		if res.code != cli.ExitFailure {
			t.Fatalf("exit %d, want %d; stderr:\n%s", res.code, cli.ExitFailure, res.stderr)
		}
		line := lastLine(res.stderr)
		t.Logf("error line: %s", line)
		for _, want := range []string{"fetch: ", "AAPL,MSFT", "2024-02", "HTTP 503", "gave up after"} {
			if !strings.Contains(line, want) {
				t.Errorf("error line %q does not mention %q", line, want)
			}
		}
		// The bounded budget: the two good requests plus 1+retries attempts of February.
		if n := srv.BarRequests(); n > 2+1+retries {
			t.Errorf("%d bar requests, want at most %d", n, 2+1+retries)
		}
		// January's finished chunks are kept, February has nothing.
		for _, sym := range twoStocks {
			storetest.Equal(t, sym+" kept", readStore(t, store, []string{sym}, data.OneMin), wantBars(t, []string{sym}, data.OneMin, jan))
			if cov := coverageOf(t, store, sym, data.OneMin); !sameRanges(cov, data.Ranges{jan}) {
				t.Errorf("%s coverage %s, want %s", sym, cov, jan)
			}
		}
	})
}

// lastLine is the last line of a log: the command's error line follows any log lines.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// errorLines are the lines of stderr that are not slog records: the command's own messages.
func errorLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if l != "" && !strings.HasPrefix(l, "time=") {
			out = append(out, l)
		}
	}
	return out
}

func TestFetchCryptoWithoutKey(t *testing.T) {
	forEachStore(t, func(t *testing.T, store string) {
		srv := newServer(t, nil)
		env := envOf(map[string]string{alpaca.EnvDataURL: srv.URL})
		syms := []string{"BTC/USD"}
		res := runFetch(t, env, fetchArgs(store, syms, "2024-01-01", "2024-02-29")...)
		if res.code != cli.ExitOK {
			t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
		}
		checkStore(t, store, syms, span(t, "2024-01-01", "2024-02-29"))
		if n := srv.Requests(alpacatest.CryptoBarsPath); n == 0 {
			t.Error("no request reached the crypto endpoint")
		}
		if n := srv.Requests(alpacatest.StockBarsPath); n != 0 {
			t.Errorf("%d requests reached the stock endpoint", n)
		}
	})
}

func TestFetchMissingKey(t *testing.T) {
	cases := []struct {
		name string
		vars map[string]string
	}{
		{"none", nil},
		{"secret only", map[string]string{alpaca.EnvSecretKey: testSecret}},
		{"key id only", map[string]string{alpaca.EnvKeyID: testKey}},
		{"blank", map[string]string{alpaca.EnvKeyID: "  ", alpaca.EnvSecretKey: " "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, store string) {
				srv := newServer(t, nil)
				vars := map[string]string{alpaca.EnvDataURL: srv.URL}
				for k, v := range tc.vars {
					vars[k] = v
				}
				// A crypto pair beside the stock must not make the key optional.
				res := runFetch(t, envOf(vars), fetchArgs(store, []string{"AAPL", "BTC/USD"}, "2024-01-01", "2024-01-31")...)
				if res.code != cli.ExitUsage {
					t.Fatalf("exit %d, want %d; stderr:\n%s", res.code, cli.ExitUsage, res.stderr)
				}
				line := oneLine(t, "stderr", res.stderr)
				t.Logf("error line: %s", line)
				for _, want := range []string{alpaca.EnvKeyID, alpaca.EnvSecretKey} {
					if !strings.Contains(line, want) {
						t.Errorf("%q does not name %s", line, want)
					}
				}
				if n := srv.BarRequests(); n != 0 {
					t.Errorf("%d bar requests, want none", n)
				}
				if _, err := os.Stat(store); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("store %s was created (stat: %v)", store, err)
				}
				noSecrets(t, filepath.Dir(store), map[string]string{"stdout": res.stdout, "stderr": res.stderr}, testKey, testSecret)
			})
		})
	}
}

// A key the server refuses exits 1, not 2: the command line was well formed, and only the
// server could tell the key was wrong (revoked, or a paper key used as a live one), as it
// could fail any other request. Exit 2 stays the promise that nothing was tried.
func TestFetchBadKey(t *testing.T) {
	forEachStore(t, func(t *testing.T, store string) {
		srv := newServer(t, nil)
		env := envOf(map[string]string{
			alpaca.EnvKeyID:     "FAKEKEY-wrong-3",
			alpaca.EnvSecretKey: "FAKESECRET-wrong-4",
			alpaca.EnvDataURL:   srv.URL,
		})
		res := runFetch(t, env, fetchArgs(store, twoStocks, "2024-01-01", "2024-01-31")...)
		if res.code != cli.ExitFailure {
			t.Fatalf("exit %d, want %d; stderr:\n%s", res.code, cli.ExitFailure, res.stderr)
		}
		lines := errorLines(res.stderr)
		if len(lines) != 1 {
			t.Fatalf("want one error line, got %q", lines)
		}
		t.Logf("error line: %s", lines[0])
		u, _ := url.Parse(srv.URL)
		for _, want := range []string{alpaca.EnvKeyID, alpaca.EnvSecretKey, "HTTP 403", "forbidden.", alpaca.EnvOAuth, u.Host + alpacatest.StockBarsPath} {
			if !strings.Contains(lines[0], want) {
				t.Errorf("%q does not mention %q", lines[0], want)
			}
		}
		noSecrets(t, filepath.Dir(store), map[string]string{"stdout": res.stdout, "stderr": res.stderr},
			"FAKEKEY-wrong-3", "FAKESECRET-wrong-4", testKey, testSecret)
	})
}

// recentSIPArgs fetch SIP bars up to the default end, 15 minutes ago by our clock.
func recentSIPArgs(store string) []string {
	start := time.Now().In(calendar.NewYork).AddDate(0, 0, -3).Format(time.DateOnly)
	return []string{"--symbols", "AAPL", "--start", start, "--store", store, "--feed", "sip", "--rpm", "100000"}
}

// serverBehind is a server clock an hour behind ours: the command's default end (15 minutes
// ago by our clock) is then "recent" to the server, as it is to Alpaca when the user's clock
// runs ahead.
func serverBehind() time.Time { return time.Now().Add(-time.Hour) }

// TestFetchRecentSIP: a plan that refuses recent SIP data, on a server whose clock is an hour
// behind ours, gets a fetch that ends 16 minutes before the server's clock, on sip still, with
// a one-line notice, where it used to fail with the 403.
func TestFetchRecentSIP(t *testing.T) {
	forEachStore(t, func(t *testing.T, store string) {
		srv := newServer(t, func(o *alpacatest.Options) { o.Now = serverBehind })
		res := runFetch(t, keyEnv(srv), recentSIPArgs(store)...)
		if res.code != cli.ExitOK {
			t.Fatalf("exit %d, want %d; stderr:\n%s", res.code, cli.ExitOK, res.stderr)
		}
		var notice string
		for _, l := range strings.Split(res.stderr, "\n") {
			if strings.Contains(l, "does not permit SIP data") {
				notice = l
			}
		}
		t.Logf("notice: %s", notice)
		if notice == "" || !strings.Contains(notice, "--feed iex") || !strings.Contains(notice, "16 minutes") {
			t.Errorf("no one-line notice offering --feed iex:\n%s", res.stderr)
		}
		if !strings.Contains(res.stdout, "feed: sip") {
			t.Errorf("summary does not say feed sip:\n%s", res.stdout)
		}
		horizon := serverBehind().Add(-16 * time.Minute)
		for _, r := range coverageOf(t, store, "AAPL", data.OneMin) {
			if r.End.After(horizon.Add(time.Minute)) {
				t.Errorf("coverage %v reaches past the server's clock minus 16 minutes (%v)", r, horizon)
			}
		}
	})
}

func TestEnvFile(t *testing.T) {
	cases := []struct {
		mode    fs.FileMode
		warning bool
	}{
		{0o644, true},
		{0o640, true},
		{0o600, false},
	}
	for _, tc := range cases {
		t.Run(tc.mode.String(), func(t *testing.T) {
			dir := t.TempDir()
			srv := newServer(t, nil)
			envFile := filepath.Join(dir, "alpaca.env")
			content := "# test keys\nexport " + alpaca.EnvKeyID + "=" + testKey + "\n" +
				alpaca.EnvSecretKey + "='" + testSecret + "'\n" + alpaca.EnvDataURL + "=" + srv.URL + "\n"
			if err := os.WriteFile(envFile, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(envFile, tc.mode); err != nil {
				t.Fatal(err)
			}
			store := filepath.Join(dir, "bars.duckdb")
			args := append(fetchArgs(store, []string{"AAPL"}, "2024-01-02", "2024-01-05"), "--env-file", envFile)
			res := runFetch(t, envOf(nil), args...)
			if res.code != cli.ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
			}
			if srv.BarRequests() == 0 {
				t.Fatal("no request reached the server named in the env file")
			}
			storetest.Equal(t, "store", readStore(t, store, []string{"AAPL"}, data.OneMin),
				wantBars(t, []string{"AAPL"}, data.OneMin, span(t, "2024-01-02", "2024-01-05")))
			warned := strings.Contains(res.stderr, "readable by other users") && strings.Contains(res.stderr, "chmod 600")
			if !tc.warning && strings.Contains(res.stderr, "level=WARN") {
				t.Errorf("mode %v: a warning was logged:\n%s", tc.mode, res.stderr)
			}
			if warned != tc.warning {
				t.Errorf("mode %v: warned=%v, want %v; stderr:\n%s", tc.mode, warned, tc.warning, res.stderr)
			}
			noSecrets(t, filepath.Join(dir, "bars.duckdb"), map[string]string{"stdout": res.stdout, "stderr": res.stderr}, testKey, testSecret)
		})
	}
}

// badInput is a command line that must be refused before anything is done.
type badInput struct {
	name string
	args []string // besides --store
	// setup prepares dir and returns the --store path.
	setup func(t *testing.T, dir string) string
	// symbolsFile, if set, is written to a file passed as --symbols-file.
	symbolsFile string
	want        string // in the error line
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// flagInputs are refused whatever the store.
var flagInputs = []badInput{
	{name: "unknown tf", args: []string{"--symbols", "AAPL", "--tf", "1Fortnight"}, want: "--tf"},
	{name: "tf list with a bad one", args: []string{"--symbols", "AAPL", "--tf", "1Min,7Day"}, want: "--tf"},
	{name: "bad start date", args: []string{"--symbols", "AAPL", "--start", "2024-13-01"}, want: "--start"},
	{name: "bad end date", args: []string{"--symbols", "AAPL", "--end", "yesterday"}, want: "--end"},
	{name: "start after end", args: []string{"--symbols", "AAPL", "--start", "2024-03-01", "--end", "2024-02-01"}, want: "not before --end"},
	{name: "start in the future", args: []string{"--symbols", "AAPL", "--start", "2199-01-01"}, want: "future"},
	{name: "end far in the future", args: []string{"--symbols", "AAPL", "--start", "2024-01-01", "--end", "2099-01-01"}, want: "future"},
	{name: "no symbols", args: []string{"--start", "2024-01-01"}, want: "no symbols"},
	{name: "empty symbols", args: []string{"--symbols", ""}, want: "no symbols"},
	{name: "blank symbols", args: []string{"--symbols", "  "}, want: "--symbols is empty"},
	{name: "empty entry", args: []string{"--symbols", "AAPL,,MSFT"}, want: "empty entry"},
	{name: "invalid symbol", args: []string{"--symbols", "AAPL,MS FT"}, want: "invalid symbol"},
	{name: "invalid pair", args: []string{"--symbols", "BTC/"}, want: "invalid symbol"},
	{name: "duplicate symbol", args: []string{"--symbols", "AAPL,msft,aapl"}, want: "listed twice"},
	{name: "symbols and symbols-file", args: []string{"--symbols", "AAPL"}, symbolsFile: "AAPL\n", want: "not both"},
	{name: "symbols-file without symbols", symbolsFile: "# none yet\n\n", want: "lists no symbol"},
	{name: "symbols-file with a duplicate", symbolsFile: "AAPL\nMSFT\naapl\n", want: "listed twice"},
	{name: "missing symbols-file", args: []string{"--symbols-file", "/nonexistent/symbols.txt"}, want: "--symbols-file"},
	{name: "unknown feed", args: []string{"--symbols", "AAPL", "--feed", "otc"}, want: "--feed"},
	{name: "unknown adjustment", args: []string{"--symbols", "AAPL", "--adjustment", "splits"}, want: "--adjustment"},
	{name: "unknown source", args: []string{"--symbols", "AAPL", "--source", "yahoo"}, want: "--source"},
	{name: "concurrency 0", args: []string{"--symbols", "AAPL", "--concurrency", "0"}, want: "--concurrency"},
	{name: "concurrency 17", args: []string{"--symbols", "AAPL", "--concurrency", "17"}, want: "--concurrency"},
	{name: "concurrency not a number", args: []string{"--symbols", "AAPL", "--concurrency", "two"}, want: "-concurrency"},
	{name: "rpm negative", args: []string{"--symbols", "AAPL", "--rpm", "-1"}, want: "--rpm"},
	{name: "unknown flag", args: []string{"--symbols", "AAPL", "--key", "x"}, want: "-key"},
	{name: "pasted key as argument", args: []string{"--symbols", "AAPL", testKey}, want: "unexpected argument"},
	{name: "pasted key and secret", args: []string{"--symbols", "AAPL", "--start", "2024-01-01", testKey, testSecret}, want: "unexpected argument"},
}

// storeInputs name a store that is no store, or cannot be one.
var storeInputs = []badInput{
	{name: "regular file without .duckdb", want: "is a file",
		setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "bars.db")
			writeFile(t, p, "some user file\n")
			return p
		}},
	{name: "duckdb path is a directory", want: "is a directory",
		setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "bars.duckdb")
			writeFile(t, filepath.Join(p, "keep.txt"), "mine\n")
			return p
		}},
	{name: "duckdb file that is no database", want: "not a DuckDB database",
		setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "notes.duckdb")
			writeFile(t, p, "date,close\n2024-01-02,185.64\n")
			return p
		}},
	{name: "empty duckdb file", want: "not a DuckDB database",
		setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "empty.duckdb")
			writeFile(t, p, "")
			return p
		}},
	{name: "lake directory with foreign files", want: "not empty",
		setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "photos")
			writeFile(t, filepath.Join(p, "cat.jpg"), "\xff\xd8\xff")
			writeFile(t, filepath.Join(p, "sub", "notes.txt"), "mine\n")
			return p
		}},
	{name: "lake below a regular file", want: "not a directory",
		setup: func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, "file"), "x")
			return filepath.Join(dir, "file", "lake")
		}},
	{name: "duckdb below a regular file", want: "not a directory",
		setup: func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, "file"), "x")
			return filepath.Join(dir, "file", "deeper", "bars.duckdb")
		}},
	{name: "duckdb in an unwritable directory", want: "not writable",
		setup: func(t *testing.T, dir string) string { return unwritableDir(t, dir, "bars.duckdb") }},
	{name: "lake in an unwritable directory", want: "not writable",
		setup: func(t *testing.T, dir string) string { return unwritableDir(t, dir, "lake") }},
}

// unwritableDir returns a path named name in a directory of mode 0500. Root writes there
// anyway, so the case is skipped when the test runs as root; the cases below a regular file
// cover an unusable location then.
func unwritableDir(t *testing.T, dir, name string) string {
	if os.Geteuid() == 0 {
		t.Skip("root may write to a directory of mode 0500")
	}
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(ro, 0o700) })
	return filepath.Join(ro, "sub", name)
}

// checkRefused runs a bad command line and checks that it exits 2 with one line and that
// nothing under dir changed and no request was made.
func checkRefused(t *testing.T, srv *alpacatest.Server, dir, store string, tc badInput) {
	t.Helper()
	before := snapshot(t, dir)
	args := append([]string{"--store", store}, tc.args...)
	res := runFetch(t, keyEnv(srv), args...)
	if res.code != cli.ExitUsage {
		t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", res.code, cli.ExitUsage, res.stdout, res.stderr)
	}
	line := oneLine(t, "stderr", res.stderr)
	t.Logf("error line: %s", line)
	if !strings.HasPrefix(line, "fetch: ") || !strings.Contains(line, tc.want) {
		t.Errorf("error line %q: want \"fetch: ...%s...\"", line, tc.want)
	}
	if res.stdout != "" {
		t.Errorf("stdout: %q, want nothing", res.stdout)
	}
	sameSnapshot(t, before, snapshot(t, dir))
	if n := srv.BarRequests(); n != 0 {
		t.Errorf("%d bar requests, want none", n)
	}
	noSecrets(t, dir, map[string]string{"stdout": res.stdout, "stderr": res.stderr}, testKey, testSecret)
}

func TestBadInput(t *testing.T) {
	srv := newServer(t, nil)
	for _, tc := range flagInputs {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, store string) {
				dir := filepath.Dir(store)
				if tc.symbolsFile != "" {
					f := filepath.Join(dir, "symbols.txt")
					writeFile(t, f, tc.symbolsFile)
					tc.args = append(slices.Clip(tc.args), "--symbols-file", f)
				}
				checkRefused(t, srv, dir, store, tc)
			})
		})
	}
	for _, tc := range storeInputs {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			store := tc.setup(t, dir)
			checkRefused(t, srv, dir, store, badInput{args: []string{"--symbols", "AAPL", "--start", "2024-01-01", "--end", "2024-01-31"}, want: tc.want})
		})
	}
}

// TestKeysNeverLeak runs the recognisable test key through every way the command can fail
// (and one where it succeeds after faults) and looks for it in everything it printed, logged
// or wrote.
func TestKeysNeverLeak(t *testing.T) {
	// Anything logged through the default logger (by a library, say) is caught too.
	var deflog lockedBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&deflog, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(old) })

	keysOnly := func(srv *alpacatest.Server) map[string]string {
		return map[string]string{alpaca.EnvKeyID: testKey, alpaca.EnvSecretKey: testSecret, alpaca.EnvDataURL: srv.URL}
	}
	cases := []struct {
		name     string
		server   func(*alpacatest.Options)
		env      func(srv *alpacatest.Server) map[string]string
		envFile  string // written outside the store's directory and passed as --env-file
		args     func(store string) []string
		wantCode int
		// shortRetries shrinks the retry budget, for a server that never recovers.
		shortRetries bool
		// quickRetries keeps the default budget with the tests' short backoff (testBackoff).
		quickRetries bool
	}{
		{name: "key id without secret", wantCode: cli.ExitUsage,
			env: func(srv *alpacatest.Server) map[string]string {
				return map[string]string{alpaca.EnvKeyID: testKey, alpaca.EnvDataURL: srv.URL}
			}},
		{name: "secret without key id", wantCode: cli.ExitUsage,
			env: func(srv *alpacatest.Server) map[string]string {
				return map[string]string{alpaca.EnvSecretKey: testSecret, alpaca.EnvDataURL: srv.URL}
			}},
		{name: "server refuses the key", wantCode: cli.ExitFailure,
			server: func(o *alpacatest.Options) { o.KeyID, o.SecretKey = "FAKEKEY-other-5", "FAKESECRET-other-6" }},
		{name: "recent SIP refused, end moved back", wantCode: cli.ExitOK,
			server: func(o *alpacatest.Options) { o.Now = serverBehind },
			args:   recentSIPArgs},
		{name: "keys and an OAuth token", wantCode: cli.ExitUsage,
			env: func(srv *alpacatest.Server) map[string]string {
				return map[string]string{alpaca.EnvKeyID: testKey, alpaca.EnvSecretKey: testSecret, alpaca.EnvOAuth: testSecret + "-token", alpaca.EnvDataURL: srv.URL}
			}},
		{name: "server never recovers", wantCode: cli.ExitFailure, shortRetries: true,
			server: func(o *alpacatest.Options) {
				o.FaultRate, o.FaultKinds = 1, []alpacatest.Fault{alpacatest.InternalError}
			}},
		{name: "faults then success", wantCode: cli.ExitOK, quickRetries: true,
			server: func(o *alpacatest.Options) {
				o.Script = []alpacatest.Fault{alpacatest.TooManyRequests, alpacatest.BadGateway, alpacatest.ConnReset,
					alpacatest.Truncated, alpacatest.Malformed}
				o.Now = rateWindowNearEnd
			}},
		{name: "key and secret pasted as arguments", wantCode: cli.ExitUsage,
			args: func(store string) []string {
				return append(fetchArgs(store, []string{"AAPL"}, "2024-01-02", "2024-01-05"), testKey, testSecret)
			}},
		{name: "bad flag value", wantCode: cli.ExitUsage,
			args: func(store string) []string {
				return fetchArgs(store, []string{"AAPL"}, "2024-01-02", "2024-01-05", "--tf", "1Fortnight")
			}},
		{name: "env file with a syntax error", wantCode: cli.ExitUsage,
			env:     func(srv *alpacatest.Server) map[string]string { return map[string]string{alpaca.EnvDataURL: srv.URL} },
			envFile: alpaca.EnvKeyID + "=" + testKey + "\n" + alpaca.EnvSecretKey + "=\"" + testSecret + "\n"},
		{name: "env file readable by others", wantCode: cli.ExitFailure,
			server:  func(o *alpacatest.Options) { o.KeyID = "FAKEKEY-other-5" },
			env:     func(srv *alpacatest.Server) map[string]string { return map[string]string{alpaca.EnvDataURL: srv.URL} },
			envFile: alpaca.EnvKeyID + "=" + testKey + "\n" + alpaca.EnvSecretKey + "=" + testSecret + "\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			switch {
			case tc.shortRetries:
				withRetryBudget(t, 2, 500*time.Millisecond)
			case tc.quickRetries:
				withRetryBudget(t, 0, 0) // the default budget, the test's backoff
			}
			forEachStore(t, func(t *testing.T, store string) {
				srv := newServer(t, tc.server)
				env := keysOnly
				if tc.env != nil {
					env = tc.env
				}
				args := fetchArgs(store, twoStocks, "2024-01-02", "2024-01-31")
				if tc.args != nil {
					args = tc.args(store)
				}
				if tc.envFile != "" {
					f := filepath.Join(t.TempDir(), "alpaca.env")
					writeFile(t, f, tc.envFile) // mode 0644: the warning path runs too
					args = append(args, "--env-file", f)
				}
				res := runFetch(t, envOf(env(srv)), args...)
				if res.code != tc.wantCode {
					t.Fatalf("exit %d, want %d; stderr:\n%s", res.code, tc.wantCode, res.stderr)
				}
				noSecrets(t, filepath.Dir(store), map[string]string{
					"stdout": res.stdout, "stderr": res.stderr, "default log": deflog.String(),
				}, testKey, testSecret)
			})
		})
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		t.Run(arg, func(t *testing.T) {
			dir := t.TempDir()
			before := snapshot(t, dir)
			res := runFetch(t, envOf(nil), arg, "--store", filepath.Join(dir, "bars.duckdb"))
			if res.code != cli.ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
			}
			for _, want := range []string{"Usage:", alpaca.EnvKeyID, alpaca.EnvSecretKey, "-symbols", "-env-file"} {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("help does not mention %q", want)
				}
			}
			if res.stderr != "" {
				t.Errorf("stderr: %q, want nothing", res.stderr)
			}
			sameSnapshot(t, before, snapshot(t, dir))
		})
	}
}
