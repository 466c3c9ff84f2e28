package duckdb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/atomicfile"
)

// SchemaVersion is the layout this package writes; files with a newer one are refused rather
// than misread.
const SchemaVersion = 2

const schemaSQL = `
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE bars (
	symbol      VARCHAR     NOT NULL,
	timeframe   VARCHAR     NOT NULL,
	adjustment  VARCHAR     NOT NULL,
	time        TIMESTAMPTZ NOT NULL,
	open        DOUBLE      NOT NULL,
	high        DOUBLE      NOT NULL,
	low         DOUBLE      NOT NULL,
	close       DOUBLE      NOT NULL,
	volume      DOUBLE      NOT NULL,
	trade_count UBIGINT     NOT NULL,
	vwap        DOUBLE      NOT NULL,
	feed        VARCHAR     NOT NULL
);
` + coverageSQL + seriesSQL + `
INSERT INTO meta VALUES ('format', 'barkeep'), ('schema_version', '2');
`

// coverageSQL creates the table of covered ranges, half-open and in normal form per series.
const coverageSQL = `CREATE TABLE coverage (
	symbol     VARCHAR     NOT NULL,
	timeframe  VARCHAR     NOT NULL,
	adjustment VARCHAR     NOT NULL,
	start      TIMESTAMPTZ NOT NULL,
	"end"      TIMESTAMPTZ NOT NULL,
	feed       VARCHAR     NOT NULL
);
`

// seriesSQL creates the table of series: one row per (symbol, timeframe, adjustment, feed)
// that a write touched, with the data server's time of its latest fetch.
const seriesSQL = `CREATE TABLE series (
	symbol     VARCHAR NOT NULL,
	timeframe  VARCHAR NOT NULL,
	adjustment VARCHAR NOT NULL,
	feed       VARCHAR NOT NULL,
	fetched_at TIMESTAMPTZ,
	PRIMARY KEY (symbol, timeframe, adjustment, feed)
);`

// migrate1SQL brings a version 1 store to version 2, in one transaction. Version 1 kept the feed
// per bar (each write's) and, per (symbol, timeframe, adjustment), the feed of the latest write;
// coverage had no feed. Bars keep their own feed, which now splits them into series. A range
// is covered for the one feed of its series' bars (or, without bars, for the feed its series
// recorded); a series whose bars came from several feeds loses its coverage, since nothing
// tells which feed fetched which range: a rerun fetches it again rather than claim bars of one
// feed for the other. Bars written without a feed become UnknownFeed's.
const migrate1SQL = `
ALTER TABLE series RENAME TO series_v1;
ALTER TABLE coverage RENAME TO coverage_v1;
` + seriesSQL + coverageSQL + ` -- first: DuckDB builds no index in a transaction with updates
UPDATE bars SET feed = 'unknown' WHERE feed = '';
UPDATE series_v1 SET feed = 'unknown' WHERE feed = '';
INSERT INTO coverage SELECT c.symbol, c.timeframe, c.adjustment, c.start, c."end", f.feed
FROM coverage_v1 c JOIN (
	SELECT symbol, timeframe, adjustment, min(feed) AS feed FROM bars
	GROUP BY symbol, timeframe, adjustment HAVING count(DISTINCT feed) = 1
	UNION ALL
	SELECT s.symbol, s.timeframe, s.adjustment, s.feed FROM series_v1 s
	WHERE NOT EXISTS (SELECT 1 FROM bars b WHERE b.symbol = s.symbol AND b.timeframe = s.timeframe
		AND b.adjustment = s.adjustment)
) f USING (symbol, timeframe, adjustment);
INSERT INTO series (symbol, timeframe, adjustment, feed)
	SELECT DISTINCT symbol, timeframe, adjustment, feed FROM bars
	UNION SELECT DISTINCT symbol, timeframe, adjustment, feed FROM coverage;
DROP TABLE series_v1;
DROP TABLE coverage_v1;
UPDATE meta SET value = '2' WHERE key = 'schema_version';
`

// Store is a data.Store in one DuckDB file.
type Store struct {
	path string
	db   *sql.DB
	// raw is a second handle on the same database instance (DuckDB's instance cache shares it
	// with db), used by Read to fetch column vectors without database/sql.
	raw mapping.Database

	mu     sync.Mutex         // serialises writers: one staging table, one transaction at a time
	wconn  mapping.Connection // holds the staging table, which is temporary and so per connection
	hasW   bool
	closed bool
}

var _ data.Store = (*Store)(nil)

// duckMagic sits at byte 8 of every DuckDB database file, after the header checksum.
var duckMagic = []byte("DUCK")

