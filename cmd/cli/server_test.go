package cli

import "testing"

func TestBareHostMeansHTTPS(t *testing.T) {
	for in, want := range map[string]string{
		"layman.example.com":           "https://layman.example.com",
		"layman.example.com:8443/gis/": "https://layman.example.com:8443/gis",
		"http://127.0.0.1:8000":        "http://127.0.0.1:8000",
	} {
		if got, err := NormalizeServer(in); err != nil || got != want {
			t.Errorf("NormalizeServer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
