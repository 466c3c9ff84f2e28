// Command benchtable turns the output of `go test -bench` into a markdown table of bars per
// second and allocations per bar, the two figures barkeep's hot paths are judged by:
//
//	go test -run '^$' -bench . -benchmem ./... > .bench/latest.txt
//	go run ./internal/benchtable < .bench/latest.txt
//
// It owns the reading of the standard benchmark format (the one golang.org/x/perf/benchfmt
// reads: "key: value" configuration lines and "BenchmarkName-N  iters  value unit ..." result
// lines; anything else is ignored) and the arithmetic from per-op to per-bar figures. Comparing
// two runs is benchstat's job, not this tool's.
package main
