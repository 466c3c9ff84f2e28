package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/barkeep-trading/barkeep/data"
)

// ParseSymbols splits a comma-separated list, upper-cases it and checks each symbol. Stock
// symbols are 1-10 letters, digits and dots ("BRK.B"); crypto pairs are BASE/QUOTE
// ("BTC/USD"). A symbol given twice is an error: it usually means a typo in a long list.
func ParseSymbols(s string) ([]string, error) {
	return checkSymbols(strings.Split(s, ","), "--symbols")
}

// ReadSymbolsFile reads one symbol a line; blank lines and lines starting with # are skipped.
func ReadSymbolsFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Usage(fmt.Errorf("--symbols-file: %w", err))
	}
	defer f.Close()
	var raw []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		raw = append(raw, line)
	}
	if err := sc.Err(); err != nil {
		return nil, Usage(fmt.Errorf("--symbols-file %s: %w", path, err))
	}
	if len(raw) == 0 {
		return nil, Usagef("--symbols-file %s lists no symbol", path)
	}
	return checkSymbols(raw, "--symbols-file")
}

func checkSymbols(raw []string, flag string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, r := range raw {
		s := strings.ToUpper(strings.TrimSpace(r))
		if s == "" {
			if len(raw) == 1 {
				return nil, Usagef("%s is empty: give symbols such as AAPL,MSFT", flag)
			}
			return nil, Usagef("%s has an empty entry: give symbols such as AAPL,MSFT", flag)
		}
		if !data.ValidSymbol(s) {
			// Something long is more likely a pasted key than a symbol: do not echo it.
			shown := fmt.Sprintf("%q", r)
			if len(r) > 21 {
				shown = fmt.Sprintf("of %d characters", len(r))
			}
			return nil, Usagef("%s: invalid symbol %s: want 1-10 letters, digits or dots (BRK.B), or a crypto pair such as BTC/USD", flag, shown)
		}
		if seen[s] {
			return nil, Usagef("%s: %s is listed twice", flag, s)
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}
