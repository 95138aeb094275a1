package cli

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
)

// jsonToYAML renders JSON as YAML with the keys in the server's order. It
// reads the JSON with encoding/json: go-yaml's own JSONToYAML parses JSON as
// YAML, several times slower, which `list --all -o yaml` felt.
func jsonToYAML(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := decodeOrdered(dec)
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(v)
}

// decodeOrdered reads one JSON value, objects as yaml.MapSlice to keep
// their key order.
func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			m := yaml.MapSlice{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				m = append(m, yaml.MapItem{Key: k, Value: v})
			}
			_, err := dec.Token()
			return m, err
		}
		a := []any{}
		for dec.More() {
			v, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token()
		return a, err
	case json.Number:
		return yamlNumber(t), nil
	}
	return tok, nil
}

// yamlNumber keeps integers exact, even beyond int64, and writes other
// numbers in decimal form: go-yaml would write 0.00001 as 1e-05, which
// people read badly and some YAML readers take for a string.
func yamlNumber(n json.Number) any {
	if i, err := n.Int64(); err == nil {
		return i
	}
	if u, err := strconv.ParseUint(n.String(), 10, 64); err == nil {
		return u
	}
	if f, err := n.Float64(); err == nil {
		return decimal{f, n.String()}
	}
	return n.String()
}

// decimal is a number that go-yaml writes as its text, in plain decimal.
type decimal struct {
	f    float64
	text string
}

func (d decimal) MarshalYAML() ([]byte, error) {
	if !strings.ContainsAny(d.text, "eE") {
		return []byte(d.text), nil
	}
	s := strconv.FormatFloat(d.f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0" // still a float
	}
	return []byte(s), nil
}
