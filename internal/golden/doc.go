// Package golden owns the golden-file compare of barkeep's tests and the one -update flag that
// rewrites the files, so that every package's golden tests behave alike: `go test ./pkg/ -update`
// rewrites, a plain run compares byte for byte and shows the first line that differs.
package golden
