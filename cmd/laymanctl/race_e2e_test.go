//go:build race

package main

// Under `go test -race` the binary under test is built with the race
// detector too, so that a data race in a real run fails the test (exit 66).
func init() { binaryBuildFlags = append(binaryBuildFlags, "-race") }
