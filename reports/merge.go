package reports

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// Files of a shard directory: what one slice of a sweep (--shard i/n) writes for --merge.
const (
	ShardManifestFile = "shard.json"
	ShardRunsFile     = "runs.jsonl"
	// shardFormat is the version of both files' layout: shards of another layout are refused.
	shardFormat = 1
)

// ShardManifest identifies what a shard ran, so that --merge joins only shards of one sweep:
// the same grid over the same bars with the same costs, by the same version of barkeep.
type ShardManifest struct {
	Format  int    `json:"format"`
	Version string `json:"version"`
	Shard   int    `json:"shard"`
	Shards  int    `json:"shards"`
	// Runs are the plan indices of the runs this shard holds, in order; TotalRuns counts the
	// runs of the whole plan.
	Runs      []int      `json:"runs"`
	TotalRuns int        `json:"total_runs"`
	Grid      ShardGrid  `json:"grid"`
	Data      ShardData  `json:"data"`
	Costs     any        `json:"costs"` // the engine's configuration less the record of what ran
	Settings  ShardSweep `json:"settings"`
	// Run is the sweep's record (reports.Run) without its run date: the merge's page shows it.
	Run       Run   `json:"run"`
	Jobs      int   `json:"jobs"`
	ElapsedNS int64 `json:"elapsed_ns"`
	// RiskFreeDaily is the Sweep's: rf_d of the shard's first run, which in shard 0 is the
	// plan's first, as an unsharded sweep takes it.
	RiskFreeDaily exactFloat `json:"risk_free_daily"`
}

// ShardGrid is the plan a shard is a slice of.
type ShardGrid struct {
	Strategy     string            `json:"strategy"`
	Axes         []SweepAxis       `json:"axes"`
	Columns      []string          `json:"columns"`
	Fixed        map[string]string `json:"fixed"`
	Combinations int               `json:"combinations"`
	Skipped      int               `json:"skipped"`
	SkipReason   string            `json:"skip_reason"`
}

