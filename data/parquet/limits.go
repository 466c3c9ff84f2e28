package parquet

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// A damaged file must fail fast with an error. Its metadata can claim any sizes and counts, and
// arrow-go allocates what a page header or a zstd frame header claims before it finds out the
// data is not there, so readers bound what they believe.

// maxPageBytes bounds one decompressed page. We write 64 KiB pages and other writers about
// 1 MiB; arrow-go's own default, 256 MiB, lets a single damaged header cost that much.
const maxPageBytes = 64 << 20

// readerPropsFor returns reader properties for a file of size bytes: no page is larger than the
// file it is in, nor than maxPageBytes once decompressed.
func readerPropsFor(size int64) *pq.ReaderProperties {
	p := pq.NewReaderProperties(memory.DefaultAllocator)
	// Read pages through a small buffer rather than whole column chunks, so that a reader
	// merging many symbols holds little per symbol.
	p.BufferedStreamEnabled = true
	p.BufferSize = 64 * 1024
	p.MaxCompressedPageSize = max(1, min(size, maxPageBytes)) // zero would mean arrow-go's default
	p.MaxUncompressedPageSize = maxPageBytes
	return p
}

// checkMetadata checks the counts and byte ranges of the footer of a file of size bytes against
// each other and the file, before anything is allocated or read by them.
func (pf *pqFile) checkMetadata(size int64) error {
	md := pf.r.MetaData()
	total := md.GetNumRows()
	if total < 0 {
		return fmt.Errorf("negative row count %d", total)
	}
	var sum int64
	for i := range md.NumRowGroups() {
		rg := md.RowGroup(i)
		n := rg.NumRows()
		if n < 0 || n > total-sum {
			return fmt.Errorf("row group %d claims %d rows of the file's %d", i, n, total)
		}
		sum += n
		for _, c := range pf.idx {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				return fmt.Errorf("row group %d: %w", i, err)
			}
			name := md.Schema.Column(c).Name()
			if v := cc.NumValues(); v != n {
				return fmt.Errorf("row group %d: column %s has %d values for %d rows", i, name, v, n)
			}
			start := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
				start = cc.DictionaryPageOffset()
			}
			length := cc.TotalCompressedSize()
			if start < int64(len("PAR1")) || length < 0 || start > size || length > size-start {
				return fmt.Errorf("row group %d: column %s spans bytes [%d, %d+%d) outside the file of %d bytes", i, name, start, start, length, size)
			}
		}
	}
	if sum != total {
		return fmt.Errorf("row groups hold %d rows, but the file has %d", sum, total)
	}
	return nil
}

// boundedZstd is arrow-go's zstd codec with a decoder that cannot be made to allocate more than
// maxPageBytes, nor more than the page header announced: klauspost/compress allocates the
// content size a zstd frame header declares (up to 64 GiB by default) before decoding it, so one
// flipped bit in a page cost gigabytes of address space and seconds per read.
type boundedZstd struct{ zstdCodec }

type zstdCodec interface {
	compress.Codec
	compress.StreamingCodec
}

var pageDecoder = func() *zstd.Decoder {
	d, err := zstd.NewReader(nil, zstd.WithDecoderMaxMemory(maxPageBytes))
	if err != nil {
		panic(fmt.Sprintf("zstd decoder: %v", err))
	}
	return d
}()

var errZstdSize = errors.New("zstd frame larger than its page")

// DecodeWithError decodes src into dst, whose capacity arrow-go sets to the page size.
func (boundedZstd) DecodeWithError(dst, src []byte) ([]byte, error) {
	var h zstd.Header
	if cap(dst) > 0 && h.Decode(src) == nil && h.HasFCS && h.FrameContentSize > uint64(cap(dst)) {
		return nil, fmt.Errorf("%w: %d bytes, page holds %d", errZstdSize, h.FrameContentSize, cap(dst))
	}
	return pageDecoder.DecodeAll(src, dst[:0])
}

func (c boundedZstd) Decode(dst, src []byte) []byte {
	out, err := c.DecodeWithError(dst, src)
	if err != nil {
		panic(err)
	}
	return out
}

// init replaces the zstd codec for the whole process: arrow-go picks codecs from a global
// registry, and only data/parquet imports arrow-go. Encoding and streaming are unchanged. Should
// a new arrow-go change its codec's shape, the codec stays as it is and
// TestDamagedParquetFailsFast says so.
func init() {
	if c, err := compress.GetCodec(compress.Codecs.Zstd); err == nil {
		if zc, ok := c.(zstdCodec); ok {
			compress.RegisterCodec(compress.Codecs.Zstd, boundedZstd{zc})
		}
	}
}

var _ compress.ErrorCodec = boundedZstd{}
