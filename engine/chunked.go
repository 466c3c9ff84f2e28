package engine

// chunked is an append-only list kept in blocks of blockLen: growing it never copies more than
// one block, and Result slices are assembled once at the end. Minute-bar runs make millions of
// equity points and tens of thousands of orders; append's regrowth would copy each of them
// several times, with write barriers for the pointer-carrying ones.
//
// With a sink (a run with a Recorder) it keeps nothing: add hands each element over and only
// counts it.
type chunked[T any] struct {
	blocks  [][]T
	n       int
	dropped int // blocks let go of by drop
	sink    func(T)
}

const (
	blockShift = 12
	blockLen   = 1 << blockShift
)

// add appends v. The first block grows as a slice does, so a short run allocates little.
func (c *chunked[T]) add(v T) {
	if c.sink != nil {
		c.sink(v)
		c.n++
		return
	}
	if c.n&(blockLen-1) == 0 && c.n > 0 || len(c.blocks) == 0 {
		size := blockLen
		if len(c.blocks) == 0 {
			size = 16
		}
		c.blocks = append(c.blocks, make([]T, 0, size))
	}
	last := &c.blocks[len(c.blocks)-1]
	*last = append(*last, v)
	c.n++
}

// at returns element i, valid until the next add.
func (c *chunked[T]) at(i int) *T { return &c.blocks[i>>blockShift][i&(blockLen-1)] }

func (c *chunked[T]) len() int { return c.n }

// drop lets go of the blocks that lie wholly before element n, once their elements have been
// handed on; at must not be asked for those elements again, and flat no longer has them.
func (c *chunked[T]) drop(n int) {
	for ; c.dropped < n>>blockShift && c.dropped < len(c.blocks); c.dropped++ {
		c.blocks[c.dropped] = nil
	}
}

// flat returns the elements as one slice, sharing storage when there is a single block. It
// empties c, dropping each block once copied, so that a collection during the copy can free
// it: the Result of a long run should not sit in memory twice.
func (c *chunked[T]) flat() []T {
	var out []T
	switch len(c.blocks) {
	case 0:
	case 1:
		out = c.blocks[0]
	default:
		out = make([]T, 0, c.n)
		for i, b := range c.blocks {
			out = append(out, b...)
			c.blocks[i] = nil
		}
	}
	c.blocks, c.n, c.dropped = nil, 0, 0
	return out
}
