package laymantest

import (
	"fmt"
	"time"
)

// PublicationOption configures a publication seeded with AddLayer or AddMap.
type PublicationOption func(*publication)

// Title sets the title (default: the name).
func Title(t string) PublicationOption { return func(p *publication) { p.title = t } }

// Access sets read and write rights (default: EVERYONE for both).
func Access(read, write []string) PublicationOption {
	return func(p *publication) { p.read, p.write = read, write }
}

// BBox sets the bounding box in EPSG:3857.
func BBox(minx, miny, maxx, maxy float64) PublicationOption {
	return func(p *publication) { p.bbox = &[4]float64{minx, miny, maxx, maxy} }
}

// GeodataType sets a layer's geodata_type (default vector).
func GeodataType(t string) PublicationOption {
	return func(p *publication) { p.geodataType = t }
}

// MapFile sets a map's composition JSON.
func MapFile(json []byte) PublicationOption { return func(p *publication) { p.mapFile = json } }

var everyoneRights = []string{everyone}

// AddLayer seeds a COMPLETE layer and returns its UUID. It panics if the
// name is taken: that is a mistake in the test.
func (s *Server) AddLayer(workspace, name string, opts ...PublicationOption) string {
	return s.seed(kindLayer, workspace, name, opts)
}

// AddMap seeds a COMPLETE map and returns its UUID.
func (s *Server) AddMap(workspace, name string, opts ...PublicationOption) string {
	return s.seed(kindMap, workspace, name, append([]PublicationOption{MapFile([]byte(`{"name":"` + name + `"}`))}, opts...))
}

func (s *Server) seed(kind pubKind, ws, name string, opts []PublicationOption) string {
	p := s.seedPublication(kind, ws, name, s.now())
	for _, o := range opts {
		o(p)
	}
	s.users.ensureWorkspace(ws)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store.byName[nameKey(kind, ws, name)] != nil {
		panic(fmt.Sprintf("laymantest: %s %s:%s already exists", kind, ws, name))
	}
	s.store.add(p)
	return p.uuid
}

func (s *Server) seedPublication(kind pubKind, ws, name string, now time.Time) *publication {
	p := &publication{
		kind: kind, uuid: NewUUID(), workspace: ws, name: name, title: name,
		read: everyoneRights, write: everyoneRights, updatedAt: now,
		nativeCRS: "EPSG:3857", bbox: &[4]float64{1.6e6, 6.3e6, 1.7e6, 6.4e6},
	}
	if kind == kindLayer {
		p.geodataType = "vector"
	}
	return p
}

// SeedLayers adds n COMPLETE layers named layer_00001… to workspace, each
// readable and writable by EVERYONE, with distinct titles and bounding
// boxes. The layers share their rights slices, keeping 20,000 of them cheap.
func (s *Server) SeedLayers(workspace string, n int) {
	now := s.now()
	batch := make([]publication, n)
	s.users.ensureWorkspace(workspace)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range batch {
		p := &batch[i]
		*p = *s.seedPublication(kindLayer, workspace, fmt.Sprintf("layer_%05d", i+1), now.Add(time.Duration(i)*time.Millisecond))
		p.title = fmt.Sprintf("Layer %d", i+1)
		x := float64(i%200) * 1e4
		p.bbox = &[4]float64{x, x, x + 5e3, x + 5e3}
		s.store.add(p)
	}
}
