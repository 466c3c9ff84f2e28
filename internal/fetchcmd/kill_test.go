package fetchcmd

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/alpaca"
	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/data/storetest"
	"github.com/barkeep-trading/barkeep/internal/alpacatest"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// mainEnv makes the test binary run the command's main instead of the tests: the tests that
// must signal a real process start this binary that way rather than building the command,
// which would compile every dependency a second time without -race on a cold cache.
const mainEnv = "BARKEEP_FETCH_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		Main()
	}
	os.Exit(m.Run())
}

// fetchCommand is the command for the tests that must signal a real process: this test
// binary running main (see TestMain), with env as its whole environment.
func fetchCommand(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(env, mainEnv+"=1")
	return cmd
}

// procEnv is the whole environment of a child process: the test keys and server, and a home
// of its own.
func procEnv(t *testing.T, srv *alpacatest.Server) []string {
	return []string{
		alpaca.EnvKeyID + "=" + testKey,
		alpaca.EnvSecretKey + "=" + testSecret,
		alpaca.EnvDataURL + "=" + srv.URL,
		"HOME=" + t.TempDir(),
		"PATH=" + os.Getenv("PATH"),
		// make test sets atexit_sleep_ms=0: a -race child that exits would otherwise sleep
		// a second first.
		"GORACE=" + os.Getenv("GORACE"),
	}
}

// watched is a started command whose stderr is read line by line.
type watched struct {
	cmd     *exec.Cmd
	pw      *io.PipeWriter
	seen    chan struct{} // closed at the first line containing the marker
	scanned chan struct{} // closed when stderr is read to its end
	stderr  bytes.Buffer
}

// startWatched starts cmd, watching its stderr for a line containing marker. Wait for the
// command with w.wait, never cmd.Wait.
func startWatched(t *testing.T, cmd *exec.Cmd, marker string) *watched {
	t.Helper()
	pr, pw := io.Pipe()
	w := &watched{cmd: cmd, pw: pw, seen: make(chan struct{}), scanned: make(chan struct{})}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(w.scanned)
		sc := bufio.NewScanner(pr)
		once := sync.Once{}
		for sc.Scan() {
			w.stderr.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), marker) {
				once.Do(func() { close(w.seen) })
			}
		}
		io.Copy(io.Discard, pr) // a line too long for the scanner must not block the child
	}()
	return w
}

// await waits up to a minute for the marker; it kills the command and fails the test if the
// marker never comes.
func (w *watched) await(t *testing.T, what string) {
	t.Helper()
	select {
	case <-w.seen:
	case <-time.After(time.Minute):
		w.cmd.Process.Kill()
		_, _ = w.wait()
		t.Fatalf("no %s within a minute\n%s", what, w.stderr.String())
	}
}

// wait waits for the command and returns all it wrote to stderr and its error.
func (w *watched) wait() (string, error) {
	err := w.cmd.Wait()
	w.pw.Close()
	<-w.scanned
	return w.stderr.String(), err
}

// startedWork is the line the command logs once its store is open, right before its first
// request for bars (horizon in alpaca.go): the kills of TestKillResume are timed from it. Timed
// from the process's start instead (20-420 ms), every kill landed before the first chunk was
// stored, which under -race came about 0.8 s after this line.
const startedWork = "msg=alpaca "

// slowServer answers every request after delay, so a run lasts long enough to be killed.
func slowServer(t *testing.T, delay time.Duration) *alpacatest.Server {
	return newServer(t, func(o *alpacatest.Options) {
		o.FaultRate, o.FaultKinds, o.SlowDelay = 1, []alpacatest.Fault{alpacatest.Slow}, delay
	})
}

