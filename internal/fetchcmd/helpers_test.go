package fetchcmd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/alpaca"
	"github.com/barkeep-trading/barkeep/data/storetest"
	"github.com/barkeep-trading/barkeep/data/synth"
	"github.com/barkeep-trading/barkeep/internal/alpacatest"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// Fake credentials that look like something a user would paste, so a leak is recognisable.
// They must not match the pre-commit pattern \b(PK|AK|CK)[A-Z0-9]{16,20}\b.
const (
	testKey    = "FAKEKEY-do-not-use-1"
	testSecret = "FAKESECRET-do-not-use-2"
)

// storeKind is one of the two stores, selected by the --store path as cli.OpenStore does.
type storeKind struct {
	name string
	path func(dir string) string
}

var storeKinds = []storeKind{
	{"duckdb", func(dir string) string { return filepath.Join(dir, "bars.duckdb") }},
	{"parquet", func(dir string) string { return filepath.Join(dir, "lake") }},
}

// forEachStore runs fn once per store kind, each with a fresh temporary directory.
func forEachStore(t *testing.T, fn func(t *testing.T, store string)) {
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) { fn(t, k.path(t.TempDir())) })
	}
}

// newServer starts a fake Alpaca server serving the synthetic source with the test keys and a
// rate limit high enough never to throttle; edit adjusts the options.
func newServer(t testing.TB, edit func(*alpacatest.Options)) *alpacatest.Server {
	t.Helper()
	o := alpacatest.Options{
		Source:    synth.New(),
		KeyID:     testKey,
		SecretKey: testSecret,
		RateLimit: 1_000_000,
	}
	if edit != nil {
		edit(&o)
	}
	return alpacatest.NewServer(t, o)
}

// envOf returns a getenv over vars only: the test process's own environment never leaks in.
func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// keyEnv is the environment of a user with the test keys, pointed at srv.
func keyEnv(srv *alpacatest.Server) func(string) string {
	return envOf(map[string]string{
		alpaca.EnvKeyID:     testKey,
		alpaca.EnvSecretKey: testSecret,
		alpaca.EnvDataURL:   srv.URL,
	})
}

// lockedBuffer is written by the command's logger from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type result struct {
	code           int
	stdout, stderr string
}

// runFetch runs the command in process, as main would, and returns what it printed.
func runFetch(t testing.TB, getenv func(string) string, args ...string) result {
	t.Helper()
	var stdout, stderr lockedBuffer
	code := Run(context.Background(), args, &stdout, &stderr, getenv)
	return result{code, stdout.String(), stderr.String()}
}

// testBackoff is the first retry's backoff ceiling in the tests that inject faults. The
// client's 500ms, doubling to 30s, suits Alpaca, but a test's scripted run of seven faults on
// one page would sleep half a minute for it, at random. data/alpaca's TestRetriesExhausted
// checks the default ceilings and TestRetryBackoffScales this setting.
const testBackoff = 20 * time.Millisecond

// withRetryBudget sets the Alpaca retry budget for the rest of the test (zero: the client's
// default) and shortens the backoff to testBackoff.
func withRetryBudget(t *testing.T, retries int, wait time.Duration) {
	t.Helper()
	tuneAlpaca = func(c *alpaca.Config) {
		c.MaxRetries = retries
		c.MaxRetryWait = wait
		c.RetryBackoff = testBackoff
	}
	t.Cleanup(func() { tuneAlpaca = nil })
}

// span is the half-open range that --start start --end end selects.
func span(t testing.TB, start, end string) data.Range {
	t.Helper()
	s, err := data.ParseStart(start)
	if err != nil {
		t.Fatal(err)
	}
	e, err := data.ParseEnd(end)
	if err != nil {
		t.Fatal(err)
	}
	return data.Range{Start: s, End: e}
}

// wantBars is what a store must hold after fetching syms over r from a server that serves the
// synthetic source: the source's own bars, in the stores' read order.
func wantBars(t testing.TB, syms []string, tf data.Timeframe, r data.Range) []data.Bar {
	t.Helper()
	var out []data.Bar
	req := data.Request{Symbols: syms, Timeframe: tf, Start: r.Start, End: r.End}
	for page, err := range synth.New().Bars(context.Background(), req) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
	}
	if len(out) == 0 {
		t.Fatalf("synthetic source has no bars for %v %s %s: the test would prove nothing", syms, tf, r)
	}
	return storetest.Sorted(out)
}

// openExisting opens an existing store, failing the test if it cannot.
func openExisting(t testing.TB, path string) data.Store {
	t.Helper()
	st, err := cli.OpenStore(context.Background(), path, false)
	if err != nil {
		t.Fatalf("open store %s: %v", path, err)
	}
	return st
}

// readStore returns every bar of syms at tf in the store at path.
func readStore(t testing.TB, path string, syms []string, tf data.Timeframe) []data.Bar {
	t.Helper()
	st := openExisting(t, path)
	defer st.Close()
	return storetest.ReadAll(t, st, data.Query{Symbols: syms, Timeframe: tf})
}

// coverageOf returns the coverage of sym at tf in the store at path.
func coverageOf(t testing.TB, path, sym string, tf data.Timeframe) data.Ranges {
	t.Helper()
	st := openExisting(t, path)
	defer st.Close()
	rs, err := st.Coverage(context.Background(), data.Series{Symbol: sym, Timeframe: tf})
	if err != nil {
		t.Fatalf("coverage of %s %s: %v", sym, tf, err)
	}
	return rs
}

func sameRanges(a, b data.Ranges) bool {
	return slices.EqualFunc(a, b, func(x, y data.Range) bool { return x.Start.Equal(y.Start) && x.End.Equal(y.End) })
}

// oneLine fails unless s is exactly one non-empty line, and returns it.
func oneLine(t testing.TB, what, s string) string {
	t.Helper()
	line := strings.TrimSuffix(s, "\n")
	if line == "" || strings.Contains(line, "\n") {
		t.Fatalf("%s: want exactly one line, got %q", what, s)
	}
	return line
}

// fileState is what a snapshot records of one path.
type fileState struct {
	mode fs.FileMode
	sum  [32]byte
}

// snapshot records every path under dir with its mode and contents, to prove a command left
// them alone.
func snapshot(t testing.TB, dir string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st := fileState{mode: fi.Mode()}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			st.sum = sha256.Sum256(b)
		}
		out[p] = st
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t testing.TB, before, after map[string]fileState) {
	t.Helper()
	for p, b := range before {
		a, ok := after[p]
		switch {
		case !ok:
			t.Errorf("%s was removed", p)
		case a.mode != b.mode:
			t.Errorf("%s: mode changed from %v to %v", p, b.mode, a.mode)
		case a.sum != b.sum:
			t.Errorf("%s: contents changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s was created", p)
		}
	}
}

// noSecrets fails if any of secrets appears in texts or in the bytes of any file under dir.
func noSecrets(t testing.TB, dir string, texts map[string]string, secrets ...string) {
	t.Helper()
	for name, s := range texts {
		for _, k := range secrets {
			if strings.Contains(s, k) {
				t.Errorf("%s holds a key: %q", name, s)
			}
		}
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, k := range secrets {
			if bytes.Contains(b, []byte(k)) {
				t.Errorf("file %s holds a key", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
