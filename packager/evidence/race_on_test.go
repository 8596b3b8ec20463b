//go:build race

package evidence

// raceOn: the race detector is on (its sync.Pool drops a random quarter of
// what it is handed).
const raceOn = true