// checkPartial fails unless what the store at path holds, after any interruption, is a clean
// part of want: every bar is one of want's, none is there twice, and every covered range
// holds all of want's bars in it. A store not created yet is a clean part too.
func checkPartial(t *testing.T, path string, syms []string, want []data.Bar) (bars int, covered time.Duration) {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return 0, 0
	}
	type key struct {
		sym string
		t   int64
	}
	byKey := make(map[key]data.Bar, len(want))
	for _, b := range want {
		byKey[key{b.Symbol, b.Time.UnixMicro()}] = b
	}
	got := readStore(t, path, syms, data.OneMin)
	seen := make(map[key]bool, len(got))
	for _, b := range got {
		k := key{b.Symbol, b.Time.UnixMicro()}
		w, ok := byKey[k]
		switch {
		case !ok:
			t.Fatalf("store holds a bar the server never served: %+v", b)
		case seen[k]:
			t.Fatalf("store holds %s %s twice", b.Symbol, b.Time)
		}
		seen[k] = true
		storetest.Equal(t, "stored bar", []data.Bar{b}, []data.Bar{w})
	}
	for _, sym := range syms {
		for _, r := range coverageOf(t, path, sym, data.OneMin) {
			covered += r.End.Sub(r.Start)
			for _, w := range want {
				if w.Symbol == sym && r.Contains(w.Time) && !seen[key{sym, w.Time.UnixMicro()}] {
					t.Fatalf("%s covered %s but misses the bar at %s", sym, r, w.Time)
				}
			}
		}
	}
	return len(got), covered
}

// kills is how many SIGKILLs TestKillResume lands per store: 4 (8 over both stores), so that
// make test stays short, or BARKEEP_KILLS for a longer hunt (each kill costs a run and a check
// of the whole store, seconds under -race).
func kills(t *testing.T) int {
	n := 4
	if s := os.Getenv("BARKEEP_KILLS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("BARKEEP_KILLS=%q: want a positive number", s)
		}
		n = v
	}
	return n
}

// TestKillResume kills the command with SIGKILL at moments spread over its work, reruns it
// each time, and checks that the store is readable and clean after every kill, exact at the
// end, and that some kills landed after bars were stored. The moments are timed from the
// line the command logs as it starts fetching (startedWork) and spread over how long a whole
// run took from there on this machine: kill i of n at a random moment of the i-th n-th of its
// first 80 % (a run varies by a fifth), the last at a random moment of the first fifth after the
// run reports a chunk stored.
func TestKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the binary")
	}
	target := kills(t)
	// Two months of two symbols at 60ms a request: four chunks over a second or two of work,
	// the first stored about halfway. More kills spread over the same run.
	const months = 2
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, calendar.NewYork)
	endDay := start.AddDate(0, months, -1).Format(time.DateOnly)
	startDay := start.Format(time.DateOnly)
	syms := twoStocks
	r := span(t, startDay, endDay)
	want := wantBars(t, syms, data.OneMin, r)

	for i, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) {
			srv := slowServer(t, 60*time.Millisecond)
			rng := rand.New(rand.NewPCG(uint64(target), uint64(i)))
			store := k.path(t.TempDir())
			args := fetchArgs(store, syms, startDay, endDay, "--concurrency", "2")

			// How long the work of a whole run takes, to spread the kills over it.
			w := startWatched(t, fetchCommand(procEnv(t, srv), args...), startedWork)
			w.await(t, "start of work")
			began := time.Now()
			if out, err := w.wait(); err != nil {
				t.Fatalf("timing run: %v\n%s", err, out)
			}
			full := time.Since(began)
			checkStore(t, store, syms, r)
			if err := os.RemoveAll(store); err != nil {
				t.Fatal(err)
			}
			t.Logf("a whole run works for %s after its start", full.Round(time.Millisecond))

			landed, runs, withBars := 0, 0, 0
			for landed < target {
				runs++
				if runs > 4*target {
					t.Fatalf("only %d of %d kills landed in %d runs", landed, target, runs)
				}
				// The last kill is timed from the first chunk the run reports stored, so that
				// one kill at least must find bars in the store.
				marker, from := startedWork, landed
				if landed == target-1 {
					marker, from = "chunk stored", 0
				}
				w := startWatched(t, fetchCommand(procEnv(t, srv), args...), marker)
				w.await(t, marker)
				began := time.Now()
				at := time.Duration((float64(from) + rng.Float64()) / float64(target) * 0.8 * float64(full))
				time.Sleep(at)
				_ = w.cmd.Process.Signal(syscall.SIGKILL)
				out, err := w.wait()
				var ee *exec.ExitError
				switch {
				case errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled():
					landed++
				case err == nil:
					// Finished before the kill: start over with an empty store, so that the
					// remaining kills still land on a run with work to do, and spread them
					// over this shorter run (the first run of a binary is often the slowest).
					full = min(full, time.Since(began))
					checkStore(t, store, syms, r)
					t.Logf("run %d finished before its kill: exact; starting over", runs)
					if err := os.RemoveAll(store); err != nil {
						t.Fatal(err)
					}
					continue
				default:
					t.Fatalf("run %d: %v\n%s", runs, err, out)
				}
				bars, covered := checkPartial(t, store, syms, want)
				if covered > 0 {
					withBars++
				}
				t.Logf("kill %d at %s: %d bars, %s covered", landed, at.Round(time.Millisecond), bars, covered)
			}
			// The last kill came after a chunk was reported stored: that chunk must have
			// survived it.
			if withBars == 0 {
				t.Fatalf("no kill left any bars, although the last came after a chunk was stored")
			}
			// The last rerun finishes the job.
			res := runFetch(t, keyEnv(srv), args...)
			if res.code != cli.ExitOK {
				t.Fatalf("final run: exit %d\n%s", res.code, res.stderr)
			}
			checkStore(t, store, syms, r)
		})
	}
}

