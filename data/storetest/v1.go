package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// CheckV1 checks a store opened on the version 1 fixture that each store keeps in its
// testdata (made by testdata/mkv1 against commit b3cde84, the last version without the feed in a
// series' identity): AAPL 1Day raw from iex (5 bars, covered), MSFT 1Day raw from iex (3 bars)
// then sip (2 bars), AAPL 1Day split from sip (5 bars, covered), and SPY 1Min fetched from the
// synthetic source over 2024-03-04 14:30..16:00Z. A migrated store keeps every bar under the
// feed it was written with; coverage stays with a series of one feed and is dropped for MSFT,
// whose ranges nobody can attribute to one feed any more.
func CheckV1(t *testing.T, s data.Store) {
	t.Helper()
	day0 := time.Date(2024, 3, 4, 5, 0, 0, 0, time.UTC)
	days := func(from, to int) data.Ranges {
		return data.Ranges{{Start: day0.AddDate(0, 0, from), End: day0.AddDate(0, 0, to)}}
	}
	for _, c := range []struct {
		sr   data.Series
		bars int
		cov  data.Ranges
	}{
		{data.Series{Symbol: "AAPL", Timeframe: data.OneDay, Feed: "iex"}, 5, days(0, 5)},
		{data.Series{Symbol: "MSFT", Timeframe: data.OneDay, Feed: "iex"}, 3, nil},
		{data.Series{Symbol: "MSFT", Timeframe: data.OneDay, Feed: "sip"}, 2, nil},
		{data.Series{Symbol: "AAPL", Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip"}, 5, days(0, 5)},
		{data.Series{Symbol: "SPY", Timeframe: data.OneMin, Feed: "synth"}, 89,
			data.Ranges{{Start: time.Date(2024, 3, 4, 14, 30, 0, 0, time.UTC), End: time.Date(2024, 3, 4, 16, 0, 0, 0, time.UTC)}}},
	} {
		got := ReadAll(t, s, data.Query{Symbols: []string{c.sr.Symbol}, Timeframe: c.sr.Timeframe, Adjustment: c.sr.Adjustment, Feed: c.sr.Feed})
		if len(got) != c.bars {
			t.Errorf("%s: %d bars, want %d", c.sr, len(got), c.bars)
		}
		cov, err := s.Coverage(t.Context(), c.sr)
		if err != nil {
			t.Fatalf("coverage %s: %v", c.sr, err)
		}
		if cov.String() != c.cov.String() {
			t.Errorf("%s: coverage %s, want %s", c.sr, cov, c.cov)
		}
	}
	// MSFT's two feeds stay apart: a read must choose.
	if _, err := s.Read(t.Context(), data.Query{Symbols: []string{"MSFT"}, Timeframe: data.OneDay}); !errors.Is(err, data.ErrSeveralFeeds) {
		t.Errorf("MSFT without a feed: err %v, want ErrSeveralFeeds", err)
	}
	// The split prices came from sip alone: half of the raw ones.
	split := ReadAll(t, s, data.Query{Symbols: []string{"AAPL"}, Timeframe: data.OneDay, Adjustment: data.Split})
	if len(split) != 5 || split[0].Close != 50 {
		t.Errorf("AAPL split: %v", split)
	}
	infos, err := s.Series(t.Context())
	if err != nil {
		t.Fatalf("Series: %v", err)
	}
	if len(infos) != 5 {
		t.Errorf("Series: %d entries, want 5: %+v", len(infos), infos)
	}
	for _, in := range infos {
		if !in.AsOf.IsZero() {
			t.Errorf("%s: AsOf %v from a store that never recorded one", in.Series, in.AsOf)
		}
	}
}
