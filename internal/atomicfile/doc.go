// Package atomicfile owns barkeep's crash-safe file primitives: writing a file so that a reader
// or a crash sees the old contents or the new, never a mix; staging several files and
// publishing them together; creating directories and links durably; syncing a directory so
// that a rename in it survives a power cut; and replacing a whole directory in one step.
//
// The Parquet lake, the DuckDB store's creation and the report writer all use it, so that the
// rules (sync the file, rename, sync the directory) are written once. It depends on the
// standard library and golang.org/x/sys only, without cgo.
package atomicfile
