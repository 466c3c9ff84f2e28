package duckdb

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2/mapping"
)

// rawExec runs one statement on a connection of the mapping layer, binding string and int64
// arguments to $1, $2...; the write path uses it because its staging table lives on that
// connection.
func rawExec(conn mapping.Connection, q string, args ...any) error {
	return rawQuery(conn, q, args, nil)
}

// rawQuery runs q and hands each result chunk's first columns, as int64 vectors, to each.
func rawQuery(conn mapping.Connection, q string, args []any, each func(cols [][]int64)) error {
	var stmt mapping.PreparedStatement
	defer mapping.DestroyPrepare(&stmt)
	if mapping.Prepare(conn, q, &stmt) == mapping.StateError {
		return errors.New(mapping.PrepareError(stmt))
	}
	for i, a := range args {
		idx := mapping.IdxT(i + 1)
		var st mapping.State
		switch v := a.(type) {
		case string:
			st = mapping.BindVarchar(stmt, idx, v)
		case int64:
			st = mapping.BindInt64(stmt, idx, v)
		default:
			return fmt.Errorf("bind parameter %d: unsupported %T", i+1, a)
		}
		if st == mapping.StateError {
			return fmt.Errorf("bind parameter %d: %s", i+1, mapping.PrepareError(stmt))
		}
	}
	var res mapping.Result
	defer mapping.DestroyResult(&res)
	if mapping.ExecutePrepared(stmt, &res) == mapping.StateError {
		return errors.New(mapping.ResultError(&res))
	}
	eachChunk(&res, each)
	return nil
}

// eachChunk hands each chunk of res to each as int64 columns (nothing when each is nil).
func eachChunk(res *mapping.Result, each func(cols [][]int64)) {
	if each == nil {
		return
	}
	ncol := int(mapping.ColumnCount(res))
	for {
		chunk := mapping.FetchChunk(*res)
		if chunk.Ptr == nil {
			return
		}
		n := int(mapping.DataChunkGetSize(chunk))
		cols := make([][]int64, ncol)
		for c := range cols {
			vec := mapping.DataChunkGetVector(chunk, mapping.IdxT(c))
			cols[c] = unsafe.Slice((*int64)(mapping.VectorGetData(vec)), n)
		}
		each(cols)
		mapping.DestroyDataChunk(&chunk)
	}
}