// TestInterrupt sends SIGINT once a chunk is stored: the command stops with exit 130,
// keeps what it finished, and a rerun completes the store.
func TestInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and signals the binary")
	}
	startDay, endDay := "2023-01-01", "2023-02-28"
	r := span(t, startDay, endDay)
	want := wantBars(t, twoStocks, data.OneMin, r)
	forEachStore(t, func(t *testing.T, store string) {
		// The first requests are slow, so the signal lands mid-run; the rerun's are not.
		srv := newServer(t, func(o *alpacatest.Options) {
			o.Script = slices.Repeat([]alpacatest.Fault{alpacatest.Slow}, 8)
			o.SlowDelay = 300 * time.Millisecond
		})
		args := fetchArgs(store, twoStocks, startDay, endDay, "--concurrency", "2")
		w := startWatched(t, fetchCommand(procEnv(t, srv), args...), "chunk stored")
		w.await(t, "chunk stored")
		sent := time.Now()
		if err := w.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		stderr, err := w.wait()
		took := time.Since(sent)
		code := w.cmd.ProcessState.ExitCode()
		if code != cli.ExitInterrupted {
			t.Fatalf("exit %d (%v), want %d\n%s", code, err, cli.ExitInterrupted, stderr)
		}
		t.Logf("stopped %s after SIGINT", took.Round(time.Millisecond))
		if !strings.Contains(lastLine(stderr), "interrupted") {
			t.Errorf("last line %q does not say it was interrupted", lastLine(stderr))
		}
		bars, covered := checkPartial(t, store, twoStocks, want)
		if bars == 0 || covered == 0 {
			t.Fatalf("after SIGINT the store holds %d bars covering %s: the finished chunk was lost", bars, covered)
		}
		if covered >= 2*r.End.Sub(r.Start) {
			t.Fatalf("everything was fetched before the interrupt: the test proved nothing")
		}
		before := srv.BarRequests()
		res := runFetch(t, keyEnv(srv), args...)
		if res.code != cli.ExitOK {
			t.Fatalf("rerun: exit %d\n%s", res.code, res.stderr)
		}
		checkStore(t, store, twoStocks, r)
		t.Logf("interrupted run kept %d bars; rerun made %d requests", bars, srv.BarRequests()-before)
	})
}

