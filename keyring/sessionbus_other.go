//go:build windows || darwin

package keyring

// The macOS and Windows keychains need no session bus.
func sessionBus(string) error { return nil }

func userRuntimeDir() string { return "" }
