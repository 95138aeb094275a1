package cli

import (
	"testing"

	"github.com/goccy/go-yaml"
)

// The fast conversion must print what go-yaml's own JSONToYAML prints.
func TestJSONToYAMLMatchesGoYAML(t *testing.T) {
	docs := []string{
		`[{"name":"rivers","title":"Rivers","n":12345678901234567890,"f":1.5,"neg":-3,"e":{},"a":[],"z":null,"s":"yes","b":true,"t":"2020-01-01","multi":"a\nb","nested":{"k":[1,{"x":"y"}]}}]`,
		`{}`, `[]`, `"x"`, `3`, `{"b":1,"a":2}`,
	}
	for _, doc := range docs {
		got, err := jsonToYAML([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		want, err := yaml.JSONToYAML([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", doc, got, want)
		}
	}
	if _, err := jsonToYAML([]byte(`{"a":`)); err == nil {
		t.Error("truncated JSON accepted")
	}
}

// Floats come out in decimal form, never in exponent form.
func TestJSONToYAMLFloatsInDecimal(t *testing.T) {
	for doc, want := range map[string]string{
		`{"x":0.00001}`:                  "x: 0.00001\n",
		`{"x":1e-05}`:                    "x: 0.00001\n",
		`{"x":15000000.5}`:               "x: 15000000.5\n",
		`{"x":1.5E7}`:                    "x: 15000000.0\n",
		`{"bbox":[14.4,50.1,-0.000123]}`: "bbox:\n- 14.4\n- 50.1\n- -0.000123\n",
		`{"x":2.0}`:                      "x: 2.0\n",
	} {
		got, err := jsonToYAML([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if string(got) != want {
			t.Errorf("%s:\n got %q\nwant %q", doc, got, want)
		}
	}
}
