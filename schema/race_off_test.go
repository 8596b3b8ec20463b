//go:build !race

package schema

// raceOn: the race detector is on (it allocates besides what the code does).
const raceOn = false
