package client

import "context"

// Version is the answer of GET /rest/about/version.
type Version struct {
	About struct {
		Applications struct {
			Layman struct {
				Version          string `json:"version"`
				ReleaseTimestamp string `json:"release-timestamp"`
			} `json:"layman"`
			TestClient struct {
				Version string `json:"version"`
			} `json:"layman-test-client"`
		} `json:"applications"`
		Data struct {
			Layman struct {
				LastSchemaMigration string `json:"last-schema-migration"`
				LastDataMigration   string `json:"last-data-migration"`
			} `json:"layman"`
		} `json:"data"`
	} `json:"about"`
}

// Layman is Layman's own version, e.g. "3.0.0-dev".
func (v *Version) Layman() string { return v.About.Applications.Layman.Version }

// Generation is the API generation of this version.
func (v *Version) Generation() (Generation, error) { return GenerationFromVersion(v.Layman()) }

// AboutService is /rest/about.
type AboutService struct{ c *Client }

// Version asks the server for its version.
func (s *AboutService) Version(ctx context.Context) (*Version, error) {
	v := new(Version)
	if err := s.c.GetJSON(ctx, "rest/about/version", v); err != nil {
		return nil, err
	}
	return v, nil
}