// Open opens the store at path, creating the file and its directory when they do not exist.
// An existing file that is not a DuckDB database, or a DuckDB database without barkeep's tables
// or of a newer schema, is refused with an error wrapping data.ErrNotStore and is left untouched.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open duckdb store: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open duckdb store %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open duckdb store %s: create its directory: %w", path, err)
	}
	exists, err := checkFile(abs)
	if err != nil {
		return nil, fmt.Errorf("open duckdb store %s: %w", path, err)
	}
	if !exists {
		if err := create(ctx, abs); err != nil {
			return nil, fmt.Errorf("open duckdb store %s: %w", path, err)
		}
	} else {
		dropCreatingLink(abs)
		// Inspect read-only first: opening read-write may replay a WAL or checkpoint, and a
		// foreign file must not change because barkeep looked at it.
		if err := inspect(ctx, abs); err != nil {
			return nil, fmt.Errorf("open duckdb store %s: %w", path, err)
		}
	}
	return openAt(ctx, abs, true, path)
}

// openAt opens the database at abs (an absolute path) and, unless exists, creates barkeep's
// tables in it. name is the path as the caller gave it, for errors.
func openAt(ctx context.Context, abs string, exists bool, name string) (*Store, error) {
	db, err := openSQL(abs)
	if err != nil {
		return nil, fmt.Errorf("open duckdb store %s: %w", name, err)
	}
	s := &Store{path: abs, db: db}
	// barkeep's work is one stream of appends and one ordered scan at a time; DuckDB's extra
	// worker threads mostly spin against the Go side for the same cores. One thread doubled
	// both write and read throughput on the 2-core machine (BENCHMARKS.md).
	if _, err := db.ExecContext(ctx, "SET threads = 1"); err != nil {
		db.Close()
		return nil, fmt.Errorf("open duckdb store %s: %w", name, err)
	}
	if err := s.init(ctx, exists); err != nil {
		db.Close()
		return nil, fmt.Errorf("open duckdb store %s: %w", name, err)
	}
	return s, nil
}

// create makes a new store appear at abs whole or not at all. DuckDB creates the file first
// and barkeep's tables a moment later, so a process killed in between would leave a database
// without them, which every later Open refuses as not a barkeep store. Instead the store is
// made under a temporary name, closed (which checkpoints it into the one file) and linked into
// place (atomicfile.LinkNew, which then syncs the directory): a link never replaces a store
// another process made meanwhile.
func create(ctx context.Context, abs string) error {
	tmp := abs + ".creating"
	// Leftovers of a process killed while creating: nothing in them was ever a store.
	for _, p := range []string{tmp, tmp + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("create: %w", err)
		}
	}
	st, err := openAt(ctx, tmp, false, tmp)
	if err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	if _, err := os.Stat(tmp + ".wal"); err == nil {
		return errors.New("create: the new database kept a write-ahead log after closing")
	}
	// A store another process made meanwhile is kept: this Open then opens that one.
	if err := atomicfile.LinkNew(tmp, abs); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create: %w", err)
	}
	return nil
}

// dropCreatingLink removes the temporary name a process killed right after create's link
// leaves behind: a second name of the store itself.
func dropCreatingLink(abs string) {
	tmp := abs + ".creating"
	fi, err := os.Lstat(abs)
	tfi, terr := os.Lstat(tmp)
	if err == nil && terr == nil && os.SameFile(fi, tfi) {
		_ = os.Remove(tmp)
	}
}

// checkFile reports whether path exists, and fails if it exists but is no DuckDB database.
func checkFile(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return false, fmt.Errorf("is a directory, not a DuckDB file: %w", data.ErrNotStore)
	}
	head := make([]byte, 12)
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head[8:12], duckMagic) {
		return false, fmt.Errorf("not a DuckDB database file: %w", data.ErrNotStore)
	}
	return true, nil
}

func openSQL(path string) (*sql.DB, error) {
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return sql.OpenDB(c), nil
}

// inspect checks, read-only, that the file at path holds a barkeep store this build can read.
func inspect(ctx context.Context, path string) error {
	c, err := duckdb.NewConnector(path+"?access_mode=READ_ONLY", nil)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	return checkSchema(ctx, db)
}

func checkSchema(ctx context.Context, db *sql.DB) error {
	_, err := schemaVersion(ctx, db)
	return err
}

// migrate brings a store of schema version v up to SchemaVersion in one transaction, so a
// process killed meanwhile leaves the store as it was and the next Open migrates it again.
func (s *Store) migrate(ctx context.Context, v int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate schema %d: %w", v, err)
	}
	defer tx.Rollback()
	if v == 1 {
		if _, err := tx.ExecContext(ctx, migrate1SQL); err != nil {
			return fmt.Errorf("migrate schema 1 to 2: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate schema %d: %w", v, err)
	}
	return nil
}

