package engine

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/barkeep-trading/barkeep/data"
)

// tape is a Recorder that keeps everything, to compare with a Result.
type tape struct {
	orders []OrderRecord
	fills  []Fill
	trades []Trade
}

func (t *tape) RecordOrder(o OrderRecord) { t.orders = append(t.orders, o) }
func (t *tape) RecordFill(f Fill)         { t.fills = append(t.fills, f) }
func (t *tape) RecordTrade(tr Trade)      { t.trades = append(t.trades, tr) }

// TestRunRecorded: RunRecorded hands over the records a Result lists, in its order, and the
// rest of its Result, and everything the strategy saw, are Run's. The chaos strategy leaves
// orders open for long, cancels old orders by ID (some of them already let go of) and is
// rejected often; its thousands of orders span several of the engine's record blocks, so
// blocks are let go of mid-run.
func TestRunRecorded(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC"}
	// Two of the chaos configurations, a cash account and a margin account: enough to tell, at
	// thousands of orders each, and seconds under -race.
	for _, ci := range []int{0, 3} {
		cfg := chaosConfigs[ci]
		t.Run(fmt.Sprint("cfg", ci), func(t *testing.T) {
			bars := randomBars(uint64(40+ci), syms, 12000)
			a := newChaos(t, 3, syms)
			want := run(t, cfg, bars, a)
			if len(want.Orders) < 2*blockLen {
				t.Fatalf("%d orders: too few to span the record blocks", len(want.Orders))
			}
			b := newChaos(t, 3, syms)
			var tp tape
			got, err := RunRecorded(context.Background(), cfg, data.NewSliceIterator(bars), b, &tp)
			if err != nil {
				t.Fatal(err)
			}
			if got.Orders != nil || got.Fills != nil || got.Trades != nil {
				t.Fatalf("RunRecorded's Result keeps records: %d orders, %d fills, %d trades", len(got.Orders), len(got.Fills), len(got.Trades))
			}
			if !a.log.equal(b.log) {
				t.Fatal("the strategy saw something else with a recorder")
			}
			if !reflect.DeepEqual(tp.orders, want.Orders) {
				t.Errorf("recorded orders differ from the Result's (%d, %d)", len(tp.orders), len(want.Orders))
			}
			if !reflect.DeepEqual(tp.fills, want.Fills) {
				t.Errorf("recorded fills differ from the Result's (%d, %d)", len(tp.fills), len(want.Fills))
			}
			if !reflect.DeepEqual(tp.trades, want.Trades) {
				t.Errorf("recorded trades differ from the Result's (%d, %d)", len(tp.trades), len(want.Trades))
			}
			got.Orders, got.Fills, got.Trades = want.Orders, want.Fills, want.Trades
			if !reflect.DeepEqual(got, want) {
				t.Error("the rest of the Result differs")
			}
		})
	}
}

func TestChunkedDrop(t *testing.T) {
	var c chunked[int]
	for i := range 3*blockLen + 5 {
		c.add(i)
	}
	c.drop(blockLen - 1) // the first block still holds element blockLen-1
	if *c.at(0) != 0 {
		t.Fatal("drop let go of a block before all of it was handed on")
	}
	c.drop(2*blockLen + 1)
	if c.blocks[0] != nil || c.blocks[1] != nil || c.blocks[2] == nil {
		t.Fatalf("drop(2*blockLen+1) kept %v, want blocks 0 and 1 gone", []bool{c.blocks[0] != nil, c.blocks[1] != nil, c.blocks[2] != nil})
	}
	if *c.at(2 * blockLen) != 2*blockLen || *c.at(3*blockLen + 4) != 3*blockLen+4 || c.len() != 3*blockLen+5 {
		t.Fatal("drop changed what it kept")
	}
}
