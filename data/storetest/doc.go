// Package storetest owns the conformance suite that every data.Store implementation runs, so
// that the DuckDB and Parquet stores behave the same where the contract speaks: idempotent
// upserts, coverage merging, (time, symbol) ordering, half-open query ranges, atomic batches and
// reopening. It also owns Bars, a deterministic generator of valid test bars.
//
// It is an ordinary package (not a _test file) so that each store's tests can import it:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, path string) data.Store {
//			s, err := Open(context.Background(), path+".duckdb")
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// Conventions the suite asserts beyond the data.Store comments, so every store agrees:
//   - times come back in UTC with microsecond precision (finer digits may be dropped);
//   - a batch with an invalid bar, an invalid timeframe or a span with an empty symbol or an
//     End before its Start is rejected whole;
//   - when a batch holds the same (symbol, time) twice, the later bar wins;
//   - Series lists timeframes shortest first (by Timeframe.Duration), then adjustment, then symbol.
package storetest
