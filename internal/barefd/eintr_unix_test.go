//go:build unix

package barefd

import (
	"fmt"
	"syscall"
	"testing"
)

// TestIgnoringEINTR: a call interrupted is made again until it returns
// anything else, which is returned as it is, with its value; any other
// error, or none, ends it at once.
func TestIgnoringEINTR(t *testing.T) {
	for _, tc := range []struct {
		answers []error
		calls   int
		want    error
	}{
		{[]error{nil}, 1, nil},
		{[]error{syscall.EINTR, nil}, 2, nil},
		{[]error{syscall.EINTR, syscall.EINTR, syscall.EINTR, nil}, 4, nil},
		{[]error{syscall.ENOENT, nil}, 1, syscall.ENOENT},
		{[]error{syscall.EINTR, syscall.EIO, nil}, 2, syscall.EIO},
		{[]error{syscall.EAGAIN, nil}, 1, syscall.EAGAIN},
	} {
		name := fmt.Sprint(tc.answers)
		calls := 0
		err := IgnoringEINTR(func() error { calls++; return tc.answers[calls-1] })
		if err != tc.want || calls != tc.calls {
			t.Errorf("%s: %v after %d calls, want %v after %d", name, err, calls, tc.want, tc.calls)
		}
		calls = 0
		v, err := IgnoringEINTR2(func() (int, error) { calls++; return 100 + calls, tc.answers[calls-1] })
		if err != tc.want || calls != tc.calls || v != 100+tc.calls {
			t.Errorf("%s: IgnoringEINTR2 %d, %v after %d calls, want %d, %v after %d", name, v, err, calls, 100+tc.calls, tc.want, tc.calls)
		}
	}
}
