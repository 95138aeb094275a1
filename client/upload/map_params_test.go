package upload

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateMapParams(t *testing.T) {
	for _, c := range []struct {
		p     MapParams
		field string
	}{
		{MapParams{Name: strings.Repeat("n", 211)}, "name"},
		{MapParams{Read: []string{"EVERYONE", "not a user"}}, "read"},
		{MapParams{Write: []string{""}}, "write"},
	} {
		var ve *ValidationError
		if err := ValidateMapParams(c.p); !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("%+v: got %v, want a ValidationError on %s", c.p, err, c.field)
		}
	}
	if err := ValidateMapParams(MapParams{Name: "roads", Read: []string{"EVERYONE"}, Write: []string{"alice", "EDITORS"}}); err != nil {
		t.Errorf("valid params refused: %v", err)
	}
}
