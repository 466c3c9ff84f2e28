//go:build race

package app_test

// raceEnabled builds the example under the race detector too when the tests run under it, so
// that it reuses the packages `go test -race` has just compiled instead of compiling every
// dependency again.
const raceEnabled = true
