package backtestcmd

import (
	"strings"
	"testing"
)

func TestExecutionFlags(t *testing.T) {
	var o options
	fs, _ := newFlags(&o)
	if err := fs.Parse([]string{"--max-volume-pct", "2.5", "--borrow-rate", "0.025", "--margin-rate", "0.0375"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := engineConfig(o)
	if err != nil || cfg.MaxVolumePct != 2.5 || cfg.BorrowRate != 0.025 || cfg.MarginRate != 0.0375 {
		t.Fatalf("config %+v, %v", cfg, err)
	}
	for _, args := range [][]string{{"--max-volume-pct", "101"}, {"--borrow-rate", "-0.1"}, {"--margin-rate", "NaN"}} {
		fs, _ := newFlags(&o)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if _, err := engineConfig(o); err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v: err %v, want one naming the flag", args, err)
		}
	}
	// Off by default.
	fs, _ = newFlags(&o)
	fs.Parse(nil)
	if cfg, _ := engineConfig(o); cfg.MaxVolumePct != 0 || cfg.BorrowRate != 0 || cfg.MarginRate != 0 {
		t.Errorf("defaults %+v", cfg)
	}
}