// ShardData is the selection of bars a shard replayed; Hash is sweep.HashBars of the bars
// loaded, Loaded their count.
type ShardData struct {
	Symbols    []string  `json:"symbols"`
	Timeframe  string    `json:"timeframe"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Feed       string    `json:"feed"`
	Adjustment string    `json:"adjustment"`
	Loaded     int       `json:"bars_loaded"`
	Hash       string    `json:"bars_hash"`
}

// ShardSweep are the sweep's settings that shape its results.
type ShardSweep struct {
	Rank      string  `json:"rank"`
	Top       int     `json:"top"`
	MinTrades int     `json:"min_trades"`
	PBOBlocks int     `json:"pbo_blocks"`
	NoHTML    bool    `json:"no_html"`
	RiskFree  float64 `json:"risk_free"`
}

// shardRun is one line of runs.jsonl: a run's parameters, every statistic and its daily
// returns, exactly: floats as the shortest decimal that parses back to the same float64 (NaN
// and infinities as strings), so that a merge writes what one unsharded sweep writes. Dates
// are left out when they are the previous line's.
type shardRun struct {
	Index   int                        `json:"index"`
	Params  map[string]string          `json:"params"`
	Stats   map[string]json.RawMessage `json:"stats"`
	Dates   []time.Time                `json:"dates,omitempty"`
	Returns []exactFloat               `json:"returns"`
}

// exactFloat is a float64 that survives JSON whole, NaN and infinities included.
type exactFloat float64

func (f exactFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.AppendQuote(nil, strconv.FormatFloat(v, 'g', -1, 64)), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *exactFloat) UnmarshalJSON(b []byte) error {
	s := string(b)
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %s", b)
	}
	*f = exactFloat(v)
	return nil
}

var (
	statsType = reflect.TypeFor[Stats]()
	timeType  = reflect.TypeFor[time.Time]()
)

// encodeStats writes every field of s under its Go name, exactly.
func encodeStats(s *Stats) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, statsType.NumField())
	v := reflect.ValueOf(s).Elem()
	for i := range statsType.NumField() {
		f := statsType.Field(i)
		var x any
		switch fv := v.Field(i); {
		case f.Type == timeType:
			x = fv.Interface()
		case f.Type.Kind() == reflect.Float64:
			x = exactFloat(fv.Float())
		case f.Type.Kind() == reflect.Int:
			x = fv.Int()
		default:
			return nil, fmt.Errorf("stats field %s: a shard cannot hold a %s", f.Name, f.Type)
		}
		b, err := json.Marshal(x)
		if err != nil {
			return nil, fmt.Errorf("stats field %s: %w", f.Name, err)
		}
		out[f.Name] = b
	}
	return out, nil
}

// decodeStats is encodeStats' inverse; a field missing or unknown is an error, since the
// merge would not write what the sweep wrote.
func decodeStats(m map[string]json.RawMessage) (Stats, error) {
	var s Stats
	v := reflect.ValueOf(&s).Elem()
	if len(m) != statsType.NumField() {
		return s, fmt.Errorf("%d statistics, want %d", len(m), statsType.NumField())
	}
	for i := range statsType.NumField() {
		f := statsType.Field(i)
		raw, ok := m[f.Name]
		if !ok {
			return s, fmt.Errorf("statistic %s missing", f.Name)
		}
		var err error
		switch fv := v.Field(i); {
		case f.Type == timeType:
			var t time.Time
			err = json.Unmarshal(raw, &t)
			fv.Set(reflect.ValueOf(t))
		case f.Type.Kind() == reflect.Float64:
			var x exactFloat
			err = json.Unmarshal(raw, &x)
			fv.SetFloat(float64(x))
		default:
			var x int64
			err = json.Unmarshal(raw, &x)
			fv.SetInt(x)
		}
		if err != nil {
			return s, fmt.Errorf("statistic %s: %w", f.Name, err)
		}
	}
	return s, nil
}

// WriteShardDir writes a shard of a sweep into dir, atomically as WriteDir does: m, completed
// from s (its grid, settings and record), as shard.json, and s.Rows (the shard's runs, in
// the order of m.Runs) as runs.jsonl.
func WriteShardDir(ctx context.Context, dir string, s Sweep, m ShardManifest) error {
	if len(s.Rows) != len(m.Runs) {
		return fmt.Errorf("write shard: %d rows for %d runs", len(s.Rows), len(m.Runs))
	}
	m.Format = shardFormat
	m.Grid = ShardGrid{Strategy: s.Run.Strategy, Axes: s.Axes, Columns: s.Params, Fixed: s.Run.Params,
		Combinations: s.Combinations, Skipped: s.Skipped, SkipReason: s.SkipReason}
	m.Settings.Rank, m.Settings.Top, m.Settings.MinTrades, m.Settings.PBOBlocks, m.Settings.NoHTML = s.Rank, s.Top, s.MinTrades, s.PBOBlocks, s.NoHTML
	m.Run = s.Run
	m.Run.RunDate = time.Time{}
	m.Version = s.Run.Version
	m.Jobs, m.ElapsedNS = s.Jobs, int64(s.Elapsed)
	m.RiskFreeDaily = exactFloat(s.RiskFreeDaily)
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("write shard: %w", err)
	}
	runs := func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		var last []time.Time
		for k := range s.Rows {
			r := &s.Rows[k]
			st, err := encodeStats(&r.Stats)
			if err != nil {
				return err
			}
			line := shardRun{Index: m.Runs[k], Params: r.Params, Stats: st}
			if k == 0 || !datesEqual(last, r.Dates) {
				line.Dates = r.Dates
				if line.Dates == nil {
					line.Dates = []time.Time{}
				}
			}
			last = r.Dates
			line.Returns = make([]exactFloat, len(r.Returns))
			for i, x := range r.Returns {
				line.Returns[i] = exactFloat(x)
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		return bw.Flush()
	}
	return writeDirAtomic(ctx, dir, "shard", ShardManifestFile, []namedFile{
		{ShardManifestFile, func(w io.Writer) error { _, err := w.Write(append(manifest, '\n')); return err }},
		{ShardRunsFile, runs},
	})
}

// readShard reads a shard directory's manifest and rows.
func readShard(dir string) (ShardManifest, []SweepRow, error) {
	var m ShardManifest
	b, err := os.ReadFile(filepath.Join(dir, ShardManifestFile))
	if err != nil {
		return m, nil, fmt.Errorf("%s is not a shard directory (no %s)", dir, ShardManifestFile)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, nil, fmt.Errorf("%s: %w", filepath.Join(dir, ShardManifestFile), err)
	}
	if m.Format != shardFormat {
		return m, nil, fmt.Errorf("%s: shard format %d, this barkeep reads %d", dir, m.Format, shardFormat)
	}
	f, err := os.Open(filepath.Join(dir, ShardRunsFile))
	if err != nil {
		return m, nil, fmt.Errorf("shard %s: %w", dir, err)
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	var rows []SweepRow
	var last []time.Time
	for k := 0; ; k++ {
		var line shardRun
		if err := dec.Decode(&line); err == io.EOF {
			break
		} else if err != nil {
			return m, nil, fmt.Errorf("%s line %d: %w", filepath.Join(dir, ShardRunsFile), k+1, err)
		}
		if k >= len(m.Runs) || line.Index != m.Runs[k] {
			return m, nil, fmt.Errorf("%s line %d: run %d is not the shard's run %d of %v", filepath.Join(dir, ShardRunsFile), k+1, line.Index, k, m.Runs)
		}
		st, err := decodeStats(line.Stats)
		if err != nil {
			return m, nil, fmt.Errorf("%s line %d: %w", filepath.Join(dir, ShardRunsFile), k+1, err)
		}
		if line.Dates != nil {
			last = line.Dates
		}
		row := SweepRow{Params: line.Params, Stats: st, Dates: last, Returns: make([]float64, len(line.Returns))}
		for i, x := range line.Returns {
			row.Returns[i] = float64(x)
		}
		rows = append(rows, row)
	}
	if len(rows) != len(m.Runs) {
		return m, nil, fmt.Errorf("shard %s holds %d of its %d runs: it is cut short", dir, len(rows), len(m.Runs))
	}
	return m, rows, nil
}

// MergeShards joins the shard directories of one sweep into the Sweep one unsharded run
// makes, apart from what the caller sets: Order (sweep.RankGroups), the run date, and Jobs
// and Elapsed, which are the most jobs of any shard and the time of all. It refuses, in one
// line, a directory that is no shard, shards of different sweeps (grid, data, costs,
// settings or version), and a set that lacks a shard or holds one twice.
func MergeShards(dirs []string) (Sweep, error) {
	if len(dirs) == 0 {
		return Sweep{}, fmt.Errorf("no shard directory to merge")
	}
	type shard struct {
		dir  string
		m    ShardManifest
		rows []SweepRow
	}
	var shards []shard
	for _, d := range dirs {
		m, rows, err := readShard(d)
		if err != nil {
			return Sweep{}, err
		}
		shards = append(shards, shard{d, m, rows})
	}
	first := shards[0]
	same := func(what string, get func(m ShardManifest) any) error {
		want, _ := json.Marshal(get(first.m))
		for _, sh := range shards[1:] {
			got, _ := json.Marshal(get(sh.m))
			if !bytes.Equal(got, want) {
				return fmt.Errorf("shard %s is of a different %s than shard %s: %s, not %s", sh.dir, what, first.dir, got, want)
			}
		}
		return nil
	}
	// The store's path may differ between machines that mount it; the bars replayed are
	// known only to shards that ran something (the data's hash stands for both).
	record := func(m ShardManifest) any { r := m.Run; r.Store, r.Bars = "", 0; return r }
	for _, c := range []struct {
		what string
		get  func(ShardManifest) any
	}{
		{"barkeep version", func(m ShardManifest) any { return m.Version }},
		{"grid", func(m ShardManifest) any { return []any{m.Grid, m.TotalRuns} }},
		{"data", func(m ShardManifest) any { return m.Data }},
		{"cost configuration", func(m ShardManifest) any { return m.Costs }},
		{"sweep setting", func(m ShardManifest) any { return m.Settings }},
		{"record", record},
		{"number of shards", func(m ShardManifest) any { return m.Shards }},
	} {
		if err := same(c.what, c.get); err != nil {
			return Sweep{}, err
		}
	}
	n := first.m.Shards
	byIndex := make([]string, n)
	for _, sh := range shards {
		if i := sh.m.Shard; i < 0 || i >= n {
			return Sweep{}, fmt.Errorf("shard %s is shard %d of %d", sh.dir, i, n)
		} else if byIndex[i] != "" {
			return Sweep{}, fmt.Errorf("shard %d/%d is given twice: %s and %s", i, n, byIndex[i], sh.dir)
		} else {
			byIndex[i] = sh.dir
		}
	}
	var missing []string
	for i, d := range byIndex {
		if d == "" {
			missing = append(missing, fmt.Sprintf("%d/%d", i, n))
		}
	}
	if len(missing) > 0 {
		return Sweep{}, fmt.Errorf("shards missing: %v (%d of %d given)", missing, len(shards), n)
	}
	rows := make([]SweepRow, first.m.TotalRuns)
	have := make([]bool, len(rows))
	s := Sweep{Run: first.m.Run, Axes: first.m.Grid.Axes, Params: first.m.Grid.Columns,
		Combinations: first.m.Grid.Combinations, Skipped: first.m.Grid.Skipped, SkipReason: first.m.Grid.SkipReason,
		Rank: first.m.Settings.Rank, Top: first.m.Settings.Top, MinTrades: first.m.Settings.MinTrades,
		PBOBlocks: first.m.Settings.PBOBlocks, NoHTML: first.m.Settings.NoHTML}
	// Shard 0's record names the store: shards on other machines may mount it elsewhere.
	for _, sh := range shards {
		if sh.m.Shard == 0 {
			s.Run, s.RiskFreeDaily = sh.m.Run, float64(sh.m.RiskFreeDaily)
		}
		s.Jobs = max(s.Jobs, sh.m.Jobs)
		s.Elapsed += time.Duration(sh.m.ElapsedNS)
		for k, idx := range sh.m.Runs {
			if idx < 0 || idx >= len(rows) || have[idx] {
				return Sweep{}, fmt.Errorf("shard %s holds run %d, which is out of range or in another shard", sh.dir, idx)
			}
			rows[idx], have[idx] = sh.rows[k], true
		}
	}
	if i := slices.Index(have, false); i >= 0 {
		return Sweep{}, fmt.Errorf("no shard holds run %d of %d", i, len(rows))
	}
	// Runs over the same bars share their dates, as a sweep's Scorer shares them.
	for i := 1; i < len(rows); i++ {
		if datesEqual(rows[i].Dates, rows[i-1].Dates) {
			rows[i].Dates = rows[i-1].Dates
		}
	}
	s.Rows = rows
	return s, nil
}

// SweepStats is the statistics of each row, for ranking.
func SweepStats(rows []SweepRow) []Stats {
	out := make([]Stats, len(rows))
	for i := range rows {
		out[i] = rows[i].Stats
	}
	return out
}