// TestUnwritableStoreAsOtherUser covers the unwritable-directory cases of TestBadInput when
// the tests run as root, who may write anywhere: it runs the binary as nobody.
func TestUnwritableStoreAsOtherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("TestBadInput covers an unwritable directory directly when not root")
	}
	if testing.Short() {
		t.Skip("starts the binary as another user")
	}
	// The binary lives in a root-only temporary directory: copy it where nobody may run it.
	forEachStore(t, func(t *testing.T, store string) {
		dir := filepath.Dir(store)
		// t.TempDir and its parent are root's alone (0700): let nobody in.
		for _, d := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		// The binary goes beside dir, not in it: the snapshots of dir would hash it.
		bin := t.TempDir()
		if err := os.Chmod(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		nbin := filepath.Join(bin, "fetch")
		linkOrCopy(t, os.Args[0], nbin)
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o755); err != nil { // searchable, not writable, by nobody
			t.Fatal(err)
		}
		target := filepath.Join(ro, "sub", filepath.Base(store))
		srv := newServer(t, nil)
		before := snapshot(t, dir)
		cmd := exec.Command(nbin, fetchArgs(target, []string{"AAPL"}, "2024-01-02", "2024-01-05")...)
		env := procEnv(t, srv)
		for i, kv := range env {
			if strings.HasPrefix(kv, "HOME=") {
				env[i] = "HOME=" + dir // nobody cannot enter root's temporary directories
			}
		}
		cmd.Env = append(env, mainEnv+"=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := cmd.ProcessState.ExitCode()
		if code != cli.ExitUsage {
			t.Fatalf("exit %d (%v), want %d\n%s", code, err, cli.ExitUsage, stderr.String())
		}
		line := oneLine(t, "stderr", stderr.String())
		t.Logf("error line: %s", line)
		if !strings.Contains(line, "not writable") {
			t.Errorf("%q does not say the directory is not writable", line)
		}
		sameSnapshot(t, before, snapshot(t, dir))
		if n := srv.BarRequests(); n != 0 {
			t.Errorf("%d bar requests, want none", n)
		}
	})
}

// linkOrCopy makes the binary at src runnable by anyone at dst: a hard link where both are on
// one filesystem (a -race binary linking DuckDB is 150 MB, copied twice otherwise), a copy
// where they are not.
func linkOrCopy(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.Link(src, dst); err == nil {
		if err := os.Chmod(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, raw, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestKillDuringCreate kills the command while it creates the store and checks that the next
// run always completes: a store half made by a killed run must not be refused ever after, nor
// leave litter. The kills are timed from the moment the first file of the store appears in its
// directory (a -race binary takes a varying fraction of a second to get there, so a fixed
// offset from the start mostly killed it before it began) and sweep the next 64ms in 4ms
// steps, 16 runs per store, each a start, a kill and a whole rerun.
func TestKillDuringCreate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the binary")
	}
	syms := []string{"AAPL"}
	const startDay, endDay = "2024-01-02", "2024-01-04"
	r := span(t, startDay, endDay)
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) {
			srv := newServer(t, nil)
			const runs = 16
			found := 0
			for run := 0; run < runs; run++ {
				dir := t.TempDir()
				store := k.path(dir)
				args := fetchArgs(store, syms, startDay, endDay)
				cmd := fetchCommand(procEnv(t, srv), args...)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				exited := make(chan struct{})
				go func() { _ = cmd.Wait(); close(exited) }()
				if !awaitEntry(t, dir, exited) {
					t.Fatalf("run %d: the command exited before creating anything in %s", run, dir)
				}
				time.Sleep(time.Duration(4*run) * time.Millisecond)
				_ = cmd.Process.Signal(syscall.SIGKILL)
				<-exited
				if _, err := os.Stat(store); err == nil {
					found++
				}
				res := runFetch(t, keyEnv(srv), args...)
				if res.code != cli.ExitOK {
					t.Fatalf("run %d: rerun after an early kill: exit %d\n%s", run, res.code, res.stderr)
				}
				checkStore(t, store, syms, r)
				left, err := filepath.Glob(filepath.Join(filepath.Dir(store), "*.creating*"))
				if err != nil || len(left) > 0 {
					t.Fatalf("run %d: left behind %v (%v)", run, left, err)
				}
			}
			t.Logf("a store existed after %d of %d kills during its creation", found, runs)
		})
	}
}

// awaitEntry polls dir every half millisecond until something appears in it (true) or the
// command exits (false).
func awaitEntry(t *testing.T, dir string, exited <-chan struct{}) bool {
	t.Helper()
	for {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) > 0 {
			return true
		}
		select {
		case <-exited:
			return false
		case <-time.After(500 * time.Microsecond):
		}
	}
}