// schemaVersion checks that db holds a barkeep store this build can read and returns its
// schema version.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name = 'main'
		AND table_name IN ('meta', 'bars', 'coverage', 'series')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read catalog: %w", err)
	}
	if n != 4 {
		return 0, fmt.Errorf("a DuckDB database without barkeep's tables: %w", data.ErrNotStore)
	}
	var format, version string
	err = db.QueryRowContext(ctx, `SELECT
		(SELECT value FROM meta WHERE key = 'format'),
		(SELECT value FROM meta WHERE key = 'schema_version')`).Scan(&format, &version)
	if err != nil {
		return 0, fmt.Errorf("a DuckDB database with an unreadable meta table (%v): %w", err, data.ErrNotStore)
	}
	v, err := strconv.Atoi(version)
	if format != "barkeep" || err != nil || v < 1 {
		return 0, fmt.Errorf("a DuckDB database whose meta table is not barkeep's: %w", data.ErrNotStore)
	}
	if v > SchemaVersion {
		return 0, fmt.Errorf("schema version %d is newer than this barkeep reads (%d); upgrade barkeep: %w",
			v, SchemaVersion, data.ErrNotStore)
	}
	return v, nil
}

func (s *Store) init(ctx context.Context, exists bool) error {
	if exists {
		v, err := schemaVersion(ctx, s.db)
		if err != nil {
			return err
		}
		if v < SchemaVersion {
			if err := s.migrate(ctx, v); err != nil {
				return err
			}
		}
	} else {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		if _, err := tx.ExecContext(ctx, schemaSQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("create schema: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	var err error
	if s.raw, err = openRaw(s.path); err != nil {
		return err
	}
	if mapping.Connect(s.raw, &s.wconn) == mapping.StateError {
		return errors.New("writer connection")
	}
	s.hasW = true
	if err := rawExec(s.wconn, stageSQL); err != nil {
		return fmt.Errorf("create staging table: %w", err)
	}
	return nil
}

// openRaw opens a second handle on the database instance that database/sql already holds. The
// driver opens files through its instance cache, so asking the cache for the same path with the
// same configuration returns that instance rather than a rival one.
func openRaw(path string) (mapping.Database, error) {
	var cfg mapping.Config
	if mapping.CreateConfig(&cfg) == mapping.StateError {
		return mapping.Database{}, errors.New("create raw config")
	}
	defer mapping.DestroyConfig(&cfg)
	if mapping.SetConfig(cfg, "duckdb_api", "go") == mapping.StateError {
		return mapping.Database{}, errors.New("configure raw handle")
	}
	var db mapping.Database
	var msg string
	if mapping.GetOrCreateFromCache(duckdb.GetInstanceCache(), path, &db, cfg, &msg) == mapping.StateError {
		mapping.Close(&db)
		return mapping.Database{}, fmt.Errorf("raw handle: %s", msg)
	}
	return db, nil
}

// Coverage returns the fetched ranges of one series.
func (s *Store) Coverage(ctx context.Context, sr data.Series) (data.Ranges, error) {
	feed, err := s.resolveFeed(ctx, sr.Timeframe, sr.Adjustment, sr.Feed, []string{sr.Symbol})
	if err != nil {
		return nil, fmt.Errorf("coverage %s: %w", sr, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT start, "end" FROM coverage
		WHERE symbol = ? AND timeframe = ? AND adjustment = ? AND feed = ? ORDER BY start`,
		sr.Symbol, sr.Timeframe.String(), string(sr.Adjustment.Norm()), feed)
	if err != nil {
		return nil, fmt.Errorf("coverage %s: %w", sr, err)
	}
	rs, err := scanRanges(rows)
	if err != nil {
		return nil, fmt.Errorf("coverage %s: %w", sr, err)
	}
	// Stored rows are in normal form already; normalising again protects against rows a user
	// added by hand.
	return data.Normalize(rs), nil
}

// AsOf returns the data server's time of the latest fetch of sr, zero when none is recorded.
func (s *Store) AsOf(ctx context.Context, sr data.Series) (time.Time, error) {
	feed, err := s.resolveFeed(ctx, sr.Timeframe, sr.Adjustment, sr.Feed, []string{sr.Symbol})
	if err != nil {
		return time.Time{}, fmt.Errorf("as-of of %s: %w", sr, err)
	}
	var at sql.NullTime
	err = s.db.QueryRowContext(ctx, `SELECT fetched_at FROM series
		WHERE symbol = ? AND timeframe = ? AND adjustment = ? AND feed = ?`,
		sr.Symbol, sr.Timeframe.String(), string(sr.Adjustment.Norm()), feed).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !at.Valid {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("as-of of %s: %w", sr, err)
	}
	return at.Time.UTC(), nil
}

// resolveFeed returns feed, or when it is "" the one feed that the series of symbols (all of
// the timeframe's when none) are stored from: "" when there is none, ErrSeveralFeeds when
// there are several.
func (s *Store) resolveFeed(ctx context.Context, tf data.Timeframe, adj data.Adjustment, feed string, symbols []string) (string, error) {
	if feed != "" {
		return feed, nil
	}
	q := `SELECT DISTINCT feed FROM series WHERE timeframe = ? AND adjustment = ?`
	args := []any{tf.String(), string(adj.Norm())}
	if len(symbols) > 0 {
		q += ` AND symbol IN (?` + strings.Repeat(`, ?`, len(symbols)-1) + `)`
		for _, sym := range symbols {
			args = append(args, sym)
		}
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY feed`, args...)
	if err != nil {
		return "", fmt.Errorf("find feed: %w", err)
	}
	defer rows.Close()
	var feeds []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return "", fmt.Errorf("find feed: %w", err)
		}
		feeds = append(feeds, f)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("find feed: %w", err)
	}
	switch len(feeds) {
	case 0:
		return "", nil
	case 1:
		return feeds[0], nil
	}
	what := tf.String() + " " + string(adj.Norm())
	if len(symbols) > 0 {
		what = strings.Join(symbols, ",") + " " + what
	}
	return "", &data.SeveralFeedsError{What: what, Feeds: feeds}
}

func scanRanges(rows *sql.Rows) ([]data.Range, error) {
	defer rows.Close()
	var out []data.Range
	for rows.Next() {
		var r data.Range
		if err := rows.Scan(&r.Start, &r.End); err != nil {
			return nil, err
		}
		r.Start, r.End = r.Start.UTC(), r.End.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// Series lists the stored series with their bar counts and first and last bar times.
func (s *Store) Series(ctx context.Context) ([]data.SeriesInfo, error) {
	// An aggregate over every bar: without the cap DuckDB keeps the blocks it scanned.
	if err := s.capReadMemory(ctx); err != nil {
		return nil, fmt.Errorf("list series: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT b.symbol, b.timeframe, b.adjustment, b.n, b.first, b.last, b.feed, s.fetched_at
		FROM (SELECT symbol, timeframe, adjustment, feed, count(*) AS n, min(time) AS first,
		             max(time) AS last
		      FROM bars GROUP BY symbol, timeframe, adjustment, feed) b
		LEFT JOIN series s USING (symbol, timeframe, adjustment, feed)`)
	if err != nil {
		return nil, fmt.Errorf("list series: %w", err)
	}
	defer rows.Close()
	var out []data.SeriesInfo
	for rows.Next() {
		var info data.SeriesInfo
		var tf, adj string
		var asof sql.NullTime
		if err := rows.Scan(&info.Symbol, &tf, &adj, &info.Bars, &info.First, &info.Last, &info.Feed, &asof); err != nil {
			return nil, fmt.Errorf("list series: %w", err)
		}
		if info.Timeframe, err = data.ParseTimeframe(tf); err != nil {
			return nil, fmt.Errorf("list series: %s: %w", info.Symbol, err)
		}
		if info.Adjustment, err = data.ParseAdjustment(adj); err != nil {
			return nil, fmt.Errorf("list series: %s %s: %w", info.Symbol, tf, err)
		}
		info.First, info.Last = info.First.UTC(), info.Last.UTC()
		if asof.Valid {
			info.AsOf = asof.Time.UTC()
		}
		out = append(out, info)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list series: %w", err)
	}
	slices.SortFunc(out, func(a, b data.SeriesInfo) int {
		if d := a.Timeframe.Duration() - b.Timeframe.Duration(); d != 0 {
			return cmpDur(d)
		}
		if a.Adjustment != b.Adjustment {
			return cmpStr(string(a.Adjustment), string(b.Adjustment))
		}
		if a.Symbol != b.Symbol {
			return cmpStr(a.Symbol, b.Symbol)
		}
		return cmpStr(a.Feed, b.Feed)
	})
	return out, nil
}

func cmpDur(d time.Duration) int {
	if d < 0 {
		return -1
	}
	return 1
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Close releases the file. Iterators from Read must be closed first.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	if s.hasW {
		mapping.Disconnect(&s.wconn)
	}
	mapping.Close(&s.raw)
	errs = append(errs, s.db.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close duckdb store %s: %w", s.path, err)
	}
	return nil
}
