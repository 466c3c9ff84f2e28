package sweep

import (
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

func TestParseShard(t *testing.T) {
	for in, want := range map[string]Shard{"0/1": {0, 1}, "3/4": {3, 4}, " 1/2 ": {1, 2}} {
		got, err := ParseShard(in)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1", "4/4", "-1/3", "0/0", "a/b", "1/2/3"} {
		if _, err := ParseShard(in); err == nil {
			t.Errorf("ParseShard(%q) accepted", in)
		}
	}
}

// Every run falls in exactly one shard, and shards differ in size by one at most.
func TestShardRunsPartition(t *testing.T) {
	runs := make([]Run, 23)
	for i := range runs {
		runs[i].Index = i
	}
	for n := 1; n <= 30; n++ {
		seen := make([]int, len(runs))
		lo, hi := len(runs), 0
		for i := range n {
			got := Shard{i, n}.Runs(runs)
			lo, hi = min(lo, len(got)), max(hi, len(got))
			for _, r := range got {
				seen[r.Index]++
				if r.Index%n != i {
					t.Fatalf("shard %d/%d holds run %d", i, n, r.Index)
				}
			}
		}
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: run %d in %d shards", n, i, c)
			}
		}
		if hi-lo > 1 {
			t.Fatalf("n=%d: shards of %d to %d runs", n, lo, hi)
		}
	}
}

func TestHashBars(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC)
	bars := []data.Bar{{Symbol: "A", Time: t0, Open: 1, High: 2, Low: 0.5, Close: 1.5, Volume: 10}, {Symbol: "B", Time: t0, Open: 3, High: 3, Low: 3, Close: 3, Volume: 1}}
	h := HashBars(bars)
	if len(h) != 16 || h != HashBars(append([]data.Bar(nil), bars...)) {
		t.Fatalf("hash %q not stable", h)
	}
	changed := append([]data.Bar(nil), bars...)
	changed[1].Close = 3.0000001
	if HashBars(changed) == h {
		t.Fatal("a changed close keeps the hash")
	}
	if HashBars(bars[:1]) == h {
		t.Fatal("a missing bar keeps the hash")
	}
}
