package sweep

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/strategies"
)

// sweeptest-fail is sma that fails on its first bar when fast is 3, to stop a sweep midway.
func init() {
	sma, _ := strategies.Lookup("sma")
	strategies.Register("sweeptest-fail", strategies.Spec{
		Description: "sma, failing when fast is 3",
		Params:      sma.Params,
		New: func(p strategies.Params) (engine.Strategy, error) {
			if p.Int("fast") == 3 {
				return failing{}, nil
			}
			return sma.New(p)
		},
	})
}

type failing struct{}

func (failing) OnBar(*engine.Env, data.Bar) error { return errors.New("boom") }

// equity scores a run by its final equity and trade count, enough to tell runs apart.
func equity(r *engine.Result) ([2]float64, error) {
	return [2]float64{r.Equity[len(r.Equity)-1].Equity(), float64(len(r.Trades))}, nil
}

var cfg = engine.Config{Cash: 100000, Hours: engine.AllHours}

// Scores come back in plan order whatever the number of workers.
func TestExecuteDeterministic(t *testing.T) {
	bars := walk(3000)
	p := mustPlan(t, "sma", nil, "fast=2:10:2", "slow=10,20,30")
	var first [][2]float64
	for _, jobs := range []int{1, 4, 3} {
		scores, n, err := Execute(context.Background(), p, p.Runs, bars, cfg, equity, Options{Jobs: jobs})
		if err != nil || len(scores) != len(p.Runs) || n != int64(len(bars)) {
			t.Fatalf("jobs %d: %d scores, %d bars, %v", jobs, len(scores), n, err)
		}
		if first == nil {
			first = scores
		} else if !slices.Equal(first, scores) {
			t.Fatalf("jobs %d: scores differ from jobs 1:\n%v\n%v", jobs, scores, first)
		}
	}
	if slices.IndexFunc(first, func(s [2]float64) bool { return s[1] > 0 }) < 0 {
		t.Error("no run traded: the comparison proves little")
	}
	// A slice of the plan, as a shard runs, scores its runs as the whole plan does.
	part, _, err := Execute(context.Background(), p, p.Runs[4:9], bars, cfg, equity, Options{Jobs: 2})
	if err != nil || !slices.Equal(part, first[4:9]) {
		t.Errorf("runs 4..8 alone: %v, %v; want %v", part, err, first[4:9])
	}
}

// A failing run stops the sweep with the combination named, and a cancelled context stops it
// too.
func TestExecuteStops(t *testing.T) {
	bars := walk(5000)
	p := mustPlan(t, "sweeptest-fail", nil, "fast=2,4", "slow=10,20")
	var mu sync.Mutex
	var seen []int
	progress := func(done int) {
		mu.Lock()
		seen = append(seen, done)
		mu.Unlock()
	}
	scores, n, err := Execute(context.Background(), p, p.Runs, bars, cfg, equity, Options{Jobs: 2, Progress: progress})
	if err != nil || len(scores) != 4 || n != int64(len(bars)) {
		t.Fatalf("Execute: %d scores, %d bars, %v", len(scores), n, err)
	}
	if slices.Sort(seen); !slices.Equal(seen, []int{1, 2, 3, 4}) {
		t.Errorf("progress saw %v, want 1..4", seen)
	}

	p = mustPlan(t, "sweeptest-fail", nil, "fast=2,3", "slow=10,20")
	_, _, err = Execute(context.Background(), p, p.Runs, bars, cfg, equity, Options{Jobs: 2})
	var re *RunError
	if !errors.As(err, &re) || re.Run.Index != 2 || !strings.Contains(err.Error(), "run fast=3 pct=1 qty=0 slow=10") || !strings.Contains(err.Error(), ": engine: ") {
		t.Errorf("err = %v, want the failing combination named", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Execute(ctx, p, p.Runs, bars, cfg, equity, Options{Jobs: 2}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	// A failing score stops the sweep as a failing run does.
	bad := func(*engine.Result) (int, error) { return 0, errors.New("no score") }
	if _, _, err := Execute(context.Background(), p, p.Runs[:1], bars, cfg, bad, Options{}); err == nil || !strings.Contains(err.Error(), "no score") {
		t.Errorf("err = %v, want the score's", err)
	}
}
