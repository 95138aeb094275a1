package laymantest

import (
	"net/url"
	"regexp"
)

// externalTable is a layer's external_table_uri: a table in a PostgreSQL
// database outside Layman (original_data_source "database_table").
type externalTable struct {
	uri                      string // without the password, as Layman shows it
	schema, table, geoColumn string
}

// safePGIdentifier is SAFE_PG_IDENTIFIER_PATTERN (src/layman/layer/__init__.py).
var safePGIdentifier = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z_0-9]*$`)

const externalTablePattern = "postgresql://<username>:<password>@<host>:<port>/<dbname>?schema=<schema_name>&table=<table_name>&geo_column=<geo_column_name>"

// parseExternalTable is parse_and_validate_external_table_uri_str
// (src/layman/layer/util.py) up to the database: the fake has none, so it
// takes every table as existing, in a supported CRS, with geometry column
// geo_column or, when that is not given, wkb_geometry.
func parseExternalTable(raw string) (*externalTable, *laymanError) {
	fail := func(message string, found map[string]any) *laymanError {
		found["external_table_uri"] = raw
		return newError(2, map[string]any{"parameter": "external_table_uri", "message": message, "expected": externalTablePattern, "found": found})
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "postgresql" && u.Scheme != "postgres" {
		scheme := ""
		if u != nil {
			scheme = u.Scheme
		}
		return nil, fail("Parameter `external_table_uri` is expected to have URI scheme `postgresql`", map[string]any{"uri_scheme": scheme})
	}
	q := u.Query()
	t := &externalTable{schema: q.Get("schema"), table: q.Get("table"), geoColumn: q.Get("geo_column")}
	if t.schema == "" || t.table == "" || u.Hostname() == "" {
		return nil, fail("Parameter `external_table_uri` is expected to be valid URL with `host` part and query parameters `schema`, `table`, and `geo_column`.",
			map[string]any{"host": u.Hostname(), "schema": t.schema, "table": t.table, "geo_column": t.geoColumn})
	}
	if t.geoColumn == "" {
		t.geoColumn = "wkb_geometry"
	}
	for _, id := range []string{t.schema, t.table, t.geoColumn} {
		if !safePGIdentifier.MatchString(id) {
			return nil, fail("Schema, table, and geo_column in `external_table_uri` parameter are expected to match regular expression "+safePGIdentifier.String(),
				map[string]any{"schema": t.schema, "table": t.table, "geo_column": t.geoColumn})
		}
	}
	q.Del("schema")
	q.Del("table")
	q.Del("geo_column")
	u.RawQuery = q.Encode()
	// redact_uri (src/requests_util/url_util.py): the password goes.
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	t.uri = u.String()
	return t, nil
}
