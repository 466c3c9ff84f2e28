package data

import "testing"

func TestSymbolRules(t *testing.T) {
	tests := []struct {
		sym           string
		valid, crypto bool
	}{
		{"AAPL", true, false},
		{"BRK.B", true, false},
		{"A", true, false},
		{"ABCDEFGHIJ", true, false},
		{"ABCDEFGHIJK", false, false},
		{"BTC/USD", true, true},
		{"ETH/USDT", true, true},
		{"", false, false},
		{"aapl", false, false}, // callers upper-case first
		{"AA PL", false, false},
		{"AAPL;DROP", false, false},
		{".A", false, false},
		{"A.", false, false},
		{"BRK-B", false, false},
		{"ÄPPL", false, false},
		{"BTC/", false, true},
		{"/USD", false, true},
		{"BTC/USD/EUR", false, true},
		{"BTC.X/USD", false, true},
		{"ABCDEFGHIJK/USD", false, true},
	}
	for _, tt := range tests {
		if got := ValidSymbol(tt.sym); got != tt.valid {
			t.Errorf("ValidSymbol(%q) = %v, want %v", tt.sym, got, tt.valid)
		}
		if got := IsCrypto(tt.sym); got != tt.crypto {
			t.Errorf("IsCrypto(%q) = %v, want %v", tt.sym, got, tt.crypto)
		}
	}
}
