package cli

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func testFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("cmd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String("store", "bars.duckdb", "the `store` to read")
	fs.String("symbols", "", "symbols")
	fs.Bool("quiet", false, "print little")
	fs.Float64("cash", 100000, "starting cash")
	fs.Int("x", 0, "short")
	fs.Bool("list-strategies", false, "list them")
	return fs
}

func TestPrintFlags(t *testing.T) {
	var b bytes.Buffer
	PrintFlags(&b, testFlags())
	got := b.String()
	for _, want := range []string{
		"  --cash float\n    \tstarting cash (default 100000)\n",
		"  --quiet\n    \tprint little\n",
		"  --store store\n    \tthe store to read (default \"bars.duckdb\")\n",
		"  --symbols string\n    \tsymbols\n",
		"  --x int\n    \tshort\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("--help lacks %q:\n%s", want, got)
		}
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "  -") && !strings.HasPrefix(line, "  --") {
			t.Errorf("single-dash flag in %q", line)
		}
	}
}

func TestFlagError(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--stroe", "x"}, "unknown flag --stroe; did you mean --store? (see cmd --help)"},
		{[]string{"--quite"}, "did you mean --quiet?"},
		{[]string{"--list"}, "did you mean --list-strategies?"},
		{[]string{"--zzzzzz"}, "unknown flag --zzzzzz (see cmd --help)"},
		{[]string{"--cash", "lots"}, `invalid value "lots" for flag --cash`},
		{[]string{"--store"}, "flag needs an argument: --store"},
	}
	for _, tt := range tests {
		fs := testFlags()
		err := FlagError(fs, "cmd", fs.Parse(tt.args))
		var u *UsageError
		if !errors.As(err, &u) {
			t.Errorf("%v: %v is not a usage error", tt.args, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %q lacks %q", tt.args, err, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"sma", "ema", "rsi", "bollinger", "macd", "breakout", "buyhold"}
	tests := []struct{ word, want string }{
		{"smaa", "sma"},
		{"SMA", "sma"}, // names are case-sensitive: the case is the typo
		{"bolinger", "bollinger"},
		{"buy-hold", "buyhold"},
		{"brekaout", "breakout"},
		{"momentum", ""},
		{"x", ""},
		{"rs", "rsi"},
	}
	for _, tt := range tests {
		if got := Suggest(tt.word, names); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
	if got := DidYouMean("sharp", []string{"sharpe", "sortino"}); got != "; did you mean sharpe?" {
		t.Errorf("DidYouMean = %q", got)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"kitten", "sitting", 3},
		{"flaw", "lawn", 2}, {"sharpe", "sharpe", 0}, {"ça", "ca", 1}, {"ab", "ba", 1},
		{"stroe", "store", 1}, {"ca", "abc", 3}, {"quite", "quiet", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
		if got := editDistance(tt.b, tt.a); got != tt.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.d)
		}
	}
}
