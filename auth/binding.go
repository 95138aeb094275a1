package auth

// Binding is where the stored set read by ResolveCredentials may be sent.
// Refreshes keep it (mergeToken copies the set).
func (s *StoredSource) Binding() Binding {
	if ts := s.cached.Load(); ts != nil {
		return ts.Binding()
	}
	return Binding{}
}

// Profile whose login the source holds.
func (s *StoredSource) Profile() string { return s.o.Profile }
