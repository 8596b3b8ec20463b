//go:build race

package submission

// raceOn: the race detector is on (it allocates besides what the code does).
const raceOn = true
