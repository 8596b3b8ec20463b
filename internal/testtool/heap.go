package testtool

import "runtime"

// LiveHeap is the heap's live bytes, once collected (twice: pooled
// buffers go at the second collection): what a test that bounds the
// memory a structure holds compares before and after making it.
func LiveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
