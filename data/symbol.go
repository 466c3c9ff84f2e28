package data

import "strings"

// The symbol rules live here, beside the Bar that carries a symbol, so that the command line,
// the Alpaca source and anything else that must tell a stock from a crypto pair agree.

// IsCrypto reports whether sym is a crypto pair (BTC/USD): Alpaca serves those from its crypto
// endpoint, without a key, around the clock.
func IsCrypto(sym string) bool { return strings.Contains(sym, "/") }

// ValidSymbol reports whether s (upper case) is a stock symbol, 1-10 letters, digits and dots
// ("BRK.B", not starting or ending with a dot), or a crypto pair BASE/QUOTE of 1-10 letters
// and digits each ("BTC/USD").
func ValidSymbol(s string) bool {
	if base, quote, ok := strings.Cut(s, "/"); ok {
		return validSymbolPart(base) && validSymbolPart(quote) && !strings.Contains(base+quote, ".")
	}
	return validSymbolPart(s) && s[0] != '.' && s[len(s)-1] != '.'
}

func validSymbolPart(s string) bool {
	if len(s) == 0 || len(s) > 10 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.') {
			return false
		}
	}
	return true
}
